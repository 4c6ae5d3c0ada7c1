{{ config(**by_difference_config('journey_id')) }}
{#-
    One row per person journey with the timestamp, record and owner of every funnel stage from
    first touch to first renewal (docs/metrics.md#funnel, #handoffs). A journey is a person
    (int_person_milestones_collected: HubSpot contacts and Salesforce leads resolved to one person)
    and the new business opportunity (int_opportunity_milestones_collected) their lead converted
    into; won new business opportunities that no lead converted into (e.g. reactivations) start
    their own journey at the opportunity stage.
-#}
with

opportunity_milestones as (
    select * from {{ ref('int_opportunity_milestones_collected') }}
),

-- the milestones table is read here and in the opportunities' anti-join below, not through one CTE
-- (a CTE read twice is materialised whole)
lead_journeys as (
    select
        person_id as journey_id,
        hubspot_contact_id,
        salesforce_lead_id,
        first_touch_at,
        lead_at,
        mql_at,
        lead_owner_id,
        sales_accepted_at,
        qualified_at,
        converted_opportunity_id
    from {{ ref('int_person_milestones_collected') }}
),

leadless_won_journeys as (
    select
        opportunity_milestones.opportunity_id as journey_id,
        cast(null as {{ dbt.type_bigint() }}) as hubspot_contact_id,
        cast(null as {{ dbt.type_string() }}) as salesforce_lead_id,
        cast(null as {{ dbt.type_timestamp() }}) as first_touch_at,
        cast(null as {{ dbt.type_timestamp() }}) as lead_at,
        cast(null as {{ dbt.type_timestamp() }}) as mql_at,
        cast(null as {{ dbt.type_string() }}) as lead_owner_id,
        cast(null as {{ dbt.type_timestamp() }}) as sales_accepted_at,
        cast(null as {{ dbt.type_timestamp() }}) as qualified_at,
        opportunity_milestones.opportunity_id as converted_opportunity_id
    from opportunity_milestones
    where opportunity_milestones.is_won
        and opportunity_milestones.opportunity_id not in (
            select person_milestones.converted_opportunity_id
            from {{ ref('int_person_milestones_collected') }} as person_milestones
            where person_milestones.converted_opportunity_id is not null
        )
),

journeys as (
    select * from lead_journeys
    union all
    select * from leadless_won_journeys
),

final as (
    select
        journeys.journey_id,
        journeys.hubspot_contact_id,
        journeys.salesforce_lead_id,
        opportunity_milestones.opportunity_id,
        opportunity_milestones.account_id,
        opportunity_milestones.stripe_customer_id,
        opportunity_milestones.subscription_id,
        journeys.lead_owner_id,
        opportunity_milestones.opportunity_owner_id,
        opportunity_milestones.cs_owner_id,
        opportunity_milestones.kickoff_owner_id,
        journeys.first_touch_at,
        journeys.lead_at,
        journeys.mql_at,
        journeys.sales_accepted_at,
        journeys.qualified_at,
        opportunity_milestones.opportunity_at,
        opportunity_milestones.closed_won_at,
        opportunity_milestones.closed_lost_at,
        opportunity_milestones.cs_introduced_at,
        opportunity_milestones.subscribed_at,
        opportunity_milestones.onboarded_at,
        opportunity_milestones.kickoff_at,
        opportunity_milestones.first_renewal_at
    from journeys
    left join opportunity_milestones
        on journeys.converted_opportunity_id = opportunity_milestones.opportunity_id
)

{{ select_by_difference('final', 'journey_id') }}
