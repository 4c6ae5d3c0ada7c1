{#- One row per customer and month (docs/metrics.md#mrr): MRR in USD, previous MRR, change and movement. -#}
with

customer_mrr as (
    select * from {{ ref('int_customer_months_classified') }}
),

customer_accounts as (
    select * from {{ ref('int_stripe_customers_matched') }}
),

final as (
    select
        customer_mrr.customer_month_id,
        customer_mrr.customer_id,
        customer_accounts.account_id,
        customer_mrr.month_start,
        customer_mrr.first_active_month as cohort_month,
        customer_mrr.mrr_usd,
        customer_mrr.previous_mrr_usd,
        customer_mrr.mrr_change_usd,
        customer_mrr.mrr_movement
    from customer_mrr
    left join customer_accounts
        on customer_mrr.customer_id = customer_accounts.customer_id
)

select * from final
