{%- set columns = [
    {"name": "id", "datatype": dbt.type_bigint()},
    {"name": "is_deleted", "datatype": dbt.type_boolean()},
    {"name": "property_name", "datatype": dbt.type_string()},
    {"name": "property_domain", "datatype": dbt.type_string()},
    {"name": "property_industry", "datatype": dbt.type_string()},
    {"name": "property_numberofemployees", "datatype": dbt.type_bigint()},
    {"name": "property_country", "datatype": dbt.type_string()},
    {"name": "property_createdate", "datatype": dbt.type_timestamp()},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('hubspot', 'company'), columns) }}
    from {{ source('hubspot', 'company') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as company_id,
        property_name as company_name,
        {{ url_domain('property_domain') }} as domain,
        property_industry as industry,
        property_numberofemployees as number_of_employees,
        property_country as country,
        property_createdate as created_at,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at
    from latest
)

select * from final
