{%- set columns = [
    {"name": "id", "datatype": dbt.type_string()},
    {"name": "is_deleted", "datatype": dbt.type_boolean()},
    {"name": "name", "datatype": dbt.type_string()},
    {"name": "website", "datatype": dbt.type_string()},
    {"name": "industry", "datatype": dbt.type_string()},
    {"name": "number_of_employees", "datatype": dbt.type_bigint()},
    {"name": "billing_country", "datatype": dbt.type_string()},
    {"name": "type", "datatype": dbt.type_string(), "quote": true, "alias": "account_type"},
    {"name": "owner_id", "datatype": dbt.type_string()},
    {"name": "customer_success_manager_c", "datatype": dbt.type_string()},
    {"name": "segment_c", "datatype": dbt.type_string()},
    {"name": "created_date", "datatype": dbt.type_timestamp()},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('salesforce', 'account'), columns) }}
    from {{ source('salesforce', 'account') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as account_id,
        name as account_name,
        website,
        {{ url_domain('website') }} as website_domain,
        industry,
        number_of_employees,
        billing_country,
        account_type,
        owner_id,
        customer_success_manager_c as customer_success_manager_id,
        segment_c as segment,
        created_date as created_at,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at
    from latest
)

select * from final
