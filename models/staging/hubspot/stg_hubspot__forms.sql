{%- set columns = [
    {"name": "guid", "datatype": dbt.type_string()},
    {"name": "name", "datatype": dbt.type_string()},
    {"name": "form_type", "datatype": dbt.type_string()},
    {"name": "created_at", "datatype": dbt.type_timestamp()},
    {"name": "updated_at", "datatype": dbt.type_timestamp()},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('hubspot', 'form'), columns) }}
    from {{ source('hubspot', 'form') }}
),

latest as (
    {{ latest_record('source', 'guid') }}
),

final as (
    select
        guid as form_id,
        name as form_name,
        form_type,
        created_at,
        updated_at,
        _fivetran_synced as synced_at
    from latest
)

select * from final
