"""Trailing-twelve-month NRR/GRR, logo churn by segment and handoff SLA attainment by month, against values
recomputed here from the simulator's truth (`_truth/`) with the definitions in docs/metrics.md."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_handoffs import expected_status

from revenue_warehouse.paths import PROJECT_DIR

pytestmark = pytest.mark.slow


def truth(extracts: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(extracts / "_truth" / f"{name}.csv", dtype=str, keep_default_na=False)


def mart(db: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).df()


def month_add(month: str, k: int) -> str:
    year, mon = int(month[:4]), int(month[5:7]) - 1 + k
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}-01"


def expected_ttm_retention(extracts: Path, as_of_month: str) -> dict[str, tuple[int, Decimal, Decimal]]:
    """month -> (base customers, NRR, GRR) by docs/metrics.md#ttm-retention."""
    rows = truth(extracts, "mrr_monthly")
    mrr = {(r.stripe_customer_id, r.month): Decimal(r.mrr_usd) for r in rows.itertuples()}
    months, month = {}, month_add(min(rows["month"]), 12)
    while month <= as_of_month:
        base = {c: v for (c, m), v in mrr.items() if m == month_add(month, -12) and v > 0}
        current = {c: mrr.get((c, month), Decimal(0)) for c in base}
        total = sum(base.values())
        if total:
            nrr = sum(current.values()) / total
            grr = sum(min(current[c], base[c]) for c in base) / total
            months[month] = (len(base), nrr, grr)
        else:
            months[month] = (0, None, None)
        month = month_add(month, 1)
    return months


def test_ttm_nrr_and_grr_by_month_equal_truth(built_db: Path, small_extracts: Path) -> None:
    from conftest import AS_OF

    expected = expected_ttm_retention(small_extracts, AS_OF.strftime("%Y-%m-01"))
    got = mart(
        built_db,
        """select strftime(month_start, '%Y-%m-%d') as month, base_customers, base_mrr_usd, net_revenue_retention,
                  gross_revenue_retention from customer_success.fct_revenue_retention_monthly""",
    )
    assert sorted(got["month"]) == sorted(expected) and len(expected) >= 6
    assert sum(n for n, _, _ in expected.values()) > 20, "the simulation should carry a TTM base"
    assert any(nrr is not None and nrr != grr for _, nrr, grr in expected.values()), "expansion expected"
    # Customer-month MRR equals the truth to the cent (test_dbt_customer_success.py) and the mart divides
    # exact sums, so the ratios equal the truth's up to the last bit of a double.
    for row in got.itertuples():
        base, nrr, grr = expected[row.month]
        assert row.base_customers == base, row.month
        if nrr is None:
            assert pd.isna(row.net_revenue_retention) and pd.isna(row.gross_revenue_retention)
        else:
            assert abs(row.net_revenue_retention - float(nrr)) < 1e-12, row.month
            assert abs(row.gross_revenue_retention - float(grr)) < 1e-12, row.month


def account_segments(extracts: Path) -> dict[str, str]:
    persons = truth(extracts, "persons")
    persons = persons[persons["salesforce_account_id"] != ""]
    pairs = persons[["salesforce_account_id", "segment"]].drop_duplicates()
    assert not pairs["salesforce_account_id"].duplicated().any(), "one segment per account"
    return dict(zip(pairs["salesforce_account_id"], pairs["segment"], strict=True))


def test_logo_churn_by_month_and_segment_equals_truth(built_db: Path, small_extracts: Path) -> None:
    rows = truth(small_extracts, "mrr_monthly")
    segments = account_segments(small_extracts)
    rows = rows.assign(
        segment=rows["salesforce_account_id"].map(segments).fillna("unknown"),
        mrr=rows["mrr_usd"].astype(float),
    ).sort_values(["stripe_customer_id", "month"])
    previous_month = rows["month"].map(lambda m: month_add(m, -1))
    earlier = rows.set_index(["stripe_customer_id", "month"])["mrr"]
    keys = list(zip(rows["stripe_customer_id"], previous_month, strict=True))
    rows["previous"] = [earlier.get(k, 0.0) for k in keys]
    expected = (
        rows.assign(
            at_start=rows["previous"] > 0,
            churned=rows["movement"] == "churn",
            new=rows["movement"] == "new",
        )
        .groupby(["month", "segment"])
        .agg(
            customers_at_start=("at_start", "sum"),
            churned_customers=("churned", "sum"),
            new_customers=("new", "sum"),
        )
        .reset_index()
    )
    got = mart(
        built_db,
        """select strftime(month_start, '%Y-%m-%d') as month, segment, customers_at_start, churned_customers,
                  new_customers, logo_churn_rate from customer_success.fct_logo_churn_monthly""",
    )
    merged = expected.merge(got, on=["month", "segment"], how="outer", indicator=True, suffixes=("", "_mart"))
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head(10).to_string()
    for column in ("customers_at_start", "churned_customers", "new_customers"):
        assert (merged[column] == merged[f"{column}_mart"]).all(), column
    assert merged["churned_customers"].sum() > 0 and merged["segment"].nunique() >= 2
    with_base = merged[merged["customers_at_start"] > 0]
    rate = with_base["churned_customers"] / with_base["customers_at_start"]
    assert ((rate - with_base["logo_churn_rate"]).abs() < 1e-12).all()


