{{
    config(
        materialized='incremental' if incremental_supported() else 'table',
        unique_key='customer_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook=["{{ delete_null_key_rows('customer_id') }}"] if incremental_supported() else [],
        post_hook=["{{ delete_key_markers('invoice_line_item_id') }}"] if incremental_supported() else []
    )
}}
{#-
    One row per subscription invoice line with the MRR it contributes (docs/metrics.md#mrr): the
    net amount x periods_per_year / (12 x interval_count) of the plan's interval
    (seeds/billing_intervals.csv: day, week, month, year), rounded to the cent as fixed-point money.
    A line without a plan is normalised by the months its period spans.
    customer_synced_at is the latest sync of any billing record (line, invoice, subscription, plan)
    of any of the customer's lines, deleted ones included.
    Incremental (docs/decisions.md#incremental-models): a run rebuilds every line of the affected
    customers (delete+insert on customer_id): those with a billing record synced after the latest
    built customer_synced_at minus var('incremental_lookback_days'), and both the old and the new
    customer of a line whose customer changed; lines without a customer are always rebuilt
    (pre-hook). A customer whose every line is now deleted loses its rows (marker rows,
    macros/incremental_helpers.sql).
    A full refresh gives the same table.
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

-- every line, deleted ones included, with its customer and the syncs of the records it depends on
all_lines as (
    select
        line_items.invoice_line_item_id,
        line_items.invoice_id,
        coalesce(line_items.subscription_id, invoices.subscription_id) as subscription_id,
        coalesce(subscriptions.customer_id, invoices.customer_id) as customer_id,
        line_items.subscription_item_id,
        line_items.plan_id,
        line_items.quantity,
        line_items.currency,
        line_items.net_amount,
        line_items.period_started_at,
        line_items.period_ended_at,
        subscriptions.ended_at as subscription_ended_at,
        line_items.line_type,
        line_items.is_deleted,
        coalesce(invoices.is_deleted, false) as is_invoice_deleted,
        line_items.synced_at as line_synced_at,
        invoices.synced_at as invoice_synced_at,
        subscriptions.synced_at as subscription_synced_at,
        plans.synced_at as plan_synced_at
    from line_items
    left join invoices
        on line_items.invoice_id = invoices.invoice_id
    left join subscriptions
        on coalesce(line_items.subscription_id, invoices.subscription_id) = subscriptions.subscription_id
    left join plans
        on line_items.plan_id = plans.plan_id
),

customer_syncs as (
    {#- greatest skips nulls on DuckDB, PostgreSQL and Spark: null only when all four are -#}
    select
        customer_id,
        greatest(
            max(line_synced_at), max(invoice_synced_at), max(subscription_synced_at), max(plan_synced_at)
        ) as customer_synced_at
    from all_lines
    where customer_id is not null
    group by customer_id
),

{% if is_incremental() %}
built as (
    select
        {{ dbt.dateadd('day', -1 * var('incremental_lookback_days'), 'max(customer_synced_at)') }} as window_start
    from {{ this }}
),

-- stored lines whose customer is now another one, or none (null-customer rows were deleted by the pre-hook)
moved_lines as (
    select
        built_lines.customer_id as old_customer_id,
        all_lines.customer_id as new_customer_id
    from {{ this }} as built_lines
    inner join all_lines
        on built_lines.invoice_line_item_id = all_lines.invoice_line_item_id
    where all_lines.customer_id is null or built_lines.customer_id <> all_lines.customer_id
),

affected as (
    -- a billing record of the customer synced within the lookback window
    select customer_syncs.customer_id
    from customer_syncs
    cross join built
    where customer_syncs.customer_synced_at > built.window_start
    union
    -- a line whose customer changed: its old and its new customer
    select old_customer_id from moved_lines
    union
    select new_customer_id from moved_lines
),
{% endif %}

subscription_lines as (
    select
        invoice_line_item_id,
        invoice_id,
        subscription_id,
        customer_id,
        subscription_item_id,
        plan_id,
        quantity,
        currency,
        cast(net_amount as {{ type_money() }}) as net_amount,
        cast(period_started_at as date) as period_start_date,
        cast(period_ended_at as date) as period_end_date,
        cast(subscription_ended_at as date) as subscription_ended_date
    from all_lines
    where line_type = 'subscription'
        and not is_deleted
        and not is_invoice_deleted
    {% if is_incremental() %}
        and (customer_id is null or customer_id in (select affected.customer_id from affected))
    {% endif %}
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
        with_interval.customer_id,
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
        with_interval.subscription_ended_date,
        customer_syncs.customer_synced_at
    from with_interval
    left join customer_syncs
        on with_interval.customer_id = customer_syncs.customer_id
    left join fx_rates
        on with_interval.currency = fx_rates.currency
)

select * from final
{% if is_incremental() %}
union all
{{ affected_key_markers('customer_id', 'affected') }}
{% endif %}
