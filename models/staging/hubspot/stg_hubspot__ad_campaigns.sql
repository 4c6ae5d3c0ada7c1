{{ config(unique_key='ad_campaign_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('hubspot', 'ad_campaign'),
            get_hubspot_ad_campaign_columns() + provenance_columns() + pass_through_columns('hubspot', 'ad_campaign')
        ) }}
    from {{ source('hubspot', 'ad_campaign') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as ad_campaign_id,
        name as campaign_name,
        lower(channel) as campaign_channel,
        lower(ad_network) as ad_network,
        lower(trim(utm_source)) as utm_source,
        lower(trim(utm_medium)) as utm_medium,
        lower(trim(utm_campaign)) as utm_campaign,
        start_date,
        end_date,
        upper(currency) as currency,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('hubspot', 'ad_campaign') }}
    from latest
)

select * from final
