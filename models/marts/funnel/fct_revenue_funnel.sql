{{ config(**by_difference_config('journey_id')) }}
{#-
    One row per person journey (docs/metrics.md#funnel): a timestamp for every stage from first
    touch to first renewal, the furthest stage reached and the department that owns it (from the
    funnel_stages / departments configuration), and days between consecutive stages.
-#}
{%- set spans = [
    ('first_touch_at', 'lead_at', 'days_first_touch_to_lead'),
    ('lead_at', 'mql_at', 'days_lead_to_mql'),
    ('mql_at', 'sales_accepted_at', 'days_mql_to_sales_accepted'),
    ('sales_accepted_at', 'opportunity_at', 'days_sales_accepted_to_opportunity'),
    ('opportunity_at', 'closed_won_at', 'days_opportunity_to_closed_won'),
    ('closed_won_at', 'onboarded_at', 'days_closed_won_to_onboarded'),
    ('onboarded_at', 'first_renewal_at', 'days_onboarded_to_first_renewal'),
] -%}
with

person_journeys as (
    select * from {{ ref('int_person_journeys_assembled') }}
),

stage_events as (
    select * from {{ ref('int_journey_stage_events_unioned') }} where journey = 'person'
),

funnel_stages as (
    select * from {{ ref('funnel_stages') }} where journey = 'person'
),

departments as (
    select * from {{ ref('departments') }}
),

-- the furthest stage a journey reached: its highest stage order, a grouping rather than a ranking
-- window (stage orders are unique within a journey kind: the seed's unique_combination_of_columns)
reached as (
    select
        stage_events.journey_id,
        max(funnel_stages.stage_order) as stage_order
    from stage_events
    inner join funnel_stages
        on stage_events.stage = funnel_stages.stage
    group by stage_events.journey_id
),

current_stage as (
    select
        reached.journey_id,
        funnel_stages.stage as current_stage,
        funnel_stages.department as current_department,
        departments.department_name as current_department_name
    from reached
    inner join funnel_stages
        on reached.stage_order = funnel_stages.stage_order
    left join departments
        on funnel_stages.department = departments.department
),

final as (
    select
        person_journeys.journey_id,
        person_journeys.hubspot_contact_id,
        person_journeys.salesforce_lead_id,
        person_journeys.opportunity_id,
        person_journeys.account_id,
        person_journeys.subscription_id,
        {% for column in ['first_touch_at', 'lead_at', 'mql_at', 'sales_accepted_at', 'qualified_at', 'opportunity_at', 'closed_won_at', 'closed_lost_at', 'cs_introduced_at', 'subscribed_at', 'onboarded_at', 'first_renewal_at'] -%}
        case when cast(person_journeys.{{ column }} as date) <= {{ as_of_date() }} then person_journeys.{{ column }} end as {{ column }},
        {% endfor -%}
        current_stage.current_stage,
        current_stage.current_department,
        current_stage.current_department_name,
        {% for start, stop, name in spans -%}
        case when cast(person_journeys.{{ stop }} as date) <= {{ as_of_date() }}
            then {{ dbt.datediff('person_journeys.' ~ start, 'person_journeys.' ~ stop, 'second') }} / cast(86400 as {{ type_double() }})
        end as {{ name }}{{ ',' if not loop.last }}
        {% endfor %}
    from person_journeys
    left join current_stage
        on person_journeys.journey_id = current_stage.journey_id
)

{{ select_by_difference('final', 'journey_id') }}
