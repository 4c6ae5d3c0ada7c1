"""Handoff marts against the simulator's truth: every handoff instance with its outcome and timing,
SLA evaluation from the configured SLAs, and the weekly summary recomputed from the truth."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from revenue_warehouse.paths import PROJECT_DIR

# fct_handoffs names the first required stage not reached; the truth names the same steps in words.
MISSING_STEP_IN_TRUTH = {
    "sales_accepted": "sales_pickup",
    "cs_introduced": "cs_introduction",
    "subscribed": "billing_subscription",
    "onboarded": "onboarding_kickoff",
    "renewal_opportunity": "renewal_opportunity",
    "renewal_decided": "outcome",
}
TS = "%Y-%m-%d %H:%M:%S"


def truth_handoffs(extracts: Path) -> pd.DataFrame:
    return pd.read_csv(extracts / "_truth" / "handoffs.csv", dtype=str, keep_default_na=False)


def mart_handoffs(db: Path) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        df = con.execute(
            f"""select handoff, record_id, strftime(handed_at, '{TS}') as handed_at,
                       coalesce(strftime(picked_up_at, '{TS}'), '') as picked_up_at,
                       case when is_complete then 'true' else 'false' end as is_complete,
                       coalesce(missing_step, '') as missing_step, hours_to_pickup, sla_hours, is_within_sla,
                       from_department, to_department, handed_week
                from funnel.fct_handoffs"""
        ).df()
    df["missing_step"] = df["missing_step"].map(lambda s: MISSING_STEP_IN_TRUTH.get(s, s))
    return df


def assert_same_instances(truth: pd.DataFrame, mart: pd.DataFrame) -> None:
    cols = ["handoff", "record_id", "handed_at", "picked_up_at", "is_complete", "missing_step"]
    joined = truth[cols].merge(mart[cols], on=["handoff", "record_id"], how="outer", indicator=True)
    bad = joined["_merge"] != "both"
    for column in cols[2:]:
        bad |= joined[f"{column}_x"] != joined[f"{column}_y"]
    assert not bad.any(), (
        f"{bad.sum()} handoff instances differ from the truth:\n{joined[bad].head(20).to_string()}"
    )


def test_every_handoff_instance_equals_truth(built_db: Path, small_extracts: Path) -> None:
    truth = truth_handoffs(small_extracts)
    assert set(truth["handoff"]) == {
        "marketing_to_sales",
        "sales_to_customer_success",
        "customer_success_to_renewal",
    }
    assert (truth["is_complete"] == "false").sum() > 0, "the simulation should carry incomplete handoffs"
    assert_same_instances(truth, mart_handoffs(built_db))


def test_sla_evaluation_follows_the_configured_slas(built_db: Path, small_extracts: Path) -> None:
    slas = pd.read_csv(PROJECT_DIR / "seeds" / "handoff_slas.csv").set_index("handoff")["sla_hours"]
    truth = truth_handoffs(small_extracts)
    picked = truth["picked_up_at"] != ""
    hours = (
        pd.to_datetime(truth["picked_up_at"].where(picked)) - pd.to_datetime(truth["handed_at"])
    ).dt.total_seconds() / 3600
    truth = truth.assign(expected_within=picked & (hours <= truth["handoff"].map(slas)))
    mart = mart_handoffs(built_db).merge(
        truth[["handoff", "record_id", "expected_within"]], on=["handoff", "record_id"]
    )
    assert len(mart) == len(truth)
    assert (mart["is_within_sla"] == mart["expected_within"]).all()
    assert mart["is_within_sla"].any() and not mart["is_within_sla"].all()


def test_weekly_summary_recomputed_from_truth(built_db: Path, small_extracts: Path) -> None:
    slas = pd.read_csv(PROJECT_DIR / "seeds" / "handoff_slas.csv").set_index("handoff")["sla_hours"]
    truth = truth_handoffs(small_extracts)
    handed = pd.to_datetime(truth["handed_at"])
    picked = pd.to_datetime(truth["picked_up_at"].replace("", None))
    hours = (picked - handed).dt.total_seconds() / 3600
    frame = pd.DataFrame({
        "handoff": truth["handoff"], "handed_week": (handed - pd.to_timedelta(handed.dt.day_of_week, unit="D")).dt.strftime("%Y-%m-%d"),
        "picked": picked.notna(), "within": hours <= truth["handoff"].map(slas), "incomplete": truth["is_complete"] == "false",
        "hours": hours,
    })  # fmt: skip
    expected = frame.groupby(["handoff", "handed_week"]).agg(
        handed_count=("handoff", "size"), picked_up_count=("picked", "sum"), within_sla_count=("within", "sum"),
        incomplete_count=("incomplete", "sum"), median_hours_to_pickup=("hours", "median"),
    ).reset_index()  # fmt: skip
    with duckdb.connect(str(built_db), read_only=True) as con:
        mart = con.execute(
            """select handoff, strftime(handed_week, '%Y-%m-%d') as handed_week, handed_count, picked_up_count,
                      within_sla_count, incomplete_count, median_hours_to_pickup
               from funnel.fct_handoff_summary"""
        ).df()
    merged = expected.merge(mart, on=["handoff", "handed_week"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head(10).to_string()
    for column in ("handed_count", "picked_up_count", "within_sla_count", "incomplete_count"):
        assert (merged[f"{column}_x"] == merged[f"{column}_y"]).all(), column
    both = merged.dropna(subset=["median_hours_to_pickup_x"])
    assert ((both["median_hours_to_pickup_x"] - both["median_hours_to_pickup_y"]).abs() < 1e-3).all()
    assert merged["median_hours_to_pickup_y"][merged["median_hours_to_pickup_x"].isna()].isna().all()
