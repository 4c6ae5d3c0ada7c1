{{
    config(
        materialized='incremental' if incremental_supported() else 'table',
        unique_key='customer_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook=["{{ delete_key_markers('customer_month_id') }}"] if incremental_supported() else []
    )
}}
{#-
    Customer MRR per month on a month spine, with its movement (docs/metrics.md#mrr): from the
    first active month to the last active month, plus the churn month (the month after the last
    active month) unless it is after the as-of month. A month is measured on its measuring day, the
    earlier of its last day and the as-of date, from the invoice lines covering that day: the
    as-of month of a mid-month run counts the subscriptions live on the as-of date.
    measured_on is the month's measuring day.
    Incremental (docs/decisions.md#incremental-models): a run rebuilds every month of the affected
    customers (delete+insert on customer_id): those with a billing record synced
    (int_subscription_lines_normalized.customer_synced_at) after the previous build's as-of date (the
    latest built measured_on) minus var('incremental_lookback_days'); those with a line ending in or
    after the latest built month
    (their months up to the as-of date are measured on it, and a month that was current at the
    previous build is measured again); and those with no line left (marker rows,
    macros/incremental_helpers.sql). A full refresh gives the same table.
-#}
with

mrr_lines as (
    select * from {{ ref('int_subscription_lines_normalized') }}
),

bounds as (
    select
        {{ dbt.date_trunc('month', 'min(period_start_date)') }} as first_month,
        {{ dbt.date_trunc('month', as_of_date()) }} as as_of_month
    from mrr_lines
),

{% if is_incremental() %}
built as (
    select
        max(month_start) as built_month,
        max(measured_on) as built_as_of
    from {{ this }}
),

affected as (
    select mrr_lines.customer_id
    from mrr_lines
    cross join built
    where mrr_lines.customer_id is not null
        and (
            mrr_lines.customer_synced_at > {{ dbt.dateadd('day', -1 * var('incremental_lookback_days'), 'built.built_as_of') }}
            or mrr_lines.period_end_date >= built.built_month
        )
    union
    select built_customers.customer_id
    from {{ this }} as built_customers
    where not exists (
        select 1 from mrr_lines
        where mrr_lines.customer_id = built_customers.customer_id
    )
),
{% endif %}

months as (
    select
        cast(spine.date_month as date) as month_start,
        cast({{ dbt.last_day('spine.date_month', 'month') }} as date) as month_end,
        case
            when cast({{ dbt.last_day('spine.date_month', 'month') }} as date) > {{ as_of_date() }} then {{ as_of_date() }}
            else cast({{ dbt.last_day('spine.date_month', 'month') }} as date)
        end as measured_on
    from ({{ date_spine('month', '(select first_month from bounds)', '(select as_of_month from bounds)') }}) as spine
),

line_months as (
    {#- A line covers a month when period_start <= measuring day < period_end and its subscription
        has not ended by the measuring day (ended subscriptions never count, whatever was billed). -#}
    select
        mrr_lines.customer_id,
        months.month_start,
        mrr_lines.mrr_usd
    from mrr_lines
    inner join months
        on mrr_lines.period_start_date <= months.measured_on
        and months.measured_on < mrr_lines.period_end_date
        and (mrr_lines.subscription_ended_date is null or months.measured_on < mrr_lines.subscription_ended_date)
    where mrr_lines.customer_id is not null
    {% if is_incremental() %}
        and mrr_lines.customer_id in (select affected.customer_id from affected)
    {% endif %}
),

active_months as (
    select
        customer_id,
        month_start,
        sum(mrr_usd) as mrr_usd
    from line_months
    group by 1, 2
),

customer_bounds as (
    select
        customer_id,
        min(month_start) as first_active_month,
        max(month_start) as last_active_month
    from active_months
    where mrr_usd > 0
    group by 1
),

customer_months as (
    select
        customer_bounds.customer_id,
        customer_bounds.first_active_month,
        months.month_start,
        months.measured_on
    from customer_bounds
    inner join months
        on months.month_start >= customer_bounds.first_active_month
        and months.month_start <= {{ dbt.dateadd('month', 1, 'customer_bounds.last_active_month') }}
),

with_mrr as (
    select
        customer_months.customer_id,
        customer_months.month_start,
        customer_months.first_active_month,
        customer_months.measured_on,
        cast(coalesce(active_months.mrr_usd, 0) as {{ type_money() }}) as mrr_usd
    from customer_months
    left join active_months
        on customer_months.customer_id = active_months.customer_id
        and customer_months.month_start = active_months.month_start
),

with_previous as (
    select
        *,
        cast(coalesce(lag(mrr_usd) over (partition by customer_id order by month_start), 0) as {{ type_money() }}) as previous_mrr_usd,
        coalesce(
            max(case when mrr_usd > 0 then 1 else 0 end) over (
                partition by customer_id order by month_start rows between unbounded preceding and 1 preceding
            ),
            0
        ) = 1 as was_active_before
    from with_mrr
),

final as (
    select
        {{ generate_surrogate_key(['customer_id', 'month_start']) }} as customer_month_id,
        customer_id,
        month_start,
        first_active_month,
        mrr_usd,
        previous_mrr_usd,
        cast(mrr_usd - previous_mrr_usd as {{ type_money() }}) as mrr_change_usd,
        case
            when mrr_usd > 0 and previous_mrr_usd = 0 and not was_active_before then 'new'
            when mrr_usd > 0 and previous_mrr_usd = 0 and was_active_before then 'reactivation'
            when mrr_usd = 0 and previous_mrr_usd > 0 then 'churn'
            when mrr_usd > previous_mrr_usd then 'expansion'
            when mrr_usd < previous_mrr_usd then 'contraction'
            else 'unchanged'
        end as mrr_movement,
        measured_on
    from with_previous
)

select * from final
{% if is_incremental() %}
union all
{{ affected_key_markers('customer_id', 'affected') }}
{% endif %}
