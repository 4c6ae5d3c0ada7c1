{#-
    Return on ad spend per campaign, month of touch (the cohort) and attribution model
    (docs/metrics.md#return-on-spend). A campaign month's spend buys that month's touches; the
    return of that spend is what the deals those touches helped win brought, whenever they closed:
    for each won opportunity and each of its touches through the campaign in the month, amount_usd x
    the touch's weight under the model (first_touch, last_touch, linear, w_shaped). Won deals are
    the same sum of weights (a deal counts once across its touches). Spend and won amounts are
    fixed-point numerics; ratios are null when there was no spend or no won deal. Summing spend and
    won amounts over cohort months before dividing gives a campaign's return over any period.
-#}

with

performance as (
    select * from {{ ref('fct_campaign_performance') }}
),

attribution as (
    select * from {{ ref('int_attribution_touches_weighted') }}
    where conversion_type = 'opportunity' and campaign_id is not null
),

won_opportunities as (
    select * from {{ ref('fct_opportunities') }}
    where is_won and not is_deleted
),

models as (
    select 'first_touch' as attribution_model
    union all
    select 'last_touch'
    union all
    select 'linear'
    union all
    select 'w_shaped'
),

weighted as (
    select
        attribution.campaign_id,
        cast({{ dbt.date_trunc('month', 'attribution.touched_at') }} as date) as cohort_month,
        models.attribution_model,
        won_opportunities.amount_usd,
        case models.attribution_model
            when 'first_touch' then attribution.first_touch_weight
            when 'last_touch' then attribution.last_touch_weight
            when 'linear' then attribution.linear_weight
            else attribution.w_shaped_weight
        end as weight
    from attribution
    inner join won_opportunities
        on attribution.conversion_id = won_opportunities.opportunity_id
    cross join models
),

returns as (
    select
        campaign_id,
        cohort_month,
        attribution_model,
        sum(cast(weight as {{ dbt.type_numeric() }})) as won_deals,
        sum(cast(amount_usd * weight as {{ dbt.type_numeric() }})) as won_amount_usd
    from weighted
    group by campaign_id, cohort_month, attribution_model
),

spend as (
    select campaign_id, campaign_month as cohort_month, spend_usd
    from performance
),

cohorts as (
    select campaign_id, cohort_month from spend
    union
    select campaign_id, cohort_month from returns
),

final as (
    select
        {{ generate_surrogate_key(['cohorts.campaign_id', 'cohorts.cohort_month', 'models.attribution_model']) }}
            as campaign_return_id,
        cohorts.campaign_id,
        cohorts.cohort_month,
        models.attribution_model,
        cast(coalesce(spend.spend_usd, 0) as decimal(18, 2)) as spend_usd,
        cast(coalesce(returns.won_deals, 0) as decimal(18, 4)) as won_deals,
        cast(coalesce(returns.won_amount_usd, 0) as decimal(18, 2)) as won_amount_usd,
        cast(
            cast(coalesce(spend.spend_usd, 0) as decimal(18, 2)) / nullif(cast(returns.won_deals as decimal(18, 4)), 0)
            as decimal(18, 2)
        ) as cost_per_won_deal_usd,
        cast(
            cast(returns.won_amount_usd as decimal(18, 2)) / nullif(cast(spend.spend_usd as decimal(18, 2)), 0)
            as decimal(18, 4)
        ) as return_on_spend
    from cohorts
    cross join models
    left join spend
        on cohorts.campaign_id = spend.campaign_id
        and cohorts.cohort_month = spend.cohort_month
    left join returns
        on cohorts.campaign_id = returns.campaign_id
        and cohorts.cohort_month = returns.cohort_month
        and models.attribution_model = returns.attribution_model
)

select * from final