def test_handoff_sla_attainment_by_month_recomputed_from_truth(built_db: Path, small_extracts: Path) -> None:
    slas = pd.read_csv(PROJECT_DIR / "seeds" / "handoff_slas.csv").set_index("handoff")
    handoffs = truth(small_extracts, "handoffs")
    handed = pd.to_datetime(handoffs["handed_at"])
    picked = pd.to_datetime(handoffs["picked_up_at"].replace("", None))
    hours = (picked - handed).dt.total_seconds() / 3600
    status = expected_status(handoffs)  # from the truth's times, the SLAs and the as-of date
    frame = pd.DataFrame(
        {
            "handoff": handoffs["handoff"],
            "handed_month": handed.dt.strftime("%Y-%m-01"),
            "within": hours <= handoffs["handoff"].map(slas["sla_hours"]),
            "incomplete": status == "incomplete",
            "met": status == "met",
            "decided": status != "pending",
        }
    )
    expected = (
        frame.groupby(["handoff", "handed_month"])
        .agg(
            handed_count=("handoff", "size"),
            within_sla_count=("within", "sum"),
            incomplete_count=("incomplete", "sum"),
            met_count=("met", "sum"),
            decided_count=("decided", "sum"),
        )
        .reset_index()
    )
    expected["sla_attainment"] = expected["met_count"] / expected["decided_count"].where(
        expected["decided_count"] > 0
    )
    expected["meets_target"] = expected["sla_attainment"] >= expected["handoff"].map(slas["target_share"])
    got = mart(
        built_db,
        """select handoff, strftime(handed_month, '%Y-%m-%d') as handed_month, handed_count, within_sla_count,
                  incomplete_count, met_count, decided_count, sla_attainment, meets_target
           from funnel.fct_handoff_sla_monthly""",
    )
    merged = expected.merge(got, on=["handoff", "handed_month"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head(10).to_string()
    for column in ("handed_count", "within_sla_count", "incomplete_count", "met_count", "decided_count"):
        assert (merged[f"{column}_x"] == merged[f"{column}_y"]).all(), column
    decided = merged["decided_count_x"] > 0
    assert (merged["meets_target_x"][decided] == merged["meets_target_y"][decided]).all()
    assert merged["meets_target_y"][~decided].isna().all()
    assert ((merged["sla_attainment_x"][decided] - merged["sla_attainment_y"][decided]).abs() < 1e-12).all()
    assert merged["sla_attainment_y"][~decided].isna().all()
    assert merged["meets_target_x"].any() and not merged["meets_target_x"].all()


def test_keys_have_one_type_across_published_marts(built_db: Path) -> None:
    """An id column (…_id) has the same type in every mart it appears in."""
    types = mart(
        built_db,
        """select column_name, list(distinct data_type order by data_type) as types,
                  list(distinct table_schema || '.' || table_name order by 1) as tables
           from information_schema.columns
           where table_schema in ('marketing', 'sales', 'customer_success', 'funnel', 'core') and column_name like '%\\_id' escape '\\'
           group by 1 having count(distinct data_type) > 1""",
    )
    assert types.empty, types.to_string()


def test_published_marts_hold_no_four_byte_floats(built_db: Path) -> None:
    """Ratios, rates, hours and probabilities are 8-byte doubles (`type_double()`), never `dbt.type_float()`
    (a 4-byte FLOAT on DuckDB, which turns 0.1 into 0.10000000149...)."""
    from revenue_warehouse.publish import PUBLISHED_SCHEMAS

    columns = mart(
        built_db,
        f"""select table_schema || '.' || table_name || '.' || column_name as col, data_type
            from information_schema.columns
            where table_schema in ({", ".join(f"'{s}'" for s in PUBLISHED_SCHEMAS)})""",
    )
    floats = columns[columns["data_type"].isin(["FLOAT", "REAL", "FLOAT4"])]
    assert floats.empty, f"4-byte float columns in published marts:\n{floats.to_string()}"
    doubles = set(columns.loc[columns["data_type"] == "DOUBLE", "col"])
    for col in (
        "funnel.fct_handoffs.hours_to_pickup",
        "funnel.fct_handoff_summary.within_sla_share",
        "funnel.fct_handoff_summary.target_share",
        "sales.fct_opportunities.fx_rate_to_usd",
        "sales.fct_opportunity_stage_history.stage_probability",
        "customer_success.fct_retention_cohorts.logo_retention",
    ):
        assert col in doubles, f"{col} should be an 8-byte DOUBLE"
