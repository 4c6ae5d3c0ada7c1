{#-
    Opportunities with their amount converted to the reporting currency (docs/metrics.md#opportunities),
    the lead and person they came from, and their current stage's order and probability.
-#}

with

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
),

leads as (
    select * from {{ ref('stg_salesforce__leads') }}
),

person_records as (
    select * from {{ ref('int_person_records') }}
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
),

stages as (
    select * from {{ ref('opportunity_stages') }}
),

-- the lead an opportunity was converted from: a live lead wins over a soft-deleted one
source_leads as (
    select
        converted_opportunity_id,
        lead_id
    from (
        select
            converted_opportunity_id,
            lead_id,
            row_number() over (
                partition by converted_opportunity_id
                order by is_deleted, created_at, lead_id
            ) as lead_rank
        from leads
        where converted_opportunity_id is not null
    ) as ranked
    where lead_rank = 1
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.opportunity_name,
        opportunities.opportunity_type,
        case opportunities.opportunity_type
            when 'New Business' then 'new_business'
            when 'Renewal' then 'renewal'
            when 'Upsell' then 'upsell'
            else 'other'
        end as opportunity_type_code,
        opportunities.account_id,
        opportunities.owner_id,
        source_leads.lead_id as source_lead_id,
        person_records.person_id,
        opportunities.lead_source,
        opportunities.campaign_id,
        opportunities.stage_name,
        stages.stage_order,
        stages.probability as stage_probability,
        opportunities.created_at,
        opportunities.created_date,
        opportunities.close_date,
        case when opportunities.is_closed then opportunities.close_date end as closed_date,
        opportunities.amount,
        opportunities.currency,
        fx_rates.rate_to_usd as fx_rate_to_usd,
        opportunities.amount * fx_rates.rate_to_usd as amount_usd,
        opportunities.is_closed,
        opportunities.is_won,
        opportunities.is_closed and not opportunities.is_won as is_lost,
        opportunities.loss_reason,
        opportunities.forecast_category,
        opportunities.stripe_subscription_id,
        opportunities.term_end_date,
        opportunities.is_deleted
    from opportunities
    left join source_leads
        on opportunities.opportunity_id = source_leads.converted_opportunity_id
    left join person_records
        on person_records.source_system = 'salesforce'
        and person_records.record_type = 'lead'
        and source_leads.lead_id = person_records.record_id
    left join fx_rates
        on opportunities.currency = fx_rates.currency
    left join stages
        on opportunities.stage_name = stages.stage_name
)

select * from final
