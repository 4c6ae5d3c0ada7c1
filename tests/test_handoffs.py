"""Handoff marts against the simulator's truth: every handoff instance with its outcome and timing,
SLA evaluation and status (met / breached / pending / incomplete) from the configured SLAs and the
as-of date, every MQL one marketing-to-sales instance (as many as marketing.fct_leads counts), and the
weekly summary recomputed from the truth with rates over decided instances only."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from conftest import AS_OF

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


def expected_status(
    truth: pd.DataFrame, slas_csv: Path = PROJECT_DIR / "seeds" / "handoff_slas.csv"
) -> pd.Series:
    """met / breached / pending / incomplete from the truth's times, the SLAs and the as-of date."""
    slas = pd.read_csv(slas_csv).set_index("handoff")["sla_hours"]
    handed = pd.to_datetime(truth["handed_at"])
    picked = pd.to_datetime(truth["picked_up_at"].replace("", None))
    due = handed + pd.to_timedelta(truth["handoff"].map(slas), unit="h")
    end_of_as_of = pd.Timestamp(AS_OF) + pd.Timedelta(seconds=86399)
    within = (picked - handed) <= pd.to_timedelta(truth["handoff"].map(slas), unit="h")
    status = pd.Series("incomplete", index=truth.index)
    status[picked.isna() & (due > end_of_as_of)] = "pending"
    status[picked.notna()] = "breached"
    status[picked.notna() & within] = "met"
    return status


def mart_handoffs(db: Path) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        df = con.execute(
            f"""select handoff, coalesce(record_id, '') as record_id, strftime(handed_at, '{TS}') as handed_at,
                       coalesce(strftime(picked_up_at, '{TS}'), '') as picked_up_at,
                       case when is_complete then 'true' else 'false' end as is_complete,
                       coalesce(missing_step, '') as missing_step, hours_to_pickup, sla_hours, is_within_sla,
                       from_department, to_department, handed_week, status
                from funnel.fct_handoffs"""
        ).df()
    df["missing_step"] = df["missing_step"].map(lambda s: MISSING_STEP_IN_TRUTH.get(s, s))
    return df


def assert_same_instances(
    truth: pd.DataFrame, mart: pd.DataFrame, slas_csv: Path = PROJECT_DIR / "seeds" / "handoff_slas.csv"
) -> None:
    """Same instances, keyed by (handoff, record id); an MQL not synced to the CRM has no record id
    and is keyed by its MQL time instead. Statuses as the SLAs in ``slas_csv`` imply."""
    cols = ["handoff", "record_id", "handed_at", "picked_up_at", "is_complete", "missing_step", "status"]
    truth = truth.assign(status=expected_status(truth, slas_csv))

    def keyed(df: pd.DataFrame) -> pd.DataFrame:
        return df[cols].assign(key=df["record_id"].where(df["record_id"] != "", "MQL@" + df["handed_at"]))

    joined = keyed(truth).merge(keyed(mart), on=["handoff", "key"], how="outer", indicator=True)
    joined = joined.rename(columns={"record_id_x": "record_x", "record_id_y": "record_y"})
    bad = joined["_merge"] != "both"
    for column in ["record", *cols[2:]]:
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
    status = expected_status(truth)
    assert {"met", "breached", "incomplete"} <= set(status), status.value_counts()
    assert_same_instances(truth, mart_handoffs(built_db))


def test_every_mql_is_one_marketing_to_sales_instance(built_db: Path, small_extracts: Path) -> None:
    persons = pd.read_csv(small_extracts / "_truth" / "persons.csv", dtype=str, keep_default_na=False)
    mqls = persons[
        (persons["mql_at"] != "")
        & (pd.to_datetime(persons["mql_at"].replace("", None)) <= pd.Timestamp(AS_OF) + pd.Timedelta(days=1))
    ]
    with duckdb.connect(str(built_db), read_only=True) as con:
        instances = con.execute(
            "select count(*) from funnel.fct_handoffs where handoff = 'marketing_to_sales'"
        ).fetchone()[0]
        leads = con.execute(
            "select count(*) from marketing.fct_leads where is_mql and not is_deleted"
        ).fetchone()[0]
        summary = con.execute(
            "select sum(handed_count) from funnel.fct_handoff_summary where handoff = 'marketing_to_sales'"
        ).fetchone()[0]
    assert instances == leads == summary == len(mqls)


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


