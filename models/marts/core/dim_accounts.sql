{#-
    One row per Salesforce account (docs/metrics.md#identity): firmographics, owners, the HubSpot
    company and Stripe billing customer matched to it (int_accounts_linked), its first won new business
    deal (deal_category, docs/metrics.md#deal-categories) and its customer status as of the as-of date.
-#}
with

accounts as (
    select * from {{ ref('int_accounts_linked') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_enriched') }} where not is_deleted
),

customer_mrr as (
    select * from {{ ref('int_customer_months_classified') }}
),

first_wins as (
    select
        account_id,
        min(close_date) as first_closed_won_date
    from opportunities
    where is_won and deal_category = 'new_business'
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
        accounts.account_type,
        accounts.owner_id as account_owner_id,
        accounts.customer_success_manager_id,
        accounts.hubspot_company_id,
        accounts.stripe_customer_id,
        accounts.stripe_match_rule,
        first_wins.first_closed_won_date,
        coalesce(current_mrr.mrr_usd, 0) as current_mrr_usd,
        coalesce(current_mrr.mrr_usd, 0) > 0 as is_current_customer,
        accounts.is_deleted,
        accounts.created_at
    from accounts
    left join first_wins
        on accounts.account_id = first_wins.account_id
    left join current_mrr
        on accounts.stripe_customer_id = current_mrr.customer_id
)

select * from final
