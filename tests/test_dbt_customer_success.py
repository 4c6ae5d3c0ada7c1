"""Customer Success marts against the simulator's truth (`_truth/`), on generated extracts with dirt
on, loaded by the real loader and built by real dbt (the shared `built_db` fixture)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
from conftest import AS_OF


def _truth(extracts: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(extracts / "_truth" / f"{name}.csv", dtype=str, keep_default_na=False)


def _query(db: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).df()


def _diff(truth: pd.DataFrame, mart: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Rows missing on either side or differing in any shared column."""
    joined = truth.merge(mart, on=key, how="outer", suffixes=("_truth", "_mart"), indicator=True)
    bad = joined["_merge"] != "both"
    for column in (c for c in truth.columns if c in mart.columns and c not in key):
        bad |= joined[f"{column}_truth"] != joined[f"{column}_mart"]
    return joined[bad]


def test_mrr_per_customer_month_and_movement_equal_truth(built_db: Path, small_extracts: Path) -> None:
    truth = _truth(small_extracts, "mrr_monthly")[["stripe_customer_id", "month", "mrr_usd", "movement"]]
    mart = _query(
        built_db,
        """select customer_id as stripe_customer_id, strftime(month_start, '%Y-%m-%d') as month,
                  printf('%.2f', mrr_usd) as mrr_usd, mrr_movement as movement
           from customer_success.fct_customer_mrr_monthly""",
    )
    assert len(truth) > 100, "the simulation should produce a meaningful MRR history"
    assert {"new", "expansion", "contraction", "churn", "unchanged"} <= set(truth["movement"])
    diff = _diff(truth, mart, ["stripe_customer_id", "month"])
    assert diff.empty, f"{len(diff)} customer-months differ from the truth:\n{diff.head(20).to_string()}"


def test_renewal_outcomes_equal_truth(built_db: Path, small_extracts: Path) -> None:
    truth = _truth(small_extracts, "renewals")
    mart = _query(
        built_db,
        """select subscription_id, strftime(term_end_date, '%Y-%m-%d') as term_end_date,
                  coalesce(renewal_opportunity_id, '') as renewal_opportunity_id,
                  coalesce(strftime(renewal_opportunity_created_at, '%Y-%m-%d %H:%M:%S'), '') as renewal_created_at,
                  renewal_outcome as outcome, printf('%.2f', mrr_before_usd) as mrr_before,
                  coalesce(printf('%.2f', mrr_after_usd), '') as mrr_after
           from customer_success.fct_renewals""",
    )
    assert len(truth) > 10
    assert {"renewed_flat", "churned", "pending"} <= set(truth["outcome"])
    diff = _diff(truth, mart, ["subscription_id", "term_end_date"])
    assert diff.empty, f"{len(diff)} term ends differ from the truth:\n{diff.head(20).to_string()}"
    downgraded = _query(
        built_db, "select * from customer_success.fct_renewals where renewal_outcome = 'downgraded'"
    )
    assert downgraded["is_renewed"].all(), "a downgrade is a renewal, not a loss"


def _months_between(start: str, end: str) -> int:
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    return (b.year - a.year) * 12 + b.month - a.month


def _retention_from_truth(truth: pd.DataFrame, as_of_month: str) -> pd.DataFrame:
    """Cohorts recomputed from the truth MRR file alone (docs/metrics.md#retention): sums in exact
    decimals, each ratio one division of the two sums as 8-byte floats."""
    mrr = truth.assign(mrr=truth["mrr_usd"].map(Decimal))
    active = mrr[mrr["mrr"] > 0]
    first = active.groupby("stripe_customer_id")["month"].min().rename("cohort_month")
    mrr = mrr.join(first, on="stripe_customer_id")
    starting = mrr[mrr["month"] == mrr["cohort_month"]].set_index("stripe_customer_id")["mrr"]
    value = mrr.set_index(["stripe_customer_id", "month"])["mrr"].to_dict()
    rows = []
    for cohort, members in first.groupby(first):
        customers = list(members.index)
        start_total = float(sum(starting[c] for c in customers))
        for k in range(_months_between(cohort, as_of_month) + 1):
            month = (pd.Timestamp(cohort) + pd.DateOffset(months=k)).strftime("%Y-%m-%d")
            current = [value.get((c, month), Decimal(0)) for c in customers]
            rows.append({
                "cohort_month": cohort, "months_since_start": k, "starting_customers": len(customers),
                "active_customers": sum(v > 0 for v in current),
                "logo_retention": sum(v > 0 for v in current) / len(customers),
                "gross_revenue_retention": float(sum(min(v, starting[c]) for c, v in zip(customers, current, strict=True))) / start_total,
                "net_revenue_retention": float(sum(current)) / start_total,
            })  # fmt: skip
    return pd.DataFrame(rows)


