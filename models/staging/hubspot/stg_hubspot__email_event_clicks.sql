{%- set columns = [
    {"name": "id", "datatype": dbt.type_string()},
    {"name": "url", "datatype": dbt.type_string()},
    {"name": "referer", "datatype": dbt.type_string()},
    {"name": "browser", "datatype": dbt.type_string()},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('hubspot', 'email_event_click'), columns) }}
    from {{ source('hubspot', 'email_event_click') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as email_event_id,
        url as clicked_url,
        referer,
        browser,
        _fivetran_synced as synced_at
    from latest
)

select * from final
