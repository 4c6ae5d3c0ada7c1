{%- set columns = [
    {"name": "id", "datatype": dbt.type_bigint()},
    {"name": "is_deleted", "datatype": dbt.type_boolean()},
    {"name": "name", "datatype": dbt.type_string()},
    {"name": "channel", "datatype": dbt.type_string()},
    {"name": "ad_network", "datatype": dbt.type_string()},
    {"name": "utm_source", "datatype": dbt.type_string()},
    {"name": "utm_medium", "datatype": dbt.type_string()},
    {"name": "utm_campaign", "datatype": dbt.type_string()},
    {"name": "start_date", "datatype": "date"},
    {"name": "end_date", "datatype": "date"},
    {"name": "currency", "datatype": dbt.type_string()},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('hubspot', 'ad_campaign'), columns) }}
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
        _fivetran_synced as synced_at
    from latest
)

select * from final
