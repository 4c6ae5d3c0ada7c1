{#-
    One row per billing customer (Stripe customer with its Salesforce account), with first
    closed-won date, CS owner, cohort month, current MRR and lifecycle status as of the as-of month
    (docs/metrics.md#lifecycle), tested in this order:
    churned (current MRR 0) > onboarding (first active month within the last 3 months, or no
    onboarding kickoff yet) > reactivated (a reactivation in the last 12 months) > at_risk (an
    upcoming term end recommended for downgrade, or a contraction in the last 3 months) > active.
-#}
with

customer_accounts as (
    select * from {{ ref('int_stripe_customers_matched') }}
),

stripe_customers as (
    select * from {{ ref('stg_stripe__customers') }}
),

customer_mrr as (
    select * from {{ ref('int_customer_months_classified') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

onboarding as (
    select * from {{ ref('fct_onboarding') }}
),

renewal_outlook as (
    select * from {{ ref('fct_renewal_outlook') }}
),

as_of as (
    select cast({{ dbt.date_trunc('month', as_of_date()) }} as date) as as_of_month
),

customer_history as (
    select
        customer_mrr.customer_id,
        min(customer_mrr.first_active_month) as cohort_month,
        max(case when customer_mrr.month_start = as_of.as_of_month then customer_mrr.mrr_usd end) as current_mrr_usd,
        max(case when customer_mrr.mrr_movement = 'reactivation'
            and customer_mrr.month_start > {{ dbt.dateadd('month', -12, 'as_of.as_of_month') }} then 1 else 0 end) as has_recent_reactivation,
        max(case when customer_mrr.mrr_movement = 'contraction'
            and customer_mrr.month_start > {{ dbt.dateadd('month', -3, 'as_of.as_of_month') }} then 1 else 0 end) as has_recent_contraction
    from customer_mrr
    cross join as_of
    group by 1
),

kickoffs as (
    select
        stripe_customer_id as customer_id,
        min(kickoff_at) as first_kickoff_at
    from onboarding
    where stripe_customer_id is not null
    group by 1
),

downgrade_risks as (
    select distinct customer_id
    from renewal_outlook
    where recommendation = 'downgrade'
),

final as (
    select
        customer_accounts.customer_id,
        customer_accounts.account_id,
        customer_accounts.match_rule as account_match_rule,
        coalesce(accounts.account_name, stripe_customers.customer_name) as customer_name,
        accounts.segment,
        accounts.customer_success_manager_id as cs_owner_id,
        accounts.first_closed_won_date,
        customer_history.cohort_month,
        coalesce(customer_history.current_mrr_usd, 0) as current_mrr_usd,
        case
            when customer_history.customer_id is null then 'onboarding'
            when coalesce(customer_history.current_mrr_usd, 0) = 0 then 'churned'
            when customer_history.cohort_month > {{ dbt.dateadd('month', -3, 'as_of.as_of_month') }}
                or (accounts.first_closed_won_date is not null and kickoffs.first_kickoff_at is null) then 'onboarding'
            when customer_history.has_recent_reactivation = 1 then 'reactivated'
            when downgrade_risks.customer_id is not null or customer_history.has_recent_contraction = 1 then 'at_risk'
            else 'active'
        end as lifecycle_status,
        customer_accounts.is_deleted,
        customer_accounts.created_at
    from customer_accounts
    cross join as_of
    inner join stripe_customers
        on customer_accounts.customer_id = stripe_customers.customer_id
    left join customer_history
        on customer_accounts.customer_id = customer_history.customer_id
    left join accounts
        on customer_accounts.account_id = accounts.account_id
    left join kickoffs
        on customer_accounts.customer_id = kickoffs.customer_id
    left join downgrade_risks
        on customer_accounts.customer_id = downgrade_risks.customer_id
)

select * from final
