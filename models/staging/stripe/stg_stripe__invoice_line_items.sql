{{ config(unique_key='invoice_line_item_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('stripe', 'invoice_line_item'),
            get_stripe_invoice_line_item_columns() + provenance_columns() + pass_through_columns('stripe', 'invoice_line_item')
        ) }}
    from {{ source('stripe', 'invoice_line_item') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as invoice_line_item_id,
        invoice_id,
        subscription_id,
        subscription_item_id,
        plan_id,
        lower(type) as line_type,
        description,
        quantity,
        upper(currency) as currency,
        {{ minor_units_to_amount('amount', 'currency') }} as amount,
        {{ minor_units_to_amount('coalesce(discount_amount, 0)', 'currency') }} as discount_amount,
        {{ minor_units_to_amount('amount - coalesce(discount_amount, 0)', 'currency') }} as net_amount,
        coalesce(proration, false) as is_proration,
        false as is_deleted,
        period_start as period_started_at,
        period_end as period_ended_at,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('stripe', 'invoice_line_item') }}
    from latest
)

select * from final
