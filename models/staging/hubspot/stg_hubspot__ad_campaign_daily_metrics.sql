{{ config(unique_key=['ad_campaign_id', 'metric_date']) }}

with

source as (
    select
        {{ fill_staging_columns(
            source('hubspot', 'ad_campaign_daily'),
            get_hubspot_ad_campaign_daily_columns() + provenance_columns() + pass_through_columns('hubspot', 'ad_campaign_daily'),
            aliases={"date": "metric_date"}
        ) }}
    from {{ source('hubspot', 'ad_campaign_daily') }}
),

latest as (
    {{ latest_record('source', 'ad_campaign_id, metric_date') }}
),

final as (
    select
        {{ generate_surrogate_key(['ad_campaign_id', 'metric_date']) }} as ad_campaign_daily_id,
        ad_campaign_id,
        metric_date,
        coalesce(impressions, 0) as impressions,
        coalesce(clicks, 0) as clicks,
        coalesce(spend, 0) as spend,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('hubspot', 'ad_campaign_daily') }}
    from latest
)

select * from final
