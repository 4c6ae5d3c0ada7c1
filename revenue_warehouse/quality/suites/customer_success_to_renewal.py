"""Customer success to renewal: every subscription term ending within ``window_days`` after the as-of
date (or already ended) has a renewal opportunity; every term that has ended has an outcome."""

from __future__ import annotations

from revenue_warehouse.quality.spec import Expectation, Frame, Params, Suite, not_null

HANDOFF = "customer_success_to_renewal"
OUTCOMES = ["renewed_flat", "upgraded", "downgraded", "churned"]


def _term_ends_sql(params: Params, ended_only: bool) -> str:
    horizon = 0 if ended_only else int(params["window_days"])
    return f"""
select
    r.subscription_id || ' @ ' || cast(r.term_end_date as varchar) as term_key,
    r.renewal_opportunity_id,
    r.renewal_outcome as outcome
from customer_success.fct_renewals as r
where r.term_end_date <= date '{params["as_of"]}' + to_days({horizon})
order by 1
"""


def _term_frame(name: str, ended_only: bool, expectation: Expectation) -> Frame:
    return Frame(
        name,
        guards="customer_success.fct_renewals",
        key="term_key",
        sql=lambda p: _term_ends_sql(p, ended_only=ended_only),
        expectations=(expectation,),
    )


HAS_RENEWAL_OPPORTUNITY = not_null(
    "term_end_has_renewal_opportunity",
    "renewal_opportunity_id",
    "Every term ending within window_days (or already ended) has a renewal opportunity.",
)
HAS_OUTCOME = Expectation(
    "ended_term_has_outcome",
    "ExpectColumnValuesToBeInSet",
    lambda p: {"column": "outcome", "value_set": OUTCOMES},
    "Every ended term has an outcome (renewed flat, upgraded, downgraded or churned).",
    threshold=lambda p: f"outcome in {OUTCOMES}",
)

SUITE = Suite(
    name=HANDOFF,
    handoff=HANDOFF,
    description="Terms coming up for renewal have a renewal opportunity, and ended terms an outcome.",
    frames=(
        _term_frame("term_ends_in_window", False, HAS_RENEWAL_OPPORTUNITY),
        _term_frame("ended_terms", True, HAS_OUTCOME),
    ),
)
