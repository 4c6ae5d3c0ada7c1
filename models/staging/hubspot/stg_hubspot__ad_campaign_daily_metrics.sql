{%- set columns = [
    {"name": "ad_campaign_id", "datatype": dbt.type_bigint()},
    {"name": "date", "datatype": "date", "quote": true, "alias": "metric_date"},
    {"name": "impressions", "datatype": dbt.type_bigint()},
    {"name": "clicks", "datatype": dbt.type_bigint()},
    {"name": "spend", "datatype": "decimal(18, 2)"},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('hubspot', 'ad_campaign_daily'), columns) }}
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
        _fivetran_synced as synced_at
    from latest
)

select * from final
