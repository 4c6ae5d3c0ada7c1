{#-
    One row per subscription invoice line with the MRR it contributes (docs/metrics.md#mrr): the
    net amount x periods_per_year / (12 x interval_count) of the plan's interval
    (seeds/billing_intervals.csv: day, week, month, year), rounded to the cent as fixed-point money.
    A line without a plan is normalised by the months its period spans.
-#}
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

billing_intervals as (
    select * from {{ ref('billing_intervals') }}
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
        cast(line_items.net_amount as {{ type_money() }}) as net_amount,
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
    {#- MRR = net amount x mrr_multiplier / mrr_divisor; both integers, so the division is exact. -#}
    select
        subscription_lines.*,
        plans.billing_interval,
        plans.interval_count,
        case
            when plans.plan_id is null then 1
            else billing_intervals.periods_per_year
        end as mrr_multiplier,
        case
            when plans.plan_id is null
                then nullif({{ dbt.datediff('subscription_lines.period_start_date', 'subscription_lines.period_end_date', 'month') }}, 0)
            else 12 * plans.interval_count
        end as mrr_divisor
    from subscription_lines
    left join plans
        on subscription_lines.plan_id = plans.plan_id
    left join billing_intervals
        on plans.billing_interval = billing_intervals.billing_interval
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
        with_interval.billing_interval,
        with_interval.interval_count,
        with_interval.mrr_multiplier,
        with_interval.mrr_divisor,
        {{ money_divide('with_interval.net_amount', 'with_interval.mrr_multiplier', 'with_interval.mrr_divisor') }} as mrr,
        {{ money_divide(
            'with_interval.net_amount * cast(fx_rates.rate_to_usd as ' ~ api.Column.numeric_type('decimal', 18, 6) ~ ')',
            'with_interval.mrr_multiplier',
            'with_interval.mrr_divisor'
        ) }} as mrr_usd,
        with_interval.period_start_date,
        with_interval.period_end_date,
        cast(subscriptions.ended_at as date) as subscription_ended_date
    from with_interval
    left join subscriptions
        on with_interval.subscription_id = subscriptions.subscription_id
    left join fx_rates
        on with_interval.currency = fx_rates.currency
)

select * from final
