with

source as (
    select
        {{ fill_staging_columns(source('stripe', 'discount'), [
            {"name": "id", "datatype": dbt.type_string()},
            {"name": "coupon_id", "datatype": dbt.type_string()},
            {"name": "customer_id", "datatype": dbt.type_string()},
            {"name": "subscription_id", "datatype": dbt.type_string()},
            {"name": "start", "datatype": dbt.type_timestamp(), "quote": true},
            {"name": "end", "datatype": dbt.type_timestamp(), "quote": true},
            {"name": "type", "datatype": dbt.type_string()},
        ] + provenance_columns()) }}
    from {{ source('stripe', 'discount') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as discount_id,
        cast(coupon_id as {{ dbt.type_string() }}) as coupon_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(subscription_id as {{ dbt.type_string() }}) as subscription_id,
        type as discount_type,
        false as is_deleted,
        cast("start" as {{ dbt.type_timestamp() }}) as started_at,
        cast("end" as {{ dbt.type_timestamp() }}) as ends_at,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from latest
)

select * from final
