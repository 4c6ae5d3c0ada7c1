{#-
    Handoff check sales_to_customer_success / won_deal_has_subscription_in_time: one row per won new-
    business deal (customer_success.fct_onboarding): did a subscription start at most
    var('quality_subscription_max_days') days after the close date? Due once the deal closed at
    least var('quality_grace_days') days before the as-of date (deals closed since are still being
    onboarded).
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
        onboarding.subscription_id,
        onboarding.subscribed_at,
        onboarding.days_close_to_subscription,
        {{ check_status_columns(
            'onboarding.days_close_to_subscription <= ' ~ var('quality_subscription_max_days'),
            won_deal_is_due('onboarding.closed_at'),
        ) }}
    from onboarding
)

select * from final
