{%- set columns = [
    {"name": "id", "datatype": dbt.type_string()},
    {"name": "_fivetran_deleted", "datatype": dbt.type_boolean()},
    {"name": "name", "datatype": dbt.type_string()},
    {"name": "first_name", "datatype": dbt.type_string()},
    {"name": "last_name", "datatype": dbt.type_string()},
    {"name": "email", "datatype": dbt.type_string()},
    {"name": "title", "datatype": dbt.type_string()},
    {"name": "department", "datatype": dbt.type_string()},
    {"name": "user_role_id", "datatype": dbt.type_string()},
    {"name": "manager_id", "datatype": dbt.type_string()},
    {"name": "is_active", "datatype": dbt.type_boolean()},
    {"name": "created_date", "datatype": dbt.type_timestamp()},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('salesforce', 'user'), columns) }}
    from {{ source('salesforce', 'user') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as user_id,
        coalesce(name, trim({{ dbt.concat(["coalesce(first_name, '')", "' '", "coalesce(last_name, '')"]) }})) as full_name,
        first_name,
        last_name,
        {{ normalize_email('email') }} as email,
        title,
        department,
        user_role_id,
        manager_id,
        coalesce(is_active, false) as is_active,
        created_date as created_at,
        {{ soft_deleted(['_fivetran_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at
    from latest
)

select * from final
