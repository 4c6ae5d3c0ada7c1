"""fct_pipeline_daily against the truth, its incremental build against a full refresh, and
`dbt docs generate` over the whole project."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
from conftest import AS_OF

from revenue_warehouse.dbt import run_dbt

PIPELINE_SQL = "select * from sales.fct_pipeline_daily order by pipeline_day_id"


def _truth_open_pipeline(extracts: Path, day: date) -> tuple[int, Decimal]:
    """Open opportunities on ``day`` (created on or before it, not closed by it) and their USD amount."""
    count, amount = 0, Decimal("0")
    with open(extracts / "_truth" / "opportunities.csv", newline="", encoding="utf-8") as fh:
        for o in csv.DictReader(fh):
            created = date.fromisoformat(o["created_date"])
            closed = o["is_closed"] == "true" and date.fromisoformat(o["close_date"]) <= day
            if created <= day and not closed:
                count += 1
                amount += Decimal(o["amount_usd"])
    return count, amount


def test_pipeline_daily_open_count_and_amount_equal_truth(built_db: Path, small_extracts: Path) -> None:
    with duckdb.connect(str(built_db), read_only=True) as con:
        rows = con.execute(
            "select date_day, sum(open_opportunities), sum(open_amount_usd), max(date_day) over () "
            "from sales.fct_pipeline_daily group by date_day order by date_day"
        ).fetchall()
    assert rows[-1][3] == AS_OF, "the spine must end at var('as_of_date')"
    for day, count, amount, _ in rows[::7] + rows[-1:]:
        want_count, want_amount = _truth_open_pipeline(small_extracts, day)
        assert (count, abs(amount - want_amount) <= Decimal("0.01") * max(count, 1)) == (want_count, True), (
            f"{day}: mart {count} open / {amount} USD, truth {want_count} / {want_amount}"
        )
    assert any(r[1] for r in rows)


def test_pipeline_daily_incremental_equals_full_refresh(built_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    shutil.copy(built_db, db)
    target = tmp_path / "target"
    earlier = (
        date(AS_OF.year, AS_OF.month - 3, AS_OF.day) if AS_OF.month > 3 else date(AS_OF.year - 1, 12, 31)
    )
    run_dbt(
        ["run", "--select", "fct_pipeline_daily", "--full-refresh"],
        db,
        dbt_vars={"as_of_date": earlier.isoformat()},
        target_path=target,
    )
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select max(date_day) from sales.fct_pipeline_daily").fetchone()[0] == earlier
    proc = run_dbt(
        ["run", "--select", "fct_pipeline_daily"],
        db,
        dbt_vars={"as_of_date": AS_OF.isoformat()},
        target_path=target,
    )
    assert "incremental" in proc.stdout
    with duckdb.connect(str(db), read_only=True) as con:
        incremental = con.execute(PIPELINE_SQL).fetchall()
    with duckdb.connect(str(built_db), read_only=True) as con:
        full = con.execute(PIPELINE_SQL).fetchall()
    assert len(incremental) == len(full) > 0
    assert incremental == full


def test_dbt_docs_generate_works(built_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    shutil.copy(built_db, db)
    run_dbt(
        ["docs", "generate"], db, dbt_vars={"as_of_date": AS_OF.isoformat()}, target_path=tmp_path / "target"
    )
    catalog = (tmp_path / "target" / "catalog.json").read_text()
    for model in ("fct_leads", "fct_opportunities", "fct_campaign_performance", "fct_pipeline_daily"):
        assert f"model.revenue_warehouse.{model}" in catalog
