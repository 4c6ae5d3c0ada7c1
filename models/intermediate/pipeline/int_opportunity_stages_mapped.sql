{#-
    Every opportunity stage the CRM uses or seeds/opportunity_stages.csv lists, one row each
    (docs/metrics.md#opportunities). A stage in the seed takes its order, probability and closed /
    won flags from the seed (is_mapped_stage = true). A stage the seed does not know keeps its own
    name (is_mapped_stage = false, no order) and takes the CRM's own flags: closed / won when any
    opportunity currently in it is closed / won, probability the average of the CRM's probability
    (percent) of the opportunities in it. A stage seen only in the history (every opportunity has
    moved on from it) is open.
-#}

with

seed_stages as (
    select * from {{ ref('opportunity_stages') }}
),

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
    where not is_deleted
),

stage_changes as (
    select * from {{ ref('stg_salesforce__opportunity_stage_changes') }}
    where not is_deleted
),

crm_current as (
    select
        stage_name,
        count(*) as current_opportunities,
        max(case when is_closed then 1 else 0 end) = 1 as is_closed,
        max(case when is_won then 1 else 0 end) = 1 as is_won,
        avg(probability) / 100.0 as probability
    from opportunities
    where stage_name is not null
    group by stage_name
),

crm_history as (
    select
        stage_name,
        count(distinct opportunity_id) as history_opportunities
    from stage_changes
    where stage_name is not null
    group by stage_name
),

stage_names as (
    select stage_name from seed_stages
    union
    select stage_name from crm_current
    union
    select stage_name from crm_history
),

final as (
    select
        stage_names.stage_name,
        seed_stages.stage_order,
        cast(coalesce(seed_stages.probability, crm_current.probability) as {{ type_double() }}) as probability,
        coalesce(seed_stages.is_closed, crm_current.is_closed, false) as is_closed,
        coalesce(seed_stages.is_won, crm_current.is_won, false) as is_won,
        seed_stages.stage_name is not null as is_mapped_stage,
        coalesce(crm_current.current_opportunities, 0) as current_opportunities,
        coalesce(crm_history.history_opportunities, 0) as history_opportunities
    from stage_names
    left join seed_stages
        on stage_names.stage_name = seed_stages.stage_name
    left join crm_current
        on stage_names.stage_name = crm_current.stage_name
    left join crm_history
        on stage_names.stage_name = crm_history.stage_name
)

select * from final
