{{ config(**by_difference_config('person_id')) }}
{#-
    One row per person (int_persons_resolved; soft-deleted records ignored) with the milestones of
    the marketing and sales-lead part of their journey (docs/metrics.md#funnel, #handoffs): first
    touch, lead, MQL, sales acceptance (the first sales task on the lead or the CRM's acceptance,
    whichever is earlier), qualification, the lead's owner, and the opportunity the lead converted
    into. int_person_journeys_assembled joins these to the opportunity's milestones.
-#}
with

persons as (
    select * from {{ ref('int_persons_resolved') }} where not is_deleted
),

marketing_touches as (
    select * from {{ ref('int_marketing_touches_unioned') }}
),

leads as (
    select * from {{ ref('stg_salesforce__leads') }} where not is_deleted
),

tasks as (
    select * from {{ ref('stg_salesforce__tasks') }} where not is_deleted
),

first_touches as (
    select
        person_id,
        min(touched_at) as first_touch_at
    from marketing_touches
    where person_id is not null
    group by 1
),

first_sales_tasks as (
    select
        who_id as lead_id,
        min(coalesce(activity_at, created_at)) as first_sales_task_at
    from tasks
    where coalesce(task_type, '') <> 'CS Introduction'
    group by 1
),

final as (
    select
        persons.person_id,
        cast(persons.hubspot_contact_id as {{ dbt.type_bigint() }}) as hubspot_contact_id,
        persons.salesforce_lead_id,
        case
            when persons.hubspot_contact_id is null then null
            when first_touches.first_touch_at is null or persons.created_at < first_touches.first_touch_at
                then persons.created_at
            else first_touches.first_touch_at
        end as first_touch_at,
        case when persons.hubspot_contact_id is not null then persons.created_at end as lead_at,
        persons.became_mql_at as mql_at,
        leads.owner_id as lead_owner_id,
        case
            when first_sales_tasks.first_sales_task_at is null then leads.accepted_at
            when leads.accepted_at is null then first_sales_tasks.first_sales_task_at
            when first_sales_tasks.first_sales_task_at < leads.accepted_at then first_sales_tasks.first_sales_task_at
            else leads.accepted_at
        end as sales_accepted_at,
        leads.qualified_at,
        leads.converted_opportunity_id
    from persons
    left join first_touches
        on persons.person_id = first_touches.person_id
    left join leads
        on persons.salesforce_lead_id = leads.lead_id
    left join first_sales_tasks
        on leads.lead_id = first_sales_tasks.lead_id
)

{{ select_by_difference('final', 'person_id') }}
