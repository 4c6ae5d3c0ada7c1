"""Write-audit-publish through the real ``refresh`` job (Dagster in process, real loads, real dbt,
real GX asset checks, real DuckDB files): a broken handoff fails its blocking GX asset check with
exactly the broken records, the run fails naming them, the publish asset does not run and the served
file stays byte-identical; fixing the extracts makes the next run publish."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF
from wap_support import pick_won_deals, remove_cs_introductions

from revenue_warehouse.publish import current_generation

pytestmark = pytest.mark.slow
K = 3


@pytest.fixture
def serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "serving" / "serving.duckdb"
    monkeypatch.setenv("WAREHOUSE_SERVING_DB", str(path))
    monkeypatch.setenv("WAREHOUSE_DATA_DOCS_DIR", str(tmp_path / "data_docs"))
    return path


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


def test_refresh_job_blocks_a_broken_handoff_and_publishes_the_fixed_one(
    small_extracts: Path, tmp_path: Path, serving: Path
) -> None:
    from orchestration.refresh import prepare_dbt_manifest, run_refresh

    extracts, build = tmp_path / "extracts", tmp_path / "build.duckdb"
    shutil.copytree(small_extracts, extracts)
    prepare_dbt_manifest(tmp_path / "parse.duckdb")  # the code location reads the current dbt manifest
    first = run_refresh(extracts, build)
    assert first.success, first.errors
    assert current_generation(serving) == first.run_id
    assert check_row(build, first.run_id, "won_deal_has_cs_introduction")[:3] == (True, "error", 0)

    # Break the sales -> customer success handoff of K won deals in the extract files.
    pristine = tmp_path / "pristine_tasks"
    shutil.copytree(extracts / "salesforce" / "task", pristine)
    broken = set(pick_won_deals(extracts, AS_OF, K))
    assert remove_cs_introductions(extracts, broken) >= K
    before = serving.read_bytes()
    second = run_refresh(extracts, build)
    assert not second.success
    success, severity, failing, samples = check_row(build, second.run_id, "won_deal_has_cs_introduction")
    assert (success, severity, failing) == (False, "error", K)
    assert set(samples) == broken
    assert serving.read_bytes() == before  # nothing published
    assert any("gx_sales_to_customer_success" in c for c in second.checks_failed)
    message = "\n".join(second.errors)
    assert "sales_to_customer_success" in message and "won_deal_has_cs_introduction" in message
    assert f"{K} failing records" in message and sorted(broken)[0] in message
    # The other handoffs are unaffected.
    assert check_row(build, second.run_id, "term_end_has_renewal_opportunity")[0]

    # Fix the extracts: the next run publishes.
    shutil.rmtree(extracts / "salesforce" / "task")
    shutil.copytree(pristine, extracts / "salesforce" / "task")
    third = run_refresh(extracts, build)
    assert third.success, third.errors
    assert current_generation(serving) == third.run_id
    assert serving.read_bytes() != before
