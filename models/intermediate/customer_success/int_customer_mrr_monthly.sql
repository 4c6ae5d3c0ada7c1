{#-
    Customer MRR per month on a month spine, with its movement (docs/metrics.md#mrr): from the
    first active month to the last active month, plus the churn month (the month after the last
    active month) unless it is after the as-of month.
-#}
with

mrr_lines as (
    select * from {{ ref('int_subscription_mrr_lines') }}
),

bounds as (
    select
        {{ dbt.date_trunc('month', 'min(period_start_date)') }} as first_month,
        {{ dbt.date_trunc('month', as_of_date()) }} as as_of_month
    from mrr_lines
),

months as (
    select
        cast(spine.date_month as date) as month_start,
        cast({{ dbt.last_day('spine.date_month', 'month') }} as date) as month_end
    from ({{ date_spine('month', '(select first_month from bounds)', '(select as_of_month from bounds)') }}) as spine
),

line_months as (
    {#- A line covers a month when period_start <= last day of month < period_end. -#}
    select
        mrr_lines.customer_id,
        months.month_start,
        mrr_lines.mrr_usd
    from mrr_lines
    inner join months
        on mrr_lines.period_start_date <= months.month_end
        and months.month_end < mrr_lines.period_end_date
    where mrr_lines.customer_id is not null
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
        months.month_start
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
        {{ round_half('coalesce(active_months.mrr_usd, 0)', 2) }} as mrr_usd
    from customer_months
    left join active_months
        on customer_months.customer_id = active_months.customer_id
        and customer_months.month_start = active_months.month_start
),

with_previous as (
    select
        *,
        coalesce(lag(mrr_usd) over (partition by customer_id order by month_start), 0) as previous_mrr_usd,
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
        mrr_usd - previous_mrr_usd as mrr_change_usd,
        case
            when mrr_usd > 0 and previous_mrr_usd = 0 and not was_active_before then 'new'
            when mrr_usd > 0 and previous_mrr_usd = 0 and was_active_before then 'reactivation'
            when mrr_usd = 0 and previous_mrr_usd > 0 then 'churn'
            when mrr_usd > previous_mrr_usd then 'expansion'
            when mrr_usd < previous_mrr_usd then 'contraction'
            else 'unchanged'
        end as mrr_movement
    from with_previous
)

select * from final
