{#-
    One row per Salesforce account (docs/metrics.md#identity): firmographics, owners, the Stripe
    billing customer linked to it (int_stripe_customer_accounts) and its customer status as of the as-of date.
-#}
with

accounts as (
    select * from {{ ref('stg_salesforce__accounts') }}
),

customer_accounts as (
    select * from {{ ref('int_stripe_customer_accounts') }} where not is_deleted and account_id is not null
),

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }} where not is_deleted
),

customer_mrr as (
    select * from {{ ref('int_customer_mrr_monthly') }}
),

linked_customers as (
    select
        account_id,
        min(customer_id) as stripe_customer_id,
        min(match_rule) as stripe_match_rule
    from customer_accounts
    group by 1
),

first_wins as (
    select
        account_id,
        min(close_date) as first_closed_won_date
    from opportunities
    where is_won and opportunity_type = 'New Business'
    group by 1
),

current_mrr as (
    select
        customer_id,
        mrr_usd
    from customer_mrr
    where month_start = {{ dbt.date_trunc('month', as_of_date()) }}
),

final as (
    select
        accounts.account_id,
        accounts.account_name,
        accounts.website_domain,
        accounts.industry,
        accounts.segment,
        accounts.billing_country,
        accounts.number_of_employees,
        accounts.owner_id as account_owner_id,
        accounts.customer_success_manager_id,
        linked_customers.stripe_customer_id,
        linked_customers.stripe_match_rule,
        first_wins.first_closed_won_date,
        coalesce(current_mrr.mrr_usd, 0) as current_mrr_usd,
        coalesce(current_mrr.mrr_usd, 0) > 0 as is_current_customer,
        accounts.is_deleted,
        accounts.created_at
    from accounts
    left join linked_customers
        on accounts.account_id = linked_customers.account_id
    left join first_wins
        on accounts.account_id = first_wins.account_id
    left join current_mrr
        on linked_customers.stripe_customer_id = current_mrr.customer_id
)

select * from final
