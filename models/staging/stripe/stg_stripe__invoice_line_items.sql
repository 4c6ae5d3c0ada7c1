with

source as (
    select
        {{ fill_staging_columns(source('stripe', 'invoice_line_item'), [
            {"name": "id", "datatype": dbt.type_string()},
            {"name": "invoice_id", "datatype": dbt.type_string()},
            {"name": "amount", "datatype": dbt.type_bigint()},
            {"name": "discount_amount", "datatype": dbt.type_bigint()},
            {"name": "currency", "datatype": dbt.type_string()},
            {"name": "description", "datatype": dbt.type_string()},
            {"name": "period_start", "datatype": dbt.type_timestamp()},
            {"name": "period_end", "datatype": dbt.type_timestamp()},
            {"name": "plan_id", "datatype": dbt.type_string()},
            {"name": "proration", "datatype": dbt.type_boolean()},
            {"name": "quantity", "datatype": dbt.type_bigint()},
            {"name": "subscription_id", "datatype": dbt.type_string()},
            {"name": "subscription_item_id", "datatype": dbt.type_string()},
            {"name": "type", "datatype": dbt.type_string()},
        ] + provenance_columns()) }}
    from {{ source('stripe', 'invoice_line_item') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as invoice_line_item_id,
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(subscription_id as {{ dbt.type_string() }}) as subscription_id,
        cast(subscription_item_id as {{ dbt.type_string() }}) as subscription_item_id,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        lower(type) as line_type,
        description,
        quantity,
        upper(currency) as currency,
        {{ minor_units_to_amount('amount', 'currency') }} as amount,
        {{ minor_units_to_amount('coalesce(discount_amount, 0)', 'currency') }} as discount_amount,
        {{ minor_units_to_amount('amount - coalesce(discount_amount, 0)', 'currency') }} as net_amount,
        coalesce(proration, false) as is_proration,
        false as is_deleted,
        cast(period_start as {{ dbt.type_timestamp() }}) as period_started_at,
        cast(period_end as {{ dbt.type_timestamp() }}) as period_ended_at,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from latest
)

select * from final
