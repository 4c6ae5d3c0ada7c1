{{
    config(
        materialized='incremental' if incremental_supported() else 'table',
        unique_key='opportunity_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook=["{{ delete_key_markers('stage_visit_id') }}"] if incremental_supported() else []
    )
}}
{#-
    Entered and exited timestamps per opportunity stage visit (docs/metrics.md#opportunities): a
    stage is entered at its history row's changed_at and exited at the next row's, ordering by
    changed_at then history id whatever order the rows arrived in. Consecutive rows in the same
    stage (amount or date edits) are one visit. The last stage is never exited; for an open
    opportunity its days in stage run to var('as_of_date'). Stage order, probability and the closed
    flag come from int_opportunity_stages_mapped (the CRM's own flags for stages the seed does not list).
    last_synced_at is the opportunity's latest sync (its record or any stage history row).
    Incremental (docs/decisions.md#incremental-models): a run rebuilds every visit of the affected
    opportunities (delete+insert on opportunity_id): those whose record or stage history was synced
    after the latest built last_synced_at minus var('incremental_lookback_days'), those with an open
    current visit (days_in_stage runs to the as-of date), and those with a visit whose stage changed
    its order, probability or flags. An opportunity whose every stage change is now deleted loses
    its rows (marker rows, macros/incremental_helpers.sql). A full refresh gives the same table.
-#}

with

all_stage_changes as (
    select * from {{ ref('stg_salesforce__opportunity_stage_changes') }}
),

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
),

stages as (
    select * from {{ ref('int_opportunity_stages_mapped') }}
),

-- the latest sync of each opportunity's stage history rows, soft-deleted ones included
history_syncs as (
    select
        opportunity_id,
        max(synced_at) as history_synced_at
    from all_stage_changes
    group by opportunity_id
),

opportunity_syncs as (
    select
        history_syncs.opportunity_id,
        case
            when opportunities.synced_at is null or history_syncs.history_synced_at > opportunities.synced_at
                then history_syncs.history_synced_at
            else opportunities.synced_at
        end as last_synced_at
    from history_syncs
    left join opportunities
        on history_syncs.opportunity_id = opportunities.opportunity_id
),

{% if is_incremental() %}
built as (
    select
        {{ dbt.dateadd('day', -1 * var('incremental_lookback_days'), 'max(last_synced_at)') }} as window_start
    from {{ this }}
),

affected as (
    -- record or stage history synced within the lookback window
    select opportunity_syncs.opportunity_id
    from opportunity_syncs
    cross join built
    where opportunity_syncs.last_synced_at > built.window_start
    union
    -- an open current visit: its days in stage run to the as-of date
    select opportunity_id
    from {{ this }}
    where exited_at is null and not is_closed_stage
    union
    -- a visit whose stage changed its order, probability or flags
    select built_visits.opportunity_id
    from {{ this }} as built_visits
    left join stages
        on built_visits.stage_name = stages.stage_name
    where not (
        coalesce(stages.is_closed, false) = built_visits.is_closed_stage
        and coalesce(stages.is_mapped_stage, false) = built_visits.is_mapped_stage
        and coalesce(cast(stages.stage_order as {{ dbt.type_int() }}), -1)
            = coalesce(cast(built_visits.stage_order as {{ dbt.type_int() }}), -1)
        and coalesce(stages.probability, -1) = coalesce(built_visits.stage_probability, -1)
    )
),
{% endif %}

stage_changes as (
    select * from all_stage_changes
    where not is_deleted
    {% if is_incremental() %}
        and opportunity_id in (select affected.opportunity_id from affected)
    {% endif %}
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
        opportunities.is_deleted as is_opportunity_deleted,
        opportunity_syncs.last_synced_at
    from with_exits
    left join stages
        on with_exits.stage_name = stages.stage_name
    left join opportunities
        on with_exits.opportunity_id = opportunities.opportunity_id
    left join opportunity_syncs
        on with_exits.opportunity_id = opportunity_syncs.opportunity_id
)

select * from final
{% if is_incremental() %}
union all
{{ affected_key_markers('opportunity_id', 'affected') }}
{% endif %}
