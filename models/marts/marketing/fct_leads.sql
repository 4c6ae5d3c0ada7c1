{{ config(**by_difference_config('person_id')) }}
with

persons as (
    select * from {{ ref('int_persons_resolved') }}
),

leads as (
    select * from {{ ref('stg_salesforce__leads') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_enriched') }}
),

users as (
    select * from {{ ref('stg_salesforce__users') }}
),

-- only the columns used below: a CTE read twice is materialised whole
attribution as (
    select conversion_id, touch_channel, campaign_id, is_first_touch, is_last_touch
    from {{ ref('int_attribution_touches_weighted') }}
    where conversion_type = 'lead'
),

first_touches as (
    select conversion_id as person_id, touch_channel, campaign_id
    from attribution
    where is_first_touch
),

last_touches as (
    select conversion_id as person_id, touch_channel, campaign_id
    from attribution
    where is_last_touch
),

final as (
    select
        persons.person_id,
        persons.hubspot_contact_id,
        persons.salesforce_lead_id,
        persons.match_rule,
        persons.email_domain,
        persons.company_name,
        persons.original_source,
        persons.channel,
        persons.is_channel_mapped,
        persons.created_at,
        {{ dbt.date_trunc('month', 'persons.created_at') }} as created_month,
        persons.became_mql_at as mql_at,
        persons.became_mql_at as handed_to_sales_at,
        leads.created_at as salesforce_lead_created_at,
        leads.accepted_at,
        leads.qualified_at,
        leads.disqualified_at,
        leads.disqualified_reason,
        case when leads.is_converted then leads.converted_date end as converted_date,
        leads.lead_status,
        leads.owner_id,
        users.full_name as owner_name,
        first_touches.touch_channel as first_touch_channel,
        first_touches.campaign_id as first_touch_campaign_id,
        last_touches.touch_channel as last_touch_channel,
        last_touches.campaign_id as last_touch_campaign_id,
        opportunities.opportunity_id,
        opportunities.created_at as opportunity_created_at,
        opportunities.opportunity_id is not null as has_opportunity,
        persons.became_mql_at is not null as is_mql,
        leads.accepted_at is not null as is_sales_accepted,
        persons.is_lead,
        persons.is_deleted
    from persons
    left join leads
        on persons.salesforce_lead_id = leads.lead_id
    left join opportunities
        on leads.converted_opportunity_id = opportunities.opportunity_id
        and not opportunities.is_deleted
    left join users
        on leads.owner_id = users.user_id
    left join first_touches
        on persons.person_id = first_touches.person_id
    left join last_touches
        on persons.person_id = last_touches.person_id
)

{{ select_by_difference('final', 'person_id') }}
