{#-
    Handoff check sales_to_customer_success / won_deal_has_cs_introduction: one row per won new-
    business deal (customer_success.fct_onboarding): was a CS introduction logged? Due once the
    handoff's SLA has run out (funnel.fct_handoffs status; seeds/handoff_slas.csv). due_date: the day
    the SLA ran out (the close for a deal without a handoff row), for the recent-window floor.
-#}
with

onboarding as (
    select * from {{ ref('fct_onboarding') }}
),

handoffs as (
    select * from {{ ref('fct_handoffs') }} where handoff = 'sales_to_customer_success'
),

final as (
    select
        onboarding.opportunity_id as check_key,
        onboarding.opportunity_id,
        onboarding.account_id,
        onboarding.closed_by_owner_id,
        onboarding.closed_at,
        onboarding.cs_introduced_at,
        handoffs.due_at,
        cast(coalesce(handoffs.due_at, onboarding.closed_at) as date) as due_date,
        {{ check_status_columns('onboarding.cs_introduced_at is not null', "coalesce(handoffs.status, 'incomplete') <> 'pending'") }}
    from onboarding
    left join handoffs
        on onboarding.opportunity_id = handoffs.record_id
)

select * from final
