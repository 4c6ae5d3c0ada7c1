{%- set columns = [
    {"name": "id", "datatype": dbt.type_string()},
    {"name": "anonymous_id", "datatype": dbt.type_string()},
    {"name": "contact_id", "datatype": dbt.type_bigint()},
    {"name": "started_at", "datatype": dbt.type_timestamp()},
    {"name": "landing_page", "datatype": dbt.type_string()},
    {"name": "referrer", "datatype": dbt.type_string()},
    {"name": "utm_source", "datatype": dbt.type_string()},
    {"name": "utm_medium", "datatype": dbt.type_string()},
    {"name": "utm_campaign", "datatype": dbt.type_string()},
    {"name": "pageviews", "datatype": dbt.type_bigint()},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('hubspot', 'web_session'), columns) }}
    from {{ source('hubspot', 'web_session') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as web_session_id,
        anonymous_id,
        contact_id,
        started_at,
        landing_page,
        referrer,
        lower(trim(utm_source)) as utm_source,
        lower(trim(utm_medium)) as utm_medium,
        lower(trim(utm_campaign)) as utm_campaign,
        pageviews,
        _fivetran_synced as synced_at
    from latest
)

select * from final
