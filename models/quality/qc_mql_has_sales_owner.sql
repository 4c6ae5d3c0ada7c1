{#-
    Handoff check marketing_to_sales / mql_has_sales_owner: one row per MQL (every marketing-to-sales
    handoff instance, synced to the CRM or not): does its lead have a sales owner? An MQL without an
    owner is pending while the handoff SLA runs (the CRM sync and lead routing take minutes), then
    incomplete. due_date (the day the SLA ran out) is what a recent-window floor selects on.
-#}
with

handoffs as (
    select * from {{ ref('fct_handoffs') }} where handoff = 'marketing_to_sales'
),

leads as (
    select * from {{ ref('fct_leads') }}
),

final as (
    select
        handoffs.journey_id as check_key,
        handoffs.journey_id as person_id,
        handoffs.record_id as salesforce_lead_id,
        leads.owner_id as sales_owner_id,
        handoffs.handed_at as mql_at,
        handoffs.due_at,
        cast(handoffs.due_at as date) as due_date,
        {{ check_status_columns('leads.owner_id is not null', "handoffs.status <> 'pending'") }}
    from handoffs
    left join leads
        on handoffs.journey_id = leads.person_id
)

select * from final
