"""The semantic layer: `mf validate-configs` passes and `mf query` of every metric, by month, over the shared
small build equals the same measure read from the mart that defines it (docs/metrics.md#semantic-layer)."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from revenue_warehouse.dbt import dbt_env, run_dbt
from revenue_warehouse.paths import PROJECT_DIR

pytestmark = pytest.mark.slow

MF = str(Path(sys.executable).parent / "mf")

# metric -> SQL over the marts giving (month, value): the mart's own measure, aggregated to the month.
EXPECTED: dict[str, str] = {
    "leads": "select date_trunc('month', created_at), count(*) filter (where is_lead and not is_deleted) from marketing.fct_leads group by 1",
    "mqls": "select date_trunc('month', mql_at), count(*) from marketing.fct_leads where is_mql and not is_deleted group by 1",
    "mql_to_opportunity_rate": "select date_trunc('month', mql_at), count(*) filter (where has_opportunity) / count(*) from marketing.fct_leads where is_mql and not is_deleted group by 1",
    "pipeline_created_usd": "select date_trunc('month', created_date), sum(amount_usd) from sales.fct_opportunities where deal_category = 'new_business' and not is_deleted group by 1",
    "win_rate": "select date_trunc('month', close_date), count(*) filter (where is_won) / count(*) from sales.fct_opportunities where deal_category = 'new_business' and (is_won or is_lost) and not is_deleted group by 1",
    "sales_cycle_days": "select date_trunc('month', close_date), avg(sales_cycle_days) from sales.fct_opportunities where deal_category = 'new_business' and not is_deleted and sales_cycle_days is not null group by 1",
    "bookings_usd": "select date_trunc('month', close_date), sum(amount_usd) from sales.fct_opportunities where is_won and not is_deleted group by 1",
    "mrr_usd": "select month_start, sum(mrr_usd) from customer_success.fct_customer_mrr_monthly group by 1",
    "new_mrr_usd": "select month_start, sum(mrr_change_usd) from customer_success.fct_customer_mrr_monthly where mrr_movement = 'new' group by 1",
    "expansion_mrr_usd": "select month_start, sum(mrr_change_usd) from customer_success.fct_customer_mrr_monthly where mrr_movement = 'expansion' group by 1",
    "contraction_mrr_usd": "select month_start, sum(mrr_change_usd) from customer_success.fct_customer_mrr_monthly where mrr_movement = 'contraction' group by 1",
    "churned_mrr_usd": "select month_start, sum(mrr_change_usd) from customer_success.fct_customer_mrr_monthly where mrr_movement = 'churn' group by 1",
    "reactivation_mrr_usd": "select month_start, sum(mrr_change_usd) from customer_success.fct_customer_mrr_monthly where mrr_movement = 'reactivation' group by 1",
    "net_revenue_retention": "select month_start, net_revenue_retention from customer_success.fct_revenue_retention_monthly",
    "gross_revenue_retention": "select month_start, gross_revenue_retention from customer_success.fct_revenue_retention_monthly",
    "logo_churn_rate": "select month_start, sum(churned_customers) / nullif(sum(customers_at_start), 0) from customer_success.fct_logo_churn_monthly group by 1",
    "handoff_sla_attainment": "select handed_month, sum(met_count) / nullif(sum(decided_count), 0) from funnel.fct_handoff_sla_monthly group by 1",
}
# no reactivation happens in the small shared build; mf must then show none either (the `extra` check)
MAY_BE_EMPTY = {"reactivation_mrr_usd"}
# one `mf query` per group (each call costs a dbt parse of its own)
GROUPS = (
    ("leads", "mqls", "mql_to_opportunity_rate"),
    ("pipeline_created_usd", "win_rate", "sales_cycle_days", "bookings_usd"),
    (
        "mrr_usd",
        "new_mrr_usd",
        "expansion_mrr_usd",
        "contraction_mrr_usd",
        "churned_mrr_usd",
        "reactivation_mrr_usd",
    ),
    ("net_revenue_retention", "gross_revenue_retention", "logo_churn_rate", "handoff_sla_attainment"),
)


@pytest.fixture(scope="module")
def mf_env(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A copy of the shared build (named build.duckdb: MetricFlow addresses tables as build.<schema>.<table>)
    and the project's semantic manifest parsed fresh (mf reads target/semantic_manifest.json)."""
    db = tmp_path_factory.mktemp("mf") / "build.duckdb"
    shutil.copy(built_db, db)
    run_dbt(["parse", "--quiet"], db)
    return dbt_env(db)


def mf(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MF, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True)


def test_mf_validate_configs(mf_env: dict[str, str]) -> None:
    proc = mf(["validate-configs", "--skip-dw"], mf_env)
    assert proc.returncode == 0 and "ERRORS: 0" in proc.stdout, proc.stdout + proc.stderr


def expected_by_month(db: str, metric: str) -> dict[str, float]:
    with duckdb.connect(db, read_only=True) as con:
        rows = con.execute(EXPECTED[metric]).fetchall()
    return {pd.Timestamp(m).strftime("%Y-%m"): v for m, v in rows if m is not None}


@pytest.mark.parametrize("metrics", GROUPS, ids=[g[0] for g in GROUPS])
def test_mf_query_of_each_metric_equals_the_mart(
    mf_env: dict[str, str], metrics: tuple[str, ...], tmp_path: Path
) -> None:
    out = tmp_path / "result.csv"
    proc = mf(
        ["query", "--metrics", ",".join(metrics), "--group-by", "metric_time__month", "--csv", str(out)],
        mf_env,
    )
    assert proc.returncode == 0 and out.exists(), proc.stdout + proc.stderr
    result = pd.read_csv(out)
    result["month"] = pd.to_datetime(result["metric_time__month"]).dt.strftime("%Y-%m")
    assert result["month"].is_unique
    for metric in metrics:
        expected = expected_by_month(mf_env["WAREHOUSE_BUILD_DB"], metric)
        if metric not in MAY_BE_EMPTY:
            assert any(v is not None for v in expected.values()), f"{metric}: the mart should have data"
        got = dict(zip(result["month"], result[metric], strict=True))
        for month, value in expected.items():
            if value is None:
                assert month not in got or pd.isna(got[month]), (metric, month)
                continue
            assert month in got, (metric, month)
            assert math.isclose(got[month], float(value), rel_tol=1e-9, abs_tol=1e-6), (
                metric,
                month,
                got[month],
                value,
            )
        extra = {m: v for m, v in got.items() if m not in expected and not pd.isna(v) and v != 0}
        assert not extra, (metric, extra)
