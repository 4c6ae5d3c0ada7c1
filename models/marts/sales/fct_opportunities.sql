{#-
    One row per opportunity (docs/metrics.md#opportunities). Days per stage are rows of
    fct_opportunity_stage_history (one per opportunity and stage), not columns here, so a company's
    own stages need no model change; a stage seeds/opportunity_stages.csv does not list keeps its
    name with is_mapped_stage = false, and is_closed / is_won are the CRM's own flags.
-#}
with

opportunities as (
    select * from {{ ref('int_opportunities_enriched') }}
),

stage_history as (
    select * from {{ ref('fct_opportunity_stage_history') }}
),

persons as (
    select * from {{ ref('int_persons_resolved') }}
),

stages as (
    select * from {{ ref('int_opportunity_stages_mapped') }}
),

furthest_open as (
    select
        stage_history.opportunity_id,
        max(case when not stages.is_closed then stage_history.stage_order end) as furthest_open_stage_order
    from stage_history
    inner join stages
        on stage_history.stage_name = stages.stage_name
    group by stage_history.opportunity_id
),

furthest_stage as (
    select stage_order, min(stage_name) as stage_name
    from stages
    where not is_closed and stage_order is not null
    group by stage_order
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.opportunity_name,
        opportunities.opportunity_type,
        opportunities.deal_category,
        opportunities.deal_category_source,
        opportunities.account_id,
        opportunities.account_segment,
        opportunities.owner_id,
        opportunities.source_lead_id,
        opportunities.person_id,
        persons.channel as source_channel,
        opportunities.created_at,
        opportunities.created_date,
        opportunities.close_date,
        opportunities.closed_date,
        opportunities.stage_name,
        opportunities.stage_order,
        opportunities.is_mapped_stage,
        furthest_stage.stage_name as furthest_open_stage_reached,
        {% for category, measure in [('new_business', 'sales_cycle_days'), ('renewal', 'renewal_cycle_days'), ('expansion', 'expansion_cycle_days')] -%}
        case
            when opportunities.is_closed and opportunities.deal_category = '{{ category }}'
                then cast({{ dbt.datediff('opportunities.created_date', 'opportunities.close_date', 'day') }} as {{ dbt.type_bigint() }})
        end as {{ measure }},
        {% endfor -%}
        opportunities.amount,
        opportunities.currency,
        cast(opportunities.fx_rate_to_usd as {{ type_double() }}) as fx_rate_to_usd,
        cast({{ round_half('opportunities.amount_usd', 2) }} as decimal(18, 2)) as amount_usd,
        cast({{ round_half('opportunities.amount_usd * opportunities.stage_probability', 2) }} as decimal(18, 2)) as weighted_amount_usd,
        opportunities.is_won,
        opportunities.is_lost,
        opportunities.is_closed,
        opportunities.loss_reason,
        opportunities.is_deleted
    from opportunities
    left join furthest_open
        on opportunities.opportunity_id = furthest_open.opportunity_id
    left join furthest_stage
        on furthest_open.furthest_open_stage_order = furthest_stage.stage_order
    left join persons
        on opportunities.person_id = persons.person_id
)

select * from final
