{#-
    Logo churn per month and customer segment (docs/metrics.md#logo-churn): customers active at the
    start of the month (MRR > 0 the month before), customers churned in the month (movement churn),
    new and reactivated customers, and logo churn rate = churned / active at start. Customers without a
    segment are counted under var('unknown_segment', 'unknown').
-#}
with

customer_mrr as (
    select * from {{ ref('int_customer_months_classified') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

segmented as (
    select
        customer_mrr.month_start,
        coalesce(customers.segment, '{{ var("unknown_segment", "unknown") }}') as segment,
        customer_mrr.previous_mrr_usd,
        customer_mrr.mrr_usd,
        customer_mrr.mrr_movement
    from customer_mrr
    left join customers
        on customer_mrr.customer_id = customers.customer_id
),

aggregated as (
    select
        month_start,
        segment,
        cast(sum(case when previous_mrr_usd > 0 then 1 else 0 end) as {{ dbt.type_bigint() }}) as customers_at_start,
        cast(sum(case when mrr_movement = 'churn' then 1 else 0 end) as {{ dbt.type_bigint() }}) as churned_customers,
        cast(sum(case when mrr_movement = 'new' then 1 else 0 end) as {{ dbt.type_bigint() }}) as new_customers,
        cast(sum(case when mrr_movement = 'reactivation' then 1 else 0 end) as {{ dbt.type_bigint() }}) as reactivated_customers,
        cast(sum(case when mrr_usd > 0 then 1 else 0 end) as {{ dbt.type_bigint() }}) as customers_at_end
    from segmented
    group by 1, 2
),

final as (
    select
        {{ generate_surrogate_key(['month_start', 'segment']) }} as month_segment_id,
        month_start,
        segment,
        customers_at_start,
        churned_customers,
        new_customers,
        reactivated_customers,
        customers_at_end,
        cast(churned_customers as {{ type_double() }}) / nullif(customers_at_start, 0) as logo_churn_rate
    from aggregated
)

select * from final
