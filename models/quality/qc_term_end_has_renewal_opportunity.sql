{#-
    Handoff check customer_success_to_renewal / term_end_has_renewal_opportunity: one row per
    subscription term whose renewal window has opened by the as-of date (funnel.fct_handoffs): was a
    renewal opportunity created? Due once the handoff's SLA has run out (seeds/handoff_slas.csv: 60
    days after the window opens, i.e. 60 days before the term end). due_date: the day the SLA runs
    out, for the recent-window floor.
-#}
with

handoffs as (
    select * from {{ ref('fct_handoffs') }} where handoff = 'customer_success_to_renewal'
),

final as (
    select
        record_id as check_key,
        journey_id as subscription_term_id,
        handed_at as renewal_window_opens_at,
        due_at,
        cast(due_at as date) as due_date,
        picked_up_at as renewal_opportunity_created_at,
        {{ check_status_columns('picked_up_at is not null', 'is_decided') }}
    from handoffs
)

select * from final
