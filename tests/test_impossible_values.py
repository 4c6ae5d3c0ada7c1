"""Impossible values are caught before anything publishes (issue 14, item 4): a negative opportunity
amount, a negative invoice total, a currency without an FX rate and orphans above the configured
tolerance each fail their dbt test, with the number of offending records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF

from revenue_warehouse.dbt import run_dbt

pytestmark = pytest.mark.slow

SELECT = ["staging", "fx_rates", "assert_every_currency_has_an_fx_rate", "--indirect-selection", "cautious"]


def failures(target: Path) -> dict[str, tuple[str, int | None]]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[2]: (r["status"], r.get("failures")) for r in results}


def test_clean_data_passes_and_each_impossible_value_fails_its_test(loaded_db: Path, tmp_path: Path) -> None:
    clean_target = tmp_path / "clean"
    clean = tmp_path / "clean.duckdb"
    shutil.copy(loaded_db, clean)
    proc = run_dbt(
        ["build", "--select", *SELECT],
        clean,
        dbt_vars={"as_of_date": AS_OF.isoformat()},
        target_path=clean_target,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]

    db = tmp_path / "dirty.duckdb"
    shutil.copy(loaded_db, db)
    with duckdb.connect(str(db)) as con:
        opportunities = [
            r[0]
            for r in con.execute("select distinct id from raw_salesforce.opportunity order by id").fetchall()
        ]
        con.execute("update raw_salesforce.opportunity set amount = -63500 where id = ?", [opportunities[0]])
        invoice = con.execute("select min(id) from raw_stripe.invoice").fetchone()[0]
        con.execute("update raw_stripe.invoice set total = -1200, currency = 'xyz' where id = ?", [invoice])
        # 5% of opportunities (at least 6) reference accounts never delivered (tolerance: 1% and 5 rows)
        orphaned = opportunities[1 : 1 + max(6, len(opportunities) // 20)]
        con.execute(
            "update raw_salesforce.opportunity set account_id = 'never-delivered-' || id where id in (select unnest(?))",
            [orphaned],
        )
    target = tmp_path / "dirty"
    proc = run_dbt(
        ["build", "--select", *SELECT],
        db,
        dbt_vars={"as_of_date": AS_OF.isoformat()},
        target_path=target,
        check=False,
    )
    assert proc.returncode != 0
    got = failures(target)
    assert got["non_negative_stg_salesforce__opportunities_amount"] == ("fail", 1)
    assert got["non_negative_stg_stripe__invoices_total"] == ("fail", 1)
    assert got["assert_every_currency_has_an_fx_rate"] == ("fail", 1)
    orphan_test = next(
        k for k in got if k.startswith("orphans_within_tolerance_stg_salesforce__opportunities_account_id")
    )
    assert got[orphan_test] == ("fail", len(orphaned))
    clean_got = failures(clean_target)
    assert all(status in ("pass", "success") for status, _ in clean_got.values()), clean_got
