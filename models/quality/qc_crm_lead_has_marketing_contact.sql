{#-
    Handoff check marketing_to_sales / crm_lead_has_marketing_contact: one row per CRM lead (a person
    of marketing.fct_leads with a Salesforce lead): was it matched to a HubSpot contact (the identity
    resolution of int_persons_resolved)? Orphan leads are recorded dirt in the simulator, so a small share is
    expected. Always decided.
-#}
with

leads as (
    select * from {{ ref('fct_leads') }}
    where salesforce_lead_id is not null and not is_deleted
),

final as (
    select
        salesforce_lead_id as check_key,
        salesforce_lead_id,
        person_id,
        hubspot_contact_id,
        {{ check_status_columns('hubspot_contact_id is not null', 'true') }}
    from leads
)

select * from final
