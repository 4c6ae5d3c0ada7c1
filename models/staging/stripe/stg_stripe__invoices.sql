{{ config(unique_key='invoice_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('stripe', 'invoice'),
            get_stripe_invoice_columns() + provenance_columns() + pass_through_columns('stripe', 'invoice')
        ) }}
    from {{ source('stripe', 'invoice') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as invoice_id,
        customer_id,
        subscription_id,
        number as invoice_number,
        lower(status) as status,
        billing_reason,
        upper(currency) as currency,
        {{ minor_units_to_amount('subtotal', 'currency') }} as subtotal,
        {{ minor_units_to_amount('total', 'currency') }} as total,
        {{ minor_units_to_amount('amount_due', 'currency') }} as amount_due,
        {{ minor_units_to_amount('amount_paid', 'currency') }} as amount_paid,
        coalesce(is_deleted, false) as is_deleted,
        created as created_at,
        period_start as period_started_at,
        period_end as period_ended_at,
        due_date as due_at,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('stripe', 'invoice') }}
    from latest
)

select * from final