def test_retention_cohorts_equal_figures_recomputed_from_truth(built_db: Path, small_extracts: Path) -> None:
    expected = _retention_from_truth(_truth(small_extracts, "mrr_monthly"), AS_OF.replace(day=1).isoformat())
    mart = _query(
        built_db,
        """select strftime(cohort_month, '%Y-%m-%d') as cohort_month, months_since_start, starting_customers,
                  active_customers, logo_retention, gross_revenue_retention, net_revenue_retention
           from customer_success.fct_retention_cohorts""",
    )
    assert len(expected) > 20
    merged = expected.merge(mart, on=["cohort_month", "months_since_start"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head(10).to_string()
    assert (merged["starting_customers_x"] == merged["starting_customers_y"]).all()
    assert (merged["active_customers_x"] == merged["active_customers_y"]).all()
    for metric in ("logo_retention", "gross_revenue_retention", "net_revenue_retention"):
        # exact: fixed-point sums and one division give the same double on every build
        assert (merged[f"{metric}_x"] == merged[f"{metric}_y"]).all(), metric
    assert (merged["gross_revenue_retention_x"] <= 1 + 1e-9).all(), "GRR can never exceed 100%"


def test_renewal_outlook_lists_the_term_ends_of_the_next_120_days(
    built_db: Path, small_extracts: Path
) -> None:
    renewals = _truth(small_extracts, "renewals")
    horizon = (pd.Timestamp(AS_OF) + pd.Timedelta(days=120)).strftime("%Y-%m-%d")
    upcoming = renewals[
        (renewals["term_end_date"] > AS_OF.isoformat()) & (renewals["term_end_date"] <= horizon)
    ]
    outlook = _query(
        built_db,
        """select subscription_id, strftime(term_end_date, '%Y-%m-%d') as term_end_date, seat_utilisation,
                  seats_used, seats_purchased, recommendation
           from customer_success.fct_renewal_outlook""",
    )
    assert set(zip(upcoming["subscription_id"], upcoming["term_end_date"], strict=True)) == set(
        zip(outlook["subscription_id"], outlook["term_end_date"], strict=True)
    )
    assert len(outlook) > 0
    measured = outlook.dropna(subset=["seat_utilisation"])
    assert len(measured) == len(outlook), "every upcoming term has usage records in the simulation"
    expected = measured["seat_utilisation"].map(
        lambda u: "upgrade" if u >= 0.9 else ("downgrade" if u < 0.7 else "flat")
    )
    assert (expected == measured["recommendation"]).all()


def test_onboarding_has_one_row_per_won_new_business_deal(built_db: Path, small_extracts: Path) -> None:
    opportunities = _truth(small_extracts, "opportunities")
    won = opportunities[(opportunities["type"] == "New Business") & (opportunities["is_won"] == "true")]
    onboarding = _query(
        built_db, "select opportunity_id, days_close_to_cs_introduction from customer_success.fct_onboarding"
    )
    assert sorted(onboarding["opportunity_id"]) == sorted(won["opportunity_id"])
    intro_days = onboarding["days_close_to_cs_introduction"].dropna()
    assert len(intro_days) > 0 and (intro_days >= 0).all() and (intro_days <= 5).all()
