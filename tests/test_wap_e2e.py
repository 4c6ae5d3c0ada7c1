"""Write-audit-publish end to end on generated extracts (real loads, real dbt, real GX, real DuckDB
files): a broken handoff blocks publication with exactly the broken records named, the served file
stays byte-identical, and fixing the extracts publishes again. (The Dagster wiring of the same gate,
blocking asset checks stopping the publish asset, is tested in test_quality_dagster.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF
from wap_support import build_warehouse, pick_won_deals, remove_cs_introductions

from revenue_warehouse.publish import current_generation
from revenue_warehouse.quality.gate import check_and_publish
from revenue_warehouse.quality.results import CheckFailed

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


def test_broken_handoff_blocks_publication_and_fixed_extracts_publish(
    small_extracts: Path, tmp_path: Path
) -> None:
    extracts, build, serving = tmp_path / "extracts", tmp_path / "build.duckdb", tmp_path / "serving.duckdb"
    docs = tmp_path / "data_docs"
    shutil.copytree(small_extracts, extracts)
    build_warehouse(extracts, build, AS_OF, "run-1")
    check_and_publish(build, serving, "run-1", as_of=AS_OF, docs_dir=docs)
    assert current_generation(serving) == "run-1"
    assert check_row(build, "run-1", "won_deal_has_cs_introduction")[:3] == (True, "error", 0)
    assert (docs / "all" / "index.html").exists()

    # Break the sales -> customer success handoff of K won deals in the extract files.
    pristine = tmp_path / "pristine_tasks"
    shutil.copytree(extracts / "salesforce" / "task", pristine)
    broken = set(pick_won_deals(extracts, AS_OF, K))
    assert remove_cs_introductions(extracts, broken) >= K
    before = serving.read_bytes()
    build_warehouse(extracts, build, AS_OF, "run-2")
    with pytest.raises(CheckFailed) as failed:
        check_and_publish(build, serving, "run-2", as_of=AS_OF, docs_dir=None)
    success, severity, failing, samples = check_row(build, "run-2", "won_deal_has_cs_introduction")
    assert (success, severity, failing) == (False, "error", K)
    assert set(samples) == broken
    assert serving.read_bytes() == before  # nothing published
    message = str(failed.value)
    assert "handoff sales_to_customer_success: expectation won_deal_has_cs_introduction" in message
    assert f"{K} failing records" in message and all(oid in message for oid in broken)
    assert [f.expectation for f in failed.value.failures] == ["won_deal_has_cs_introduction"]

    # Fix the extracts: the next run publishes.
    shutil.rmtree(extracts / "salesforce" / "task")
    shutil.copytree(pristine, extracts / "salesforce" / "task")
    build_warehouse(extracts, build, AS_OF, "run-3")
    check_and_publish(build, serving, "run-3", as_of=AS_OF, docs_dir=None)
    assert current_generation(serving) == "run-3"
    assert check_row(build, "run-3", "won_deal_has_cs_introduction")[:3] == (True, "error", 0)
