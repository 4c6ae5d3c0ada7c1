"""Write-audit-publish end to end on generated extracts (real loads, real dbt, real GX, real DuckDB
files): k leaking won deals above the floor are published and shown as exactly k incomplete records;
the same break under a stricter floor blocks publication with the broken records named and the served
file byte-identical; fixing the extracts publishes again. (The Dagster wiring of the same gate,
blocking asset checks stopping the publish asset, is tested in test_quality_dagster.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF
from wap_support import (
    build_warehouse,
    checks_config_with_floor,
    pick_won_deals,
    remove_cs_introductions,
    served,
)

from revenue_warehouse.publish import current_generation
from revenue_warehouse.quality.gate import check_and_publish
from revenue_warehouse.quality.results import CheckFailed
from revenue_warehouse.settings import reset_settings

pytestmark = pytest.mark.slow
K = 3


def check_row(db: Path, run_id: str, expectation: str) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select success, severity, failing_record_count, sample_failing_keys from audit.check_results "
            "where run_id = ? and expectation = ?",
            [run_id, expectation],
        ).fetchone()
    finally:
        con.close()


def test_leaks_publish_below_the_floor_and_block_above_it(
    small_extracts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extracts, build, serving = tmp_path / "extracts", tmp_path / "build.duckdb", tmp_path / "serving.duckdb"
    docs = tmp_path / "data_docs"
    shutil.copytree(small_extracts, extracts)
    build_warehouse(extracts, build, AS_OF, "run-1")
    check_and_publish(build, serving, "run-1", as_of=AS_OF, docs_dir=docs)
    assert current_generation(serving) == "run-1"
    assert check_row(build, "run-1", "won_deal_has_cs_introduction")[:3] == (True, "error", 0)
    assert (docs / "all" / "index.html").exists()

    # K won deals lose their CS introduction: a leak (10% of the decided deals) above the shipped
    # floor (0.8). It is published: the marts show exactly those K as incomplete, the check reports K.
    pristine = tmp_path / "pristine_tasks"
    shutil.copytree(extracts / "salesforce" / "task", pristine)
    broken = set(pick_won_deals(extracts, AS_OF, K))
    assert remove_cs_introductions(extracts, broken) >= K
    build_warehouse(extracts, build, AS_OF, "run-2")
    check_and_publish(build, serving, "run-2", as_of=AS_OF, docs_dir=None)
    assert current_generation(serving) == "run-2"
    success, severity, failing, samples = check_row(build, "run-2", "won_deal_has_cs_introduction")
    assert (success, severity, failing) == (True, "error", K)
    assert set(samples) == broken
    incomplete = served(
        serving,
        "select record_id from funnel.fct_handoffs where handoff = 'sales_to_customer_success' "
        "and status = 'incomplete'",
    )
    assert {r for (r,) in incomplete} == broken
    leaking = served(
        serving, "select check_key from quality.qc_won_deal_has_cs_introduction where status = 'incomplete'"
    )
    assert {r for (r,) in leaking} == broken
    assert served(
        serving,
        "select status, failing_record_count from audit.check_results "
        "where run_id = 'run-2' and expectation = 'won_deal_has_cs_introduction'",
    ) == [("passed", K)]

    # The same break under a floor it falls below (0.95) blocks: nothing published.
    strict = checks_config_with_floor(
        tmp_path, "sales_to_customer_success", "won_deal_has_cs_introduction", 0.95
    )
    monkeypatch.setenv("WAREHOUSE_CHECKS_CONFIG", str(strict))
    reset_settings()  # settings are read once per process: take the changed environment
    before = serving.read_bytes()
    with pytest.raises(CheckFailed) as failed:
        check_and_publish(build, serving, "run-3", as_of=AS_OF, docs_dir=None)
    assert serving.read_bytes() == before  # nothing published
    assert check_row(build, "run-3", "won_deal_has_cs_introduction")[:3] == (False, "error", K)
    message = str(failed.value)
    assert (
        "handoff sales_to_customer_success: expectation won_deal_has_cs_introduction failed (error)"
        in message
    )
    assert f"{K} failing records" in message and all(oid in message for oid in broken)
    assert [f.expectation for f in failed.value.failures] == ["won_deal_has_cs_introduction"]

    # Fix the extracts: the next run publishes with no leak.
    shutil.rmtree(extracts / "salesforce" / "task")
    shutil.copytree(pristine, extracts / "salesforce" / "task")
    build_warehouse(extracts, build, AS_OF, "run-4")
    check_and_publish(build, serving, "run-4", as_of=AS_OF, docs_dir=None)
    assert current_generation(serving) == "run-4"
    assert check_row(build, "run-4", "won_deal_has_cs_introduction")[:3] == (True, "error", 0)
