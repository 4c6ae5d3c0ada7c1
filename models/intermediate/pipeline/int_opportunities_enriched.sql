{#-
    Opportunities with their amount converted to the reporting currency (docs/metrics.md#opportunities),
    the lead and person they came from, their current stage's order and probability
    (int_opportunity_stages_mapped: the seed's, or the CRM's own for a stage the seed does not list), and their
    deal category (docs/metrics.md#deal-categories): the opportunity type mapped by
    seeds/opportunity_types.csv, or, when the type is missing or not in the seed, derived:
      1. an opportunity that names the subscription term it renews (stripe_subscription_id or
         term_end_date) is a renewal;
      2. else one created on or before the close date of its account's first won deal (that deal
         included, and every deal of an account that never won) is new business;
      3. else one created while the account had a live Stripe subscription is an expansion;
      4. else (the account had won before but no subscription was live: a win-back) new business.
-#}

with

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
),

leads as (
    select * from {{ ref('stg_salesforce__leads') }}
),

person_records as (
    select * from {{ ref('int_person_records_matched') }}
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
),

stages as (
    select * from {{ ref('int_opportunity_stages_mapped') }}
),

opportunity_types as (
    select * from {{ ref('opportunity_types') }}
),

accounts as (
    select * from {{ ref('int_accounts_linked') }}
),

subscriptions as (
    select * from {{ ref('stg_stripe__subscriptions') }}
    where not is_deleted
),

-- the latest sync and the earliest change of each opportunity's stage history rows, soft-deleted
-- ones included (for incremental models: docs/decisions.md#incremental-models)
history_syncs as (
    select
        opportunity_id,
        max(synced_at) as history_synced_at,
        min(changed_at) as first_stage_change_at
    from {{ ref('stg_salesforce__opportunity_stage_changes') }}
    group by opportunity_id
),

-- close date of each account's first won deal
first_wins as (
    select
        account_id,
        min(close_date) as first_won_close_date
    from opportunities
    where is_won and not is_deleted and account_id is not null
    group by account_id
),

-- Stripe subscriptions of each account: through the account's matched Stripe customer, or
-- started from one of the account's opportunities
account_subscriptions as (
    select accounts.account_id, subscriptions.started_at, subscriptions.ended_at
    from subscriptions
    inner join accounts
        on subscriptions.customer_id = accounts.stripe_customer_id
    union
    select opportunities.account_id, subscriptions.started_at, subscriptions.ended_at
    from subscriptions
    inner join opportunities
        on subscriptions.salesforce_opportunity_id = opportunities.opportunity_id
    where opportunities.account_id is not null
),

live_at_creation as (
    select distinct opportunities.opportunity_id
    from opportunities
    inner join account_subscriptions
        on opportunities.account_id = account_subscriptions.account_id
        and account_subscriptions.started_at <= opportunities.created_at
        and (account_subscriptions.ended_at is null or account_subscriptions.ended_at > opportunities.created_at)
),

categorised as (
    select
        opportunities.opportunity_id,
        opportunity_types.deal_category as mapped_category,
        case
            when opportunities.stripe_subscription_id is not null or opportunities.term_end_date is not null
                then 'renewal'
            when first_wins.first_won_close_date is null
                or opportunities.created_date <= first_wins.first_won_close_date
                then 'new_business'
            when live_at_creation.opportunity_id is not null then 'expansion'
            else 'new_business'
        end as derived_category
    from opportunities
    left join opportunity_types
        on lower(trim(opportunities.opportunity_type)) = lower(trim(opportunity_types.opportunity_type))
    left join first_wins
        on opportunities.account_id = first_wins.account_id
    left join live_at_creation
        on opportunities.opportunity_id = live_at_creation.opportunity_id
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
        coalesce(categorised.mapped_category, categorised.derived_category) as deal_category,
        case when categorised.mapped_category is not null then 'opportunity_type' else 'derived' end
            as deal_category_source,
        opportunities.account_id,
        accounts.segment as account_segment,
        opportunities.owner_id,
        source_leads.lead_id as source_lead_id,
        person_records.person_id,
        opportunities.lead_source,
        opportunities.campaign_id,
        opportunities.stage_name,
        stages.stage_order,
        stages.probability as stage_probability,
        coalesce(stages.is_mapped_stage, false) as is_mapped_stage,
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
        opportunities.is_deleted,
        case
            when opportunities.synced_at is null or history_syncs.history_synced_at > opportunities.synced_at
                then history_syncs.history_synced_at
            else opportunities.synced_at
        end as last_synced_at,
        history_syncs.first_stage_change_at
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
    left join categorised
        on opportunities.opportunity_id = categorised.opportunity_id
    left join accounts
        on opportunities.account_id = accounts.account_id
    left join history_syncs
        on opportunities.opportunity_id = history_syncs.opportunity_id
)

select * from final
