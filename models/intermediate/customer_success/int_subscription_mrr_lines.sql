{#- One row per subscription invoice line with the MRR it contributes (docs/metrics.md#mrr). -#}
with

line_items as (
    select * from {{ ref('stg_stripe__invoice_line_items') }}
),

invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
),

subscriptions as (
    select * from {{ ref('stg_stripe__subscriptions') }}
),

plans as (
    select * from {{ ref('stg_stripe__plans') }}
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
),

subscription_lines as (
    select
        line_items.invoice_line_item_id,
        line_items.invoice_id,
        coalesce(line_items.subscription_id, invoices.subscription_id) as subscription_id,
        invoices.customer_id as invoice_customer_id,
        line_items.subscription_item_id,
        line_items.plan_id,
        line_items.quantity,
        line_items.currency,
        line_items.net_amount,
        cast(line_items.period_started_at as date) as period_start_date,
        cast(line_items.period_ended_at as date) as period_end_date
    from line_items
    left join invoices
        on line_items.invoice_id = invoices.invoice_id
    where line_items.line_type = 'subscription'
        and not line_items.is_deleted
        and not coalesce(invoices.is_deleted, false)
),

with_interval as (
    select
        subscription_lines.*,
        coalesce(
            plans.interval_months,
            {{ dbt.datediff('subscription_lines.period_start_date', 'subscription_lines.period_end_date', 'month') }}
        ) as interval_months
    from subscription_lines
    left join plans
        on subscription_lines.plan_id = plans.plan_id
),

final as (
    select
        with_interval.invoice_line_item_id,
        with_interval.invoice_id,
        with_interval.subscription_id,
        coalesce(subscriptions.customer_id, with_interval.invoice_customer_id) as customer_id,
        with_interval.subscription_item_id,
        with_interval.plan_id,
        with_interval.quantity,
        with_interval.currency,
        with_interval.net_amount,
        with_interval.interval_months,
        with_interval.net_amount / with_interval.interval_months as mrr,
        with_interval.net_amount * fx_rates.rate_to_usd / with_interval.interval_months as mrr_usd,
        with_interval.period_start_date,
        with_interval.period_end_date
    from with_interval
    left join subscriptions
        on with_interval.subscription_id = subscriptions.subscription_id
    left join fx_rates
        on with_interval.currency = fx_rates.currency
)

select * from final
