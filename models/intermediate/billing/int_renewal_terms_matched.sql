{#-
    One row per subscription term end with its renewal opportunity, the customer's account and
    CSM, and the renewal window (docs/metrics.md#renewals, #handoffs).
-#}
{%- set renewal_window_days = var('renewal_window_days', 120) -%}
with

subscription_terms as (
    select * from {{ ref('int_subscription_terms_derived') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_enriched') }} where not is_deleted
),

accounts as (
    select * from {{ ref('stg_salesforce__accounts') }}
),

customer_accounts as (
    select * from {{ ref('int_stripe_customers_matched') }}
),

renewal_opportunities as (
    select
        stripe_subscription_id as subscription_id,
        term_end_date,
        opportunity_id,
        owner_id,
        created_at,
        close_date,
        is_closed,
        is_won,
        row_number() over (
            partition by stripe_subscription_id, term_end_date order by created_at, opportunity_id
        ) as opportunity_rank
    from opportunities
    where deal_category = 'renewal'
        and stripe_subscription_id is not null
),

final as (
    select
        subscription_terms.subscription_term_id,
        subscription_terms.subscription_id,
        subscription_terms.customer_id,
        customer_accounts.account_id,
        accounts.customer_success_manager_id,
        subscription_terms.term_number,
        subscription_terms.term_start_date,
        subscription_terms.term_end_date,
        subscription_terms.term_ends_at,
        {{ dbt.dateadd('day', -renewal_window_days, 'subscription_terms.term_ends_at') }} as renewal_window_opens_at,
        cast({{ dbt.dateadd('day', -renewal_window_days, 'subscription_terms.term_end_date') }} as date) as renewal_window_opens_date,
        renewal_opportunities.opportunity_id as renewal_opportunity_id,
        renewal_opportunities.owner_id as renewal_owner_id,
        renewal_opportunities.created_at as renewal_opportunity_created_at,
        cast({{ dbt.datediff('cast(renewal_opportunities.created_at as date)', 'subscription_terms.term_end_date', 'day') }}
            as {{ dbt.type_bigint() }}) as renewal_created_days_before_term_end,
        subscription_terms.mrr_before_usd,
        subscription_terms.mrr_after_usd,
        subscription_terms.renewal_outcome
    from subscription_terms
    left join renewal_opportunities
        on subscription_terms.subscription_id = renewal_opportunities.subscription_id
        and subscription_terms.term_end_date = renewal_opportunities.term_end_date
        and renewal_opportunities.opportunity_rank = 1
    left join customer_accounts
        on subscription_terms.customer_id = customer_accounts.customer_id
    left join accounts
        on customer_accounts.account_id = accounts.account_id
)

select * from final
