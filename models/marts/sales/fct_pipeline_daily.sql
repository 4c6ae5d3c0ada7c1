{#- Spark: merge needs delta tables, so on plain Parquet (local Spark) the table is rebuilt whole
    (docs/scaling.md). -#}
{%- set spark_parquet = target.type == 'spark' and env_var('WAREHOUSE_SPARK_FILE_FORMAT', 'parquet') == 'parquet' -%}
{{
    config(
        materialized='table' if spark_parquet else 'incremental',
        unique_key='pipeline_day_id' if target.type in ('spark', 'databricks') else 'date_day',
        incremental_strategy='merge' if target.type in ('spark', 'databricks') else 'delete+insert',
        on_schema_change='fail'
    )
}}
{#-
    Open pipeline per day and open stage (docs/metrics.md#opportunities), from the first
    opportunity's creation day to var('as_of_date'). An opportunity is in a stage on a day when the
    stage visit was entered on or before that day and not exited by it; weighted amount uses the
    stage probability (int_opportunity_stages_mapped). Every open stage the CRM uses is a row, including
    stages seeds/opportunity_stages.csv does not list (is_mapped_stage = false, their open / closed
    state and probability from the CRM's own flags), so no open opportunity drops out.
    Incremental (docs/decisions.md#incremental-models): a run rebuilds whole days, every day after
    the last var('incremental_lookback_days') (default 30) days before the latest built day, and
    further back every day since the first stage change or creation of any opportunity whose record
    or stage history was synced within that window (a late amount change, deletion or out-of-order
    stage change alters its past days), and all days when a stage appears or disappears. A full
    refresh (`--full-refresh`) rebuilds everything and gives the same table.
-#}

with

stage_visits as (
    select * from {{ ref('int_opportunity_stage_visits_derived') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_enriched') }}
    where not is_deleted
),

stages as (
    select * from {{ ref('int_opportunity_stages_mapped') }}
    where not is_closed
),

{% if is_incremental() %}
all_opportunities as (
    select * from {{ ref('int_opportunities_enriched') }}
),

built as (
    select
        {{ dbt.dateadd('day', -1 * var('incremental_lookback_days'), 'max(date_day)') }} as window_start
    from {{ this }}
),

-- opportunities whose record or stage history was synced within the lookback window
changed_opportunities as (
    select
        all_opportunities.opportunity_id,
        all_opportunities.created_date,
        cast(all_opportunities.first_stage_change_at as date) as first_change_date
    from all_opportunities
    cross join built
    where cast(all_opportunities.last_synced_at as date) > built.window_start
),

rebuild_from as (
    select min(first_day) as first_day
    from (
        select {{ dbt.dateadd('day', 1, 'window_start') }} as first_day from built
        union all
        select min(created_date) as first_day from changed_opportunities
        union all
        select min(first_change_date) as first_day from changed_opportunities
        union all
        -- a stage appeared or disappeared: every day's rows change
        select min(date_day) as first_day
        from {{ this }}
        where exists (
            select 1 from stages
            where stages.stage_name not in (select built_stages.stage_name from {{ this }} as built_stages)
        )
            or exists (
                select 1 from {{ this }} as built_stages
                where built_stages.stage_name not in (select stages.stage_name from stages)
            )
    ) as candidates
),
{% endif %}

days as (
    select date_day
    from (
        {{ date_spine(
            'day',
            "(select min(created_date) from " ~ ref('int_opportunities_enriched') ~ ")",
            as_of_date()
        ) }}
    ) as spine
    {% if is_incremental() %}
    where date_day >= (select rebuild_from.first_day from rebuild_from)
        or not exists (select 1 from {{ this }})
    {% endif %}
),

visit_windows as (
    select
        stage_visits.opportunity_id,
        stage_visits.stage_name,
        cast(stage_visits.entered_at as date) as valid_from,
        cast(stage_visits.exited_at as date) as valid_to,
        opportunities.amount_usd
    from stage_visits
    inner join opportunities
        on stage_visits.opportunity_id = opportunities.opportunity_id
    where not stage_visits.is_closed_stage
    {% if is_incremental() %}
        -- a visit exited on or before the first rebuilt day is open on none of them
        and (
            stage_visits.exited_at is null
            or cast(stage_visits.exited_at as date) > (select min(rebuilt_days.date_day) from days as rebuilt_days)
        )
    {% endif %}
),

open_by_day as (
    select
        days.date_day,
        visit_windows.stage_name,
        -- an opportunity's visits cover disjoint day ranges ([entered, next entered)), so it is
        -- open in at most one visit on a day: count(*) counts opportunities (count(distinct) cost 3x)
        count(*) as open_opportunities,
        sum(visit_windows.amount_usd) as open_amount_usd
    from days
    inner join visit_windows
        on visit_windows.valid_from <= days.date_day
        and (visit_windows.valid_to is null or visit_windows.valid_to > days.date_day)
    group by days.date_day, visit_windows.stage_name
),

grid as (
    select
        days.date_day,
        stages.stage_name,
        stages.stage_order,
        stages.probability,
        stages.is_mapped_stage
    from days
    cross join stages
),

final as (
    select
        {{ generate_surrogate_key(['grid.date_day', 'grid.stage_name']) }} as pipeline_day_id,
        grid.date_day,
        grid.stage_name,
        grid.stage_order,
        grid.is_mapped_stage,
        coalesce(open_by_day.open_opportunities, 0) as open_opportunities,
        cast(coalesce(open_by_day.open_amount_usd, 0) as decimal(18, 2)) as open_amount_usd,
        cast(coalesce(open_by_day.open_amount_usd, 0) * grid.probability as decimal(18, 2)) as weighted_amount_usd
    from grid
    left join open_by_day
        on grid.date_day = open_by_day.date_day
        and grid.stage_name = open_by_day.stage_name
)

select * from final
