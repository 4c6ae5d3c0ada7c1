{%- set columns = [
    {"name": "owner_id", "datatype": dbt.type_bigint()},
    {"name": "email", "datatype": dbt.type_string()},
    {"name": "first_name", "datatype": dbt.type_string()},
    {"name": "last_name", "datatype": dbt.type_string()},
    {"name": "created_at", "datatype": dbt.type_timestamp()},
    {"name": "updated_at", "datatype": dbt.type_timestamp()},
    {"name": "type", "datatype": dbt.type_string(), "quote": true, "alias": "owner_type"},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('hubspot', 'owner'), columns) }}
    from {{ source('hubspot', 'owner') }}
),

latest as (
    {{ latest_record('source', 'owner_id') }}
),

final as (
    select
        owner_id,
        {{ normalize_email('email') }} as email,
        first_name,
        last_name,
        trim({{ dbt.concat(["coalesce(first_name, '')", "' '", "coalesce(last_name, '')"]) }}) as full_name,
        owner_type,
        created_at,
        updated_at,
        _fivetran_synced as synced_at
    from latest
)

select * from final
