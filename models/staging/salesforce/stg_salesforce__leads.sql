{%- set columns = [
    {"name": "id", "datatype": dbt.type_string()},
    {"name": "is_deleted", "datatype": dbt.type_boolean()},
    {"name": "created_date", "datatype": dbt.type_timestamp()},
    {"name": "email", "datatype": dbt.type_string()},
    {"name": "first_name", "datatype": dbt.type_string()},
    {"name": "last_name", "datatype": dbt.type_string()},
    {"name": "company", "datatype": dbt.type_string()},
    {"name": "title", "datatype": dbt.type_string()},
    {"name": "phone", "datatype": dbt.type_string()},
    {"name": "status", "datatype": dbt.type_string()},
    {"name": "lead_source", "datatype": dbt.type_string()},
    {"name": "owner_id", "datatype": dbt.type_string()},
    {"name": "accepted_date_c", "datatype": dbt.type_timestamp()},
    {"name": "qualified_date_c", "datatype": dbt.type_timestamp()},
    {"name": "disqualified_date_c", "datatype": dbt.type_timestamp()},
    {"name": "unqualified_reason_c", "datatype": dbt.type_string()},
    {"name": "is_converted", "datatype": dbt.type_boolean()},
    {"name": "converted_date", "datatype": "date"},
    {"name": "converted_account_id", "datatype": dbt.type_string()},
    {"name": "converted_contact_id", "datatype": dbt.type_string()},
    {"name": "converted_opportunity_id", "datatype": dbt.type_string()},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('salesforce', 'lead'), columns) }}
    from {{ source('salesforce', 'lead') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as lead_id,
        {{ normalize_email('email') }} as email,
        {{ email_domain('email') }} as email_domain,
        first_name,
        last_name,
        company as company_name,
        title,
        phone,
        status as lead_status,
        lead_source,
        owner_id,
        created_date as created_at,
        accepted_date_c as accepted_at,
        qualified_date_c as qualified_at,
        disqualified_date_c as disqualified_at,
        unqualified_reason_c as disqualified_reason,
        coalesce(is_converted, false) as is_converted,
        converted_date,
        nullif(converted_account_id, '') as converted_account_id,
        nullif(converted_contact_id, '') as converted_contact_id,
        nullif(converted_opportunity_id, '') as converted_opportunity_id,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at
    from latest
)

select * from final
