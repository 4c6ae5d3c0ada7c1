{#-
    Handoff check sales_to_customer_success / won_deal_has_onboarding_kickoff: one row per won new-business deal
    (customer_success.fct_onboarding): was an onboarding kickoff meeting held? Due once the deal closed at least
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
        onboarding.kickoff_at,
        onboarding.kickoff_owner_id,
        {{ check_status_columns('onboarding.kickoff_at is not null', won_deal_is_due('onboarding.closed_at')) }}
    from onboarding
)

select * from final
