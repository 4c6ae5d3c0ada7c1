"""Sales to customer success: every won new-business deal gets a CS introduction (within the
handoff's SLA), an onboarding kickoff, a billing customer and a subscription starting in time, and is
billed as sold. The logic (what is due when, thresholds) is in the check models
``quality.qc_won_deal_*`` / ``qc_deal_amount_matches_subscription``; these frames only assert."""

from __future__ import annotations

from revenue_warehouse.quality.spec import DUE_DATE, Params, Suite, check_model_frame, met_at_least

HANDOFF = "sales_to_customer_success"
# The won deals that start a customer-success handoff, in sales.fct_opportunities.
WON_NEW_BUSINESS = "is_won and not is_deleted and deal_category = 'new_business'"
CRM = {"systems": ("crm",)}
CRM_AND_BILLING = {"systems": ("crm", "billing")}


def _won_deals(params: Params) -> str:
    return f"select count(*) from sales.fct_opportunities where {WON_NEW_BUSINESS}"


def _frame(name: str, description: str, needs: dict, model: str | None = None, window: str | None = None):
    return check_model_frame(
        met_at_least(name, description),
        model or f"qc_{name}",
        upstream=_won_deals,
        window_column=window,
        **needs,
    )


SUITE = Suite(
    name=HANDOFF,
    handoff=HANDOFF,
    description="Won deals are introduced to customer success, onboarded and billed as sold.",
    frames=(
        _frame("won_deal_has_cs_introduction", "A CS introduction task is logged.", CRM, window=DUE_DATE),
        _frame(
            "won_deal_has_onboarding_kickoff", "An onboarding kickoff meeting is held.", CRM, window=DUE_DATE
        ),
        _frame(
            "won_deal_has_billing_customer", "A Stripe customer exists.", CRM_AND_BILLING, window=DUE_DATE
        ),
        _frame(
            "won_deal_has_subscription_in_time",
            "A subscription starts at most var('quality_subscription_max_days') days after the close.",
            CRM_AND_BILLING,
            window=DUE_DATE,
        ),
        _frame(
            "deal_amount_matches_subscription",
            "The deal's annual amount (USD) is 12 x the first subscription MRR, within the tolerance.",
            CRM_AND_BILLING,
            model="qc_deal_amount_matches_subscription",
        ),
    ),
)
