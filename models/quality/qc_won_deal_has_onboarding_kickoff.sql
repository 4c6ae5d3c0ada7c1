{#-
    Handoff check sales_to_customer_success / won_deal_has_onboarding_kickoff: one row per won new-business deal
    (customer_success.fct_onboarding): was an onboarding kickoff meeting held? Due once the deal closed at least
    var('quality_grace_days') days before the as-of date (deals closed since are still being onboarded).
-#}
{{ won_deal_check(
    'onboarding.kickoff_at is not null',
    ['kickoff_at', 'kickoff_owner_id'],
) }}
