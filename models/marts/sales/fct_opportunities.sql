{#- The open stages of seeds/opportunity_stages.csv, one days_in_<stage> column each (listed here
    rather than read from the seed at compile time so that the enforced contract stays static:
    a new stage means a new column here and in _sales__models.yml). -#}
{%- set open_stages = ['Prospecting', 'Discovery', 'Demo', 'Proposal', 'Negotiation'] -%}

with

opportunities as (
    select * from {{ ref('int_opportunities') }}
),

stage_history as (
    select * from {{ ref('fct_opportunity_stage_history') }}
),

persons as (
    select * from {{ ref('int_persons') }}
),

stages as (
    select * from {{ ref('opportunity_stages') }}
),

stage_days as (
    select
        opportunity_id,
        max(case when not coalesce(stages.is_closed, false) then stage_history.stage_order end) as furthest_open_stage_order,
        {% for stage in open_stages -%}
        cast(sum(case when stage_history.stage_name = '{{ stage }}' then stage_history.days_in_stage end) as {{ dbt.type_bigint() }}) as days_in_{{ stage | lower }}{{ ',' if not loop.last }}
        {% endfor %}
    from stage_history
    left join stages
        on stage_history.stage_name = stages.stage_name
    group by opportunity_id
),

furthest_stage as (
    select stage_order, min(stage_name) as stage_name
    from stages
    where not is_closed
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
        furthest_stage.stage_name as furthest_open_stage_reached,
        {% for stage in open_stages -%}
        stage_days.days_in_{{ stage | lower }},
        {% endfor -%}
        {% for category, measure in [('new_business', 'sales_cycle_days'), ('renewal', 'renewal_cycle_days'), ('expansion', 'expansion_cycle_days')] -%}
        case
            when opportunities.is_closed and opportunities.deal_category = '{{ category }}'
                then cast({{ dbt.datediff('opportunities.created_date', 'opportunities.close_date', 'day') }} as {{ dbt.type_bigint() }})
        end as {{ measure }},
        {% endfor -%}
        opportunities.amount,
        opportunities.currency,
        cast(opportunities.fx_rate_to_usd as {{ dbt.type_float() }}) as fx_rate_to_usd,
        cast({{ round_half('opportunities.amount_usd', 2) }} as decimal(18, 2)) as amount_usd,
        cast({{ round_half('opportunities.amount_usd * opportunities.stage_probability', 2) }} as decimal(18, 2)) as weighted_amount_usd,
        opportunities.is_won,
        opportunities.is_lost,
        opportunities.is_closed,
        opportunities.loss_reason,
        opportunities.is_deleted
    from opportunities
    left join stage_days
        on opportunities.opportunity_id = stage_days.opportunity_id
    left join furthest_stage
        on stage_days.furthest_open_stage_order = furthest_stage.stage_order
    left join persons
        on opportunities.person_id = persons.person_id
)

select * from final
