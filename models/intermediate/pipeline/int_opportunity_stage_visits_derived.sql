{#-
    Entered and exited timestamps per opportunity stage visit (docs/metrics.md#opportunities): a
    stage is entered at its history row's changed_at and exited at the next row's, ordering by
    changed_at then history id whatever order the rows arrived in. Consecutive rows in the same
    stage (amount or date edits) are one visit. The last stage is never exited; for an open
    opportunity its days in stage run to var('as_of_date'). Stage order, probability and the closed
    flag come from int_opportunity_stages_mapped (the CRM's own flags for stages the seed does not list).
-#}

with

stage_changes as (
    select * from {{ ref('stg_salesforce__opportunity_stage_changes') }}
    where not is_deleted
),

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
),

stages as (
    select * from {{ ref('int_opportunity_stages_mapped') }}
),

ordered as (
    select
        opportunity_history_id,
        opportunity_id,
        stage_name,
        changed_at,
        lag(stage_name) over (
            partition by opportunity_id order by changed_at, opportunity_history_id
        ) as previous_stage_name,
        row_number() over (
            partition by opportunity_id order by changed_at, opportunity_history_id
        ) as change_number
    from stage_changes
),

-- a new visit starts whenever the stage differs from the previous row's
visit_starts as (
    select
        ordered.*,
        sum(case when previous_stage_name = stage_name then 0 else 1 end) over (
            partition by opportunity_id order by change_number
            rows between unbounded preceding and current row
        ) as visit_number
    from ordered
),

visits as (
    select
        opportunity_id,
        visit_number,
        min(stage_name) as stage_name,
        min(changed_at) as entered_at
    from visit_starts
    group by opportunity_id, visit_number
),

with_exits as (
    select
        visits.*,
        lead(entered_at) over (partition by opportunity_id order by visit_number) as exited_at,
        max(visit_number) over (partition by opportunity_id) as visit_count
    from visits
),

final as (
    select
        {{ generate_surrogate_key(['with_exits.opportunity_id', 'with_exits.visit_number']) }} as stage_visit_id,
        with_exits.opportunity_id,
        with_exits.visit_number,
        with_exits.stage_name,
        stages.stage_order,
        stages.probability as stage_probability,
        coalesce(stages.is_closed, false) as is_closed_stage,
        coalesce(stages.is_mapped_stage, false) as is_mapped_stage,
        with_exits.entered_at,
        with_exits.exited_at,
        with_exits.visit_number = with_exits.visit_count as is_current_stage,
        case
            when with_exits.exited_at is not null
                then {{ dbt.datediff('with_exits.entered_at', 'with_exits.exited_at', 'day') }}
            when not coalesce(stages.is_closed, false)
                then {{ dbt.datediff('with_exits.entered_at', as_of_date(), 'day') }}
        end as days_in_stage,
        opportunities.is_deleted as is_opportunity_deleted
    from with_exits
    left join stages
        on with_exits.stage_name = stages.stage_name
    left join opportunities
        on with_exits.opportunity_id = opportunities.opportunity_id
)

select * from final
