{%- set columns = [
    {"name": "id", "datatype": dbt.type_string()},
    {"name": "_fivetran_deleted", "datatype": dbt.type_boolean()},
    {"name": "name", "datatype": dbt.type_string()},
    {"name": "developer_name", "datatype": dbt.type_string()},
    {"name": "parent_role_id", "datatype": dbt.type_string()},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('salesforce', 'user_role'), columns) }}
    from {{ source('salesforce', 'user_role') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as user_role_id,
        name as role_name,
        developer_name as role_developer_name,
        parent_role_id,
        {{ soft_deleted(['_fivetran_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at
    from latest
)

select * from final
