{%- set columns = [
    {"name": "id", "datatype": dbt.type_bigint()},
    {"name": "name", "datatype": dbt.type_string()},
    {"name": "subject", "datatype": dbt.type_string()},
    {"name": "type", "datatype": dbt.type_string(), "quote": true, "alias": "email_type"},
    {"name": "app_name", "datatype": dbt.type_string()},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('hubspot', 'email_campaign'), columns) }}
    from {{ source('hubspot', 'email_campaign') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as email_campaign_id,
        name as email_campaign_name,
        subject,
        email_type,
        app_name,
        _fivetran_synced as synced_at
    from latest
)

select * from final
