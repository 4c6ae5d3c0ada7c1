{%- set columns = [
    {"name": "id", "datatype": dbt.type_string()},
    {"name": "is_deleted", "datatype": dbt.type_boolean()},
    {"name": "opportunity_id", "datatype": dbt.type_string()},
    {"name": "product_2_id", "datatype": dbt.type_string()},
    {"name": "name", "datatype": dbt.type_string()},
    {"name": "product_code", "datatype": dbt.type_string()},
    {"name": "quantity", "datatype": dbt.type_float()},
    {"name": "list_price", "datatype": "decimal(18, 2)"},
    {"name": "unit_price", "datatype": "decimal(18, 2)"},
    {"name": "discount", "datatype": dbt.type_float()},
    {"name": "total_price", "datatype": "decimal(18, 2)"},
    {"name": "created_date", "datatype": dbt.type_timestamp()},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('salesforce', 'opportunity_line_item'), columns) }}
    from {{ source('salesforce', 'opportunity_line_item') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as opportunity_line_item_id,
        opportunity_id,
        product_2_id as product_id,
        name as line_item_name,
        product_code,
        quantity,
        list_price,
        unit_price,
        discount as discount_percent,
        total_price,
        created_date as created_at,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at
    from latest
)

select * from final
