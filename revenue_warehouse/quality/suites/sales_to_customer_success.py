"""Sales to customer success: every won new-business deal (closed at least ``grace_days`` before the
as-of date, so deals still in flight are not flagged) has a CS introduction, an onboarding kickoff, a
billing customer and a subscription starting within ``max_days`` of the close; the deal's annual amount
and 12 x the subscription's first MRR agree within ``tolerance``."""

from __future__ import annotations

from revenue_warehouse.quality.spec import Frame, Params, Suite, at_most, not_null

HANDOFF = "sales_to_customer_success"
NO_SUBSCRIPTION_DAYS = 99_999  # a missing subscription counts as never starting


def _won_deals_sql(params: Params) -> str:
    return f"""
with first_mrr as (
    select subscription_id, sum(mrr_usd) as first_mrr_usd
    from (
        select *, rank() over (partition by subscription_id order by period_start_date) as period_rank
        from intermediate.int_subscription_mrr_lines
    )
    where period_rank = 1
    group by 1
)
select
    o.opportunity_id,
    o.cs_introduced_at,
    o.kickoff_at,
    o.stripe_customer_id as billing_customer_id,
    coalesce(o.days_close_to_subscription, {NO_SUBSCRIPTION_DAYS}) as days_to_subscription,
    abs(p.amount_usd - 12 * m.first_mrr_usd) / nullif(p.amount_usd, 0) as amount_gap
from customer_success.fct_onboarding as o
left join sales.fct_opportunities as p using (opportunity_id)
left join first_mrr as m using (subscription_id)
where cast(o.closed_at as date) <= date '{params["as_of"]}' - to_days({int(params["grace_days"])})
order by 1
"""


SUITE = Suite(
    name=HANDOFF,
    handoff=HANDOFF,
    description="Won deals are introduced to customer success, onboarded and billed as sold.",
    frames=(
        Frame(
            "won_deals",
            guards="customer_success.fct_onboarding",
            key="opportunity_id",
            sql=_won_deals_sql,
            expectations=(
                not_null(
                    "won_deal_has_cs_introduction", "cs_introduced_at", "A CS introduction task is logged."
                ),
                not_null(
                    "won_deal_has_onboarding_kickoff", "kickoff_at", "An onboarding kickoff meeting is held."
                ),
                not_null("won_deal_has_billing_customer", "billing_customer_id", "A Stripe customer exists."),
                at_most(
                    "won_deal_has_subscription_in_time",
                    "days_to_subscription",
                    "max_days",
                    "A subscription starts at most max_days after the close date.",
                ),
                at_most(
                    "deal_amount_matches_subscription",
                    "amount_gap",
                    "tolerance",
                    "|deal annual amount - 12 x first subscription MRR| / deal annual amount (USD).",
                ),
            ),
        ),
    ),
)
