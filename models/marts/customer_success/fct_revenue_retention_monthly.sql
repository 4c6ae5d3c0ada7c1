{#-
    Trailing-twelve-month revenue retention per month (docs/metrics.md#ttm-retention): the customers
    with MRR > 0 twelve months earlier, their MRR then (base) and now (0 when gone); NRR = current /
    base, GRR = sum(min(current, base)) / base. Months with a full twelve-month look-back, up to the
    as-of month. Money is summed as decimal(18, 2) so the ratios do not depend on summation order.
-#}
with

customer_mrr as (
    select * from {{ ref('int_customer_months_classified') }}
),

months as (
    select cast(spine.date_month as date) as month_start
    from ({{ date_spine('month', dbt.dateadd('month', 12, '(select min(month_start) from customer_mrr)'), dbt.date_trunc('month', as_of_date())) }}) as spine
),

base as (
    select
        months.month_start,
        customer_mrr.customer_id,
        cast(customer_mrr.mrr_usd as decimal(18, 2)) as base_mrr_usd
    from months
    inner join customer_mrr
        on customer_mrr.month_start = cast({{ dbt.dateadd('month', -12, 'months.month_start') }} as date)
    where customer_mrr.mrr_usd > 0
),

compared as (
    select
        base.month_start,
        base.customer_id,
        base.base_mrr_usd,
        cast(coalesce(current_mrr.mrr_usd, 0) as decimal(18, 2)) as current_mrr_usd
    from base
    left join customer_mrr as current_mrr
        on base.customer_id = current_mrr.customer_id
        and base.month_start = current_mrr.month_start
),

aggregated as (
    select
        month_start,
        cast(count(*) as {{ dbt.type_bigint() }}) as base_customers,
        cast(sum(case when current_mrr_usd > 0 then 1 else 0 end) as {{ dbt.type_bigint() }}) as retained_customers,
        sum(base_mrr_usd) as base_mrr_usd,
        sum(current_mrr_usd) as current_mrr_usd,
        sum(case when current_mrr_usd < base_mrr_usd then current_mrr_usd else base_mrr_usd end) as retained_mrr_usd
    from compared
    group by 1
),

final as (
    select
        months.month_start,
        cast({{ dbt.dateadd('month', -12, 'months.month_start') }} as date) as base_month_start,
        coalesce(aggregated.base_customers, 0) as base_customers,
        coalesce(aggregated.retained_customers, 0) as retained_customers,
        coalesce(aggregated.base_mrr_usd, 0) as base_mrr_usd,
        coalesce(aggregated.current_mrr_usd, 0) as current_mrr_usd,
        coalesce(aggregated.retained_mrr_usd, 0) as retained_mrr_usd,
        cast(aggregated.current_mrr_usd as {{ type_double() }})
            / nullif(cast(aggregated.base_mrr_usd as {{ type_double() }}), 0) as net_revenue_retention,
        cast(aggregated.retained_mrr_usd as {{ type_double() }})
            / nullif(cast(aggregated.base_mrr_usd as {{ type_double() }}), 0) as gross_revenue_retention
    from months
    left join aggregated
        on months.month_start = aggregated.month_start
)

select * from final
