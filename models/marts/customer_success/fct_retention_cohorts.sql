{#-
    Per cohort month (first active MRR month) and months since start (docs/metrics.md#retention):
    starting customers and MRR, customers still active, logo retention, gross revenue retention
    (sum of min(current, starting) / starting) and net revenue retention (sum of current /
    starting), churned customers counting 0. Months up to the as-of month. Money is summed as
    fixed-point numerics and each ratio is one division of exact sums (8-byte double), so two builds
    of the same data give identical figures.
-#}
with

customer_mrr as (
    select * from {{ ref('int_customer_months_classified') }}
),

starting as (
    select
        customer_id,
        month_start as cohort_month,
        mrr_usd as starting_mrr_usd
    from customer_mrr
    where month_start = first_active_month
),

cohort_months as (
    select
        cohort_month,
        count(*) as starting_customers,
        cast(sum(starting_mrr_usd) as {{ type_money() }}) as starting_mrr_usd
    from starting
    group by 1
),

months as (
    select cast(date_month as date) as month_start
    from ({{ date_spine('month', '(select min(cohort_month) from cohort_months)', dbt.date_trunc('month', as_of_date())) }}) as spine
),

customer_grid as (
    select
        starting.customer_id,
        starting.cohort_month,
        starting.starting_mrr_usd,
        months.month_start,
        cast({{ dbt.datediff('starting.cohort_month', 'months.month_start', 'month') }} as {{ dbt.type_bigint() }}) as months_since_start,
        cast(coalesce(customer_mrr.mrr_usd, 0) as {{ type_money() }}) as current_mrr_usd
    from starting
    inner join months
        on months.month_start >= starting.cohort_month
    left join customer_mrr
        on starting.customer_id = customer_mrr.customer_id
        and months.month_start = customer_mrr.month_start
),

aggregated as (
    select
        cohort_month,
        months_since_start,
        min(month_start) as month_start,
        cast(sum(case when current_mrr_usd > 0 then 1 else 0 end) as {{ dbt.type_bigint() }}) as active_customers,
        cast(sum(current_mrr_usd) as {{ type_money() }}) as current_mrr_usd,
        cast(sum(case when current_mrr_usd < starting_mrr_usd then current_mrr_usd else starting_mrr_usd end)
            as {{ type_money() }}) as retained_mrr_usd
    from customer_grid
    group by 1, 2
),

final as (
    select
        {{ generate_surrogate_key(['aggregated.cohort_month', 'aggregated.months_since_start']) }} as cohort_period_id,
        aggregated.cohort_month,
        aggregated.months_since_start,
        aggregated.month_start,
        cohort_months.starting_customers,
        aggregated.active_customers,
        cohort_months.starting_mrr_usd,
        aggregated.current_mrr_usd,
        aggregated.retained_mrr_usd,
        cast(aggregated.active_customers as {{ type_double() }})
            / cast(cohort_months.starting_customers as {{ type_double() }}) as logo_retention,
        cast(aggregated.retained_mrr_usd as {{ type_double() }})
            / cast(nullif(cohort_months.starting_mrr_usd, 0) as {{ type_double() }}) as gross_revenue_retention,
        cast(aggregated.current_mrr_usd as {{ type_double() }})
            / cast(nullif(cohort_months.starting_mrr_usd, 0) as {{ type_double() }}) as net_revenue_retention
    from aggregated
    inner join cohort_months
        on aggregated.cohort_month = cohort_months.cohort_month
)

select * from final
