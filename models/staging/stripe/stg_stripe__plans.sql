with

source as (
    select
        {{ fill_staging_columns(source('stripe', 'plan'), [
            {"name": "id", "datatype": dbt.type_string()},
            {"name": "product_id", "datatype": dbt.type_string()},
            {"name": "nickname", "datatype": dbt.type_string()},
            {"name": "amount", "datatype": dbt.type_bigint()},
            {"name": "currency", "datatype": dbt.type_string()},
            {"name": "interval", "datatype": dbt.type_string(), "quote": true},
            {"name": "interval_count", "datatype": dbt.type_bigint()},
            {"name": "active", "datatype": dbt.type_boolean()},
            {"name": "created", "datatype": dbt.type_timestamp()},
            {"name": "is_deleted", "datatype": dbt.type_boolean()},
        ] + provenance_columns()) }}
    from {{ source('stripe', 'plan') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as plan_id,
        cast(product_id as {{ dbt.type_string() }}) as product_id,
        nickname as plan_name,
        upper(currency) as currency,
        {{ minor_units_to_amount('amount', 'currency') }} as unit_amount,
        lower("interval") as billing_interval,
        coalesce(interval_count, 1) as interval_count,
        case lower("interval")
            when 'year' then 12 * coalesce(interval_count, 1)
            when 'month' then coalesce(interval_count, 1)
        end as interval_months,
        coalesce(active, true) as is_active,
        coalesce(is_deleted, false) as is_deleted,
        cast(created as {{ dbt.type_timestamp() }}) as created_at,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from latest
)

select * from final
