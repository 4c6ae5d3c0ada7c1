with

source as (
    select
        {{ fill_staging_columns(source('stripe', 'invoice'), [
            {"name": "id", "datatype": dbt.type_string()},
            {"name": "customer_id", "datatype": dbt.type_string()},
            {"name": "subscription_id", "datatype": dbt.type_string()},
            {"name": "created", "datatype": dbt.type_timestamp()},
            {"name": "currency", "datatype": dbt.type_string()},
            {"name": "number", "datatype": dbt.type_string()},
            {"name": "status", "datatype": dbt.type_string()},
            {"name": "billing_reason", "datatype": dbt.type_string()},
            {"name": "subtotal", "datatype": dbt.type_bigint()},
            {"name": "total", "datatype": dbt.type_bigint()},
            {"name": "amount_due", "datatype": dbt.type_bigint()},
            {"name": "amount_paid", "datatype": dbt.type_bigint()},
            {"name": "period_start", "datatype": dbt.type_timestamp()},
            {"name": "period_end", "datatype": dbt.type_timestamp()},
            {"name": "due_date", "datatype": dbt.type_timestamp()},
            {"name": "is_deleted", "datatype": dbt.type_boolean()},
        ] + provenance_columns()) }}
    from {{ source('stripe', 'invoice') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as invoice_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(subscription_id as {{ dbt.type_string() }}) as subscription_id,
        number as invoice_number,
        lower(status) as status,
        billing_reason,
        upper(currency) as currency,
        {{ minor_units_to_amount('subtotal', 'currency') }} as subtotal,
        {{ minor_units_to_amount('total', 'currency') }} as total,
        {{ minor_units_to_amount('amount_due', 'currency') }} as amount_due,
        {{ minor_units_to_amount('amount_paid', 'currency') }} as amount_paid,
        coalesce(is_deleted, false) as is_deleted,
        cast(created as {{ dbt.type_timestamp() }}) as created_at,
        cast(period_start as {{ dbt.type_timestamp() }}) as period_started_at,
        cast(period_end as {{ dbt.type_timestamp() }}) as period_ended_at,
        cast(due_date as {{ dbt.type_timestamp() }}) as due_at,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from latest
)

select * from final
