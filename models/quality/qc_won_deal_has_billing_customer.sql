{#-
    Handoff check sales_to_customer_success / won_deal_has_billing_customer: one row per won new-business deal
    (customer_success.fct_onboarding): is a Stripe customer linked? Due once the deal closed at least
    var('quality_grace_days') days before the as-of date (deals closed since are still being onboarded).
-#}
{{ won_deal_check(
    'onboarding.stripe_customer_id is not null',
    ['stripe_customer_id'],
) }}
