with

source as (
    select
        {{ fill_staging_columns(source('stripe', 'product'), [
            {"name": "id", "datatype": dbt.type_string()},
            {"name": "name", "datatype": dbt.type_string()},
            {"name": "active", "datatype": dbt.type_boolean()},
            {"name": "created", "datatype": dbt.type_timestamp()},
            {"name": "unit_label", "datatype": dbt.type_string()},
            {"name": "is_deleted", "datatype": dbt.type_boolean()},
        ] + provenance_columns()) }}
    from {{ source('stripe', 'product') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as product_id,
        name as product_name,
        unit_label,
        coalesce(active, true) as is_active,
        coalesce(is_deleted, false) as is_deleted,
        cast(created as {{ dbt.type_timestamp() }}) as created_at,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from latest
)

select * from final
