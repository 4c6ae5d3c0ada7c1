{#-
    Handoff check marketing_to_sales / mql_pickup_within_sla_share: one row per MQL (handoff
    instance): picked up by sales within the SLA (status met)? Decided once picked up or the SLA has
    run out (fct_handoffs.status); the suite compares the share met with the handoff's target share.
    due_date: the day the SLA runs out (a recent-window floor selects on it).
-#}
with

handoffs as (
    select * from {{ ref('fct_handoffs') }} where handoff = 'marketing_to_sales'
),

final as (
    select
        journey_id as check_key,
        journey_id as person_id,
        record_id as salesforce_lead_id,
        handed_at as mql_at,
        picked_up_at,
        hours_to_pickup,
        sla_hours,
        cast(due_at as date) as due_date,
        status as handoff_status,
        {{ check_status_columns("status = 'met'", 'is_decided') }}
    from handoffs
)

select * from final
