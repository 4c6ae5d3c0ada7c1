"""Customer success to renewal: every subscription term whose renewal window opened gets a renewal
opportunity within the handoff's SLA; every term that has ended has an outcome. The logic is in the
check models ``quality.qc_term_end_has_renewal_opportunity`` and ``qc_ended_term_has_outcome``."""

from __future__ import annotations

from revenue_warehouse.quality.spec import DUE_DATE, Params, Suite, check_model_frame, met_at_least

HANDOFF = "customer_success_to_renewal"
NEEDS = {"systems": ("crm", "billing")}


def _subscriptions(params: Params) -> str:
    """Won deals with a subscription: each has at least one term (customer_success.fct_renewals)."""
    return "select count(distinct subscription_id) from customer_success.fct_onboarding"


SUITE = Suite(
    name=HANDOFF,
    handoff=HANDOFF,
    description="Terms coming up for renewal have a renewal opportunity, and ended terms an outcome.",
    frames=(
        check_model_frame(
            met_at_least(
                "term_end_has_renewal_opportunity",
                "Every term whose renewal window opened gets a renewal opportunity within the SLA.",
            ),
            "qc_term_end_has_renewal_opportunity",
            window_column=DUE_DATE,
            **NEEDS,
        ),
        check_model_frame(
            met_at_least(
                "ended_term_has_outcome",
                "Every ended term has an outcome (renewed flat, upgraded, downgraded or churned).",
            ),
            "qc_ended_term_has_outcome",
            upstream=_subscriptions,
            window_column=DUE_DATE,
            **NEEDS,
        ),
    ),
)
