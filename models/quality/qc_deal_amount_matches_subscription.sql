{#-
    Handoff check sales_to_customer_success / deal_amount_matches_subscription: one row per won new-
    business deal with a subscription: does the deal's annual amount (USD) match 12 x the
    subscription's first MRR within var('quality_amount_tolerance')? amount_gap =
    |amount - 12 x first MRR| / amount. Due once the deal closed var('quality_grace_days') days ago.
-#}
with

onboarding as (
    select * from {{ ref('fct_onboarding') }} where subscription_id is not null
),

opportunities as (
    select * from {{ ref('fct_opportunities') }}
),

mrr_lines as (
    select * from {{ ref('int_subscription_lines_normalized') }}
),

first_periods as (
    select
        subscription_id,
        min(period_start_date) as first_period_start_date
    from mrr_lines
    group by 1
),

first_mrr as (
    select
        mrr_lines.subscription_id,
        sum(mrr_lines.mrr_usd) as first_mrr_usd
    from mrr_lines
    inner join first_periods
        on mrr_lines.subscription_id = first_periods.subscription_id
        and mrr_lines.period_start_date = first_periods.first_period_start_date
    group by 1
),

gaps as (
    select
        onboarding.opportunity_id,
        onboarding.subscription_id,
        onboarding.closed_at,
        opportunities.amount_usd,
        first_mrr.first_mrr_usd,
        cast(
            abs(opportunities.amount_usd - 12 * first_mrr.first_mrr_usd) / nullif(opportunities.amount_usd, 0)
            as {{ type_double() }}
        ) as amount_gap
    from onboarding
    left join opportunities
        on onboarding.opportunity_id = opportunities.opportunity_id
    left join first_mrr
        on onboarding.subscription_id = first_mrr.subscription_id
),

final as (
    select
        opportunity_id as check_key,
        opportunity_id,
        subscription_id,
        closed_at,
        amount_usd,
        first_mrr_usd,
        amount_gap,
        {{ check_status_columns(
            'amount_gap <= ' ~ var('quality_amount_tolerance'),
            won_deal_is_due('closed_at'),
        ) }}
    from gaps
)

select * from final
