{#-
    Handoff check sales_to_customer_success / won_deal_has_subscription_in_time: one row per won new-
    business deal (customer_success.fct_onboarding): did a subscription start at most
    var('quality_subscription_max_days') days after the close date? Due once the deal closed at
    least var('quality_grace_days') days before the as-of date (deals closed since are still being
    onboarded).
-#}
{{ won_deal_check(
    'onboarding.days_close_to_subscription <= ' ~ var('quality_subscription_max_days'),
    ['subscription_id', 'subscribed_at', 'days_close_to_subscription'],
) }}
