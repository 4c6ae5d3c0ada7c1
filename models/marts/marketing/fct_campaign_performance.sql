{#-
    Campaign x month (docs/metrics.md#attribution): delivery (impressions, clicks, spend in USD),
    sessions that came through the campaign, leads / MQLs / opportunities / won deals whose first
    touch was the campaign (counted in the month of the lead, MQL, opportunity creation or close),
    and W-shaped attributed pipeline created and won amount. Costs per lead, MQL and won deal are
    spend / count, 0.00 when there was no spend and null when the count is 0; money is summed and
    divided as fixed-point numerics (each product cast before the sum), so totals do not depend on
    the order in which a parallel aggregate adds floating-point rows. Return on spend is not a
    month's spend into the same month's wins: see fct_campaign_return_on_spend (per attribution
    model and cohort of touches).
-#}

with

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

daily_metrics as (
    select * from {{ ref('stg_hubspot__ad_campaign_daily_metrics') }}
),

touches as (
    select * from {{ ref('int_marketing_touches_unioned') }}
),

attribution as (
    select * from {{ ref('int_attribution_touches_weighted') }}
),

leads as (
    select * from {{ ref('fct_leads') }}
    where not is_deleted
),

opportunities as (
    select * from {{ ref('fct_opportunities') }}
    where not is_deleted
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
),

delivery as (
    select
        campaigns.campaign_id,
        cast({{ dbt.date_trunc('month', 'daily_metrics.metric_date') }} as date) as campaign_month,
        cast(sum(daily_metrics.impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(daily_metrics.clicks) as {{ dbt.type_bigint() }}) as clicks,
        sum(cast(daily_metrics.spend * coalesce(fx_rates.rate_to_usd, 1) as {{ dbt.type_numeric() }})) as spend_usd
    from daily_metrics
    inner join campaigns
        on campaigns.campaign_type = 'ad'
        and cast(daily_metrics.ad_campaign_id as {{ dbt.type_string() }}) = campaigns.source_campaign_id
    left join fx_rates
        on campaigns.currency = fx_rates.currency
    group by 1, 2
),

sessions as (
    select
        campaign_id,
        cast({{ dbt.date_trunc('month', 'touched_at') }} as date) as campaign_month,
        count(*) as sessions
    from touches
    where campaign_id is not null and touch_source = 'web_session'
    group by 1, 2
),

lead_counts as (
    select
        first_touch_campaign_id as campaign_id,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as campaign_month,
        count(*) as leads
    from leads
    where first_touch_campaign_id is not null
    group by 1, 2
),

mql_counts as (
    select
        first_touch_campaign_id as campaign_id,
        cast({{ dbt.date_trunc('month', 'mql_at') }} as date) as campaign_month,
        count(*) as mqls
    from leads
    where first_touch_campaign_id is not null and mql_at is not null
    group by 1, 2
),

opportunity_counts as (
    select
        attribution.campaign_id,
        cast({{ dbt.date_trunc('month', 'opportunities.created_at') }} as date) as campaign_month,
        cast(sum(case when attribution.is_first_touch then 1 else 0 end) as {{ dbt.type_bigint() }}) as opportunities,
        sum(cast(opportunities.amount_usd * attribution.w_shaped_weight as {{ dbt.type_numeric() }})) as pipeline_created_usd
    from attribution
    inner join opportunities
        on attribution.conversion_type = 'opportunity'
        and attribution.conversion_id = opportunities.opportunity_id
    where attribution.campaign_id is not null
    group by 1, 2
),

won_amounts as (
    select
        attribution.campaign_id,
        cast({{ dbt.date_trunc('month', 'opportunities.close_date') }} as date) as campaign_month,
        sum(cast(opportunities.amount_usd * attribution.w_shaped_weight as {{ dbt.type_numeric() }})) as won_amount_usd,
        cast(sum(case when attribution.is_first_touch then 1 else 0 end) as {{ dbt.type_bigint() }}) as won_deals
    from attribution
    inner join opportunities
        on attribution.conversion_type = 'opportunity'
        and attribution.conversion_id = opportunities.opportunity_id
    where attribution.campaign_id is not null and opportunities.is_won
    group by 1, 2
),

campaign_months as (
    select campaign_id, campaign_month from delivery
    union
    select campaign_id, campaign_month from sessions
    union
    select campaign_id, campaign_month from lead_counts
    union
    select campaign_id, campaign_month from mql_counts
    union
    select campaign_id, campaign_month from opportunity_counts
    union
    select campaign_id, campaign_month from won_amounts
),

final as (
    select
        {{ generate_surrogate_key(['campaign_months.campaign_id', 'campaign_months.campaign_month']) }} as campaign_month_id,
        campaign_months.campaign_id,
        campaign_months.campaign_month,
        coalesce(delivery.impressions, 0) as impressions,
        coalesce(delivery.clicks, 0) as clicks,
        cast(coalesce(delivery.spend_usd, 0) as decimal(18, 2)) as spend_usd,
        coalesce(sessions.sessions, 0) as sessions,
        coalesce(lead_counts.leads, 0) as leads,
        coalesce(mql_counts.mqls, 0) as mqls,
        coalesce(opportunity_counts.opportunities, 0) as opportunities,
        cast(coalesce(opportunity_counts.pipeline_created_usd, 0) as decimal(18, 2)) as pipeline_created_usd,
        cast(coalesce(won_amounts.won_amount_usd, 0) as decimal(18, 2)) as won_amount_usd,
        coalesce(won_amounts.won_deals, 0) as won_deals,
        {% for measure, counts in [('cost_per_lead_usd', 'lead_counts.leads'), ('cost_per_mql_usd', 'mql_counts.mqls'), ('cost_per_won_deal_usd', 'won_amounts.won_deals')] -%}
        cast(
            cast(coalesce(delivery.spend_usd, 0) as decimal(18, 2)) / cast(nullif({{ counts }}, 0) as decimal(18, 2))
            as decimal(18, 2)
        ) as {{ measure }}{{ ',' if not loop.last }}
        {% endfor %}
    from campaign_months
    left join delivery
        on campaign_months.campaign_id = delivery.campaign_id
        and campaign_months.campaign_month = delivery.campaign_month
    left join sessions
        on campaign_months.campaign_id = sessions.campaign_id
        and campaign_months.campaign_month = sessions.campaign_month
    left join lead_counts
        on campaign_months.campaign_id = lead_counts.campaign_id
        and campaign_months.campaign_month = lead_counts.campaign_month
    left join mql_counts
        on campaign_months.campaign_id = mql_counts.campaign_id
        and campaign_months.campaign_month = mql_counts.campaign_month
    left join opportunity_counts
        on campaign_months.campaign_id = opportunity_counts.campaign_id
        and campaign_months.campaign_month = opportunity_counts.campaign_month
    left join won_amounts
        on campaign_months.campaign_id = won_amounts.campaign_id
        and campaign_months.campaign_month = won_amounts.campaign_month
)

select * from final