def test_renewal_sla_matches_the_simulated_renewal_process(small_extracts: Path) -> None:
    """The shipped renewal SLA is reachable by the process the simulator models (renewal opportunities
    opened 35..115 days before the term end): the decided renewal handoffs meet the target share."""
    slas = pd.read_csv(PROJECT_DIR / "seeds" / "handoff_slas.csv").set_index("handoff")
    truth = truth_handoffs(small_extracts)
    renewals = expected_status(truth)[truth["handoff"] == "customer_success_to_renewal"]
    decided = renewals[renewals != "pending"]
    assert len(decided) >= 10
    assert (decided == "met").mean() >= slas.loc["customer_success_to_renewal", "target_share"]


def test_weekly_summary_recomputed_from_truth(built_db: Path, small_extracts: Path) -> None:
    slas = pd.read_csv(PROJECT_DIR / "seeds" / "handoff_slas.csv").set_index("handoff")["sla_hours"]
    truth = truth_handoffs(small_extracts)
    handed = pd.to_datetime(truth["handed_at"])
    picked = pd.to_datetime(truth["picked_up_at"].replace("", None))
    hours = (picked - handed).dt.total_seconds() / 3600
    status = expected_status(truth)
    frame = pd.DataFrame({
        "handoff": truth["handoff"], "handed_week": (handed - pd.to_timedelta(handed.dt.day_of_week, unit="D")).dt.strftime("%Y-%m-%d"),
        "picked": picked.notna(), "within": hours <= truth["handoff"].map(slas), "missing": truth["is_complete"] == "false",
        "hours": hours, "pending": status == "pending", "met": status == "met", "breached": status == "breached",
        "incomplete": status == "incomplete", "decided": status != "pending",
    })  # fmt: skip
    expected = frame.groupby(["handoff", "handed_week"]).agg(
        handed_count=("handoff", "size"), picked_up_count=("picked", "sum"), within_sla_count=("within", "sum"),
        pending_count=("pending", "sum"), met_count=("met", "sum"), breached_count=("breached", "sum"),
        incomplete_count=("incomplete", "sum"), decided_count=("decided", "sum"), missing_step_count=("missing", "sum"),
        median_hours_to_pickup=("hours", "median"),
    ).reset_index()  # fmt: skip
    expected["within_sla_share"] = expected["met_count"] / expected["decided_count"].where(
        expected["decided_count"] > 0
    )
    with duckdb.connect(str(built_db), read_only=True) as con:
        mart = con.execute(
            """select handoff, strftime(handed_week, '%Y-%m-%d') as handed_week, handed_count, picked_up_count,
                      within_sla_count, pending_count, met_count, breached_count, incomplete_count, decided_count,
                      missing_step_count, median_hours_to_pickup, within_sla_share
               from funnel.fct_handoff_summary"""
        ).df()
    merged = expected.merge(mart, on=["handoff", "handed_week"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head(10).to_string()
    counts = ("handed_count", "picked_up_count", "within_sla_count", "pending_count", "met_count", "breached_count",
              "incomplete_count", "decided_count", "missing_step_count")  # fmt: skip
    for column in counts:
        assert (merged[f"{column}_x"] == merged[f"{column}_y"]).all(), column
    shares = merged.dropna(subset=["within_sla_share_x"])
    assert ((shares["within_sla_share_x"] - shares["within_sla_share_y"]).abs() < 1e-12).all()  # a double
    assert merged["within_sla_share_y"][merged["within_sla_share_x"].isna()].isna().all()
    assert merged["pending_count_x"].sum() > 0, "the as-of date should leave some handoffs pending"
    both = merged.dropna(subset=["median_hours_to_pickup_x"])
    assert ((both["median_hours_to_pickup_x"] - both["median_hours_to_pickup_y"]).abs() < 1e-3).all()
    assert merged["median_hours_to_pickup_y"][merged["median_hours_to_pickup_x"].isna()].isna().all()
