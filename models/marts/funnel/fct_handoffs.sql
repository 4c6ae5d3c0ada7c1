{{ config(**by_difference_config('handoff_instance_id')) }}
{#-
    One row per handoff instance (docs/metrics.md#handoffs): a journey that reached the
    from-department's last stage was handed over at that moment (every MQL is one marketing-to-sales
    instance, synced to the CRM or not: `record_id` is null while there is no CRM lead); it was
    picked up when the to-department's first stage was reached; it is complete when every required
    stage of the to-department (`funnel_stages.is_required`) was reached, else `missing_step` names
    the first missing one. Its `status` as of the as-of date: `met` (picked up within the SLA),
    `breached` (picked up after it), `pending` (not picked up, SLA not yet run out) or `incomplete`
    (not picked up and the SLA has run out). Which handoffs exist is configuration
    (int_handoffs_defined).
-#}
with

-- the stage events are read where they are joined (three times): a CTE read more than once is
-- materialised whole, and each join reads only its journeys' and stages' rows
handoff_definitions as (
    select * from {{ ref('int_handoffs_defined') }}
),

funnel_stages as (
    select * from {{ ref('funnel_stages') }}
),

handed as (
    select
        handoff_definitions.handoff,
        handoff_definitions.journey,
        handoff_definitions.from_department,
        handoff_definitions.to_department,
        handoff_definitions.receiving_stage,
        handoff_definitions.sla_hours,
        stage_events.journey_id,
        stage_events.record_id,
        stage_events.owner_id as from_owner_id,
        stage_events.stage_at as handed_at
    from handoff_definitions
    inner join {{ ref('int_journey_stage_events_unioned') }} as stage_events
        on handoff_definitions.journey = stage_events.journey
        and handoff_definitions.handing_stage = stage_events.stage
),

picked_up as (
    select
        handed.handoff,
        handed.journey_id,
        stage_events.stage_at as picked_up_at,
        stage_events.owner_id as to_owner_id
    from handed
    inner join {{ ref('int_journey_stage_events_unioned') }} as stage_events
        on handed.journey = stage_events.journey
        and handed.journey_id = stage_events.journey_id
        and handed.receiving_stage = stage_events.stage
),

missing_steps as (
    select
        handed.handoff,
        handed.journey_id,
        funnel_stages.stage,
        row_number() over (
            partition by handed.handoff, handed.journey_id order by funnel_stages.stage_order
        ) as missing_rank
    from handed
    inner join funnel_stages
        on handed.journey = funnel_stages.journey
        and handed.to_department = funnel_stages.department
        and funnel_stages.is_required
    left join {{ ref('int_journey_stage_events_unioned') }} as stage_events
        on handed.journey = stage_events.journey
        and handed.journey_id = stage_events.journey_id
        and funnel_stages.stage = stage_events.stage
    where stage_events.stage is null
),

timed as (
    select
        handed.*,
        picked_up.picked_up_at,
        picked_up.to_owner_id,
        {{ dbt.datediff('handed.handed_at', 'picked_up.picked_up_at', 'second') }} / cast(3600 as {{ type_double() }}) as hours_to_pickup,
        {{ dbt.dateadd('second', 'cast(handed.sla_hours * 3600 as ' ~ dbt.type_bigint() ~ ')', 'handed.handed_at') }} as due_at,
        missing_steps.stage as missing_step
    from handed
    left join picked_up
        on handed.handoff = picked_up.handoff
        and handed.journey_id = picked_up.journey_id
    left join missing_steps
        on handed.handoff = missing_steps.handoff
        and handed.journey_id = missing_steps.journey_id
        and missing_steps.missing_rank = 1
),

statused as (
    select
        timed.*,
        case
            when picked_up_at is not null and {{ sla_evaluation('hours_to_pickup', 'sla_hours') }} then 'met'
            when picked_up_at is not null then 'breached'
            when due_at > {{ dbt.dateadd('second', 86399, 'cast(' ~ as_of_date() ~ ' as ' ~ dbt.type_timestamp() ~ ')') }}
                then 'pending'
            else 'incomplete'
        end as status
    from timed
),

final as (
    select
        {{ generate_surrogate_key(['handoff', 'journey_id']) }} as handoff_instance_id,
        handoff,
        journey,
        journey_id,
        record_id,
        from_department,
        to_department,
        from_owner_id,
        to_owner_id,
        handed_at,
        picked_up_at,
        cast(hours_to_pickup as {{ type_double() }}) as hours_to_pickup,
        sla_hours,
        due_at,
        {{ sla_evaluation('hours_to_pickup', 'sla_hours') }} as is_within_sla,
        status,
        status <> 'pending' as is_decided,
        missing_step is null as is_complete,
        missing_step,
        cast({{ dbt.date_trunc('week', 'handed_at') }} as date) as handed_week
    from statused
)

{{ select_by_difference('final', 'handoff_instance_id') }}
