{#-
    Handoff check sales_to_customer_success / won_deal_has_billing_customer: one row per won new-business deal
    (customer_success.fct_onboarding): is a Stripe customer linked? Due once the deal closed at least
    var('quality_grace_days') days before the as-of date (deals closed since are still being onboarded).
-#}
with

onboarding as (
    select * from {{ ref('fct_onboarding') }}
),

final as (
    select
        onboarding.opportunity_id as check_key,
        onboarding.opportunity_id,
        onboarding.account_id,
        onboarding.closed_at,
        onboarding.stripe_customer_id,
        {{ check_status_columns('onboarding.stripe_customer_id is not null', won_deal_is_due('onboarding.closed_at')) }}
    from onboarding
)

select * from final
