{%- set columns = [
    {"name": "id", "datatype": dbt.type_string()},
    {"name": "is_deleted", "datatype": dbt.type_boolean()},
    {"name": "account_id", "datatype": dbt.type_string()},
    {"name": "email", "datatype": dbt.type_string()},
    {"name": "first_name", "datatype": dbt.type_string()},
    {"name": "last_name", "datatype": dbt.type_string()},
    {"name": "title", "datatype": dbt.type_string()},
    {"name": "phone", "datatype": dbt.type_string()},
    {"name": "owner_id", "datatype": dbt.type_string()},
    {"name": "lead_source", "datatype": dbt.type_string()},
    {"name": "created_date", "datatype": dbt.type_timestamp()},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('salesforce', 'contact'), columns) }}
    from {{ source('salesforce', 'contact') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as contact_id,
        account_id,
        {{ normalize_email('email') }} as email,
        {{ email_domain('email') }} as email_domain,
        first_name,
        last_name,
        title,
        phone,
        owner_id,
        lead_source,
        created_date as created_at,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at
    from latest
)

select * from final
