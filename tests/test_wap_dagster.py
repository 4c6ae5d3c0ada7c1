"""Write-audit-publish through the real ``refresh`` job (Dagster in process, real loads, real dbt,
real GX asset checks, real DuckDB files): k leaking won deals above the floor are published with
exactly those k records incomplete; under a stricter floor the blocking GX asset check fails with
exactly the broken records, the run fails naming them, the publish asset does not run and the served
file stays byte-identical."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF
from wap_support import checks_config_with_floor, pick_won_deals, remove_cs_introductions, served

from revenue_warehouse.publish import current_generation
from revenue_warehouse.settings import reset_settings

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


def test_refresh_job_publishes_a_leak_above_the_floor_and_blocks_one_below(
    small_extracts: Path, tmp_path: Path, serving: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.refresh import run_refresh
    from revenue_warehouse.dbt import prepare_manifest

    extracts, build = tmp_path / "extracts", tmp_path / "build.duckdb"
    shutil.copytree(small_extracts, extracts)
    prepare_manifest()  # the code location reads the current dbt manifest
    first = run_refresh(extracts, build)
    assert first.success, first.errors
    assert current_generation(serving) == first.run_id
    assert check_row(build, first.run_id, "won_deal_has_cs_introduction")[:3] == (True, "error", 0)

    # K won deals lose their CS introduction: published as a leak (above the shipped floor).
    broken = set(pick_won_deals(extracts, AS_OF, K))
    assert remove_cs_introductions(extracts, broken) >= K
    second = run_refresh(extracts, build)
    assert second.success, second.errors
    assert current_generation(serving) == second.run_id
    success, severity, failing, samples = check_row(build, second.run_id, "won_deal_has_cs_introduction")
    assert (success, severity, failing) == (True, "error", K)
    assert set(samples) == broken
    incomplete = served(
        serving,
        "select check_key from quality.qc_won_deal_has_cs_introduction where status = 'incomplete'",
    )
    assert {r for (r,) in incomplete} == broken

    # Under a floor the break falls below, the blocking asset check fails: nothing published.
    strict = checks_config_with_floor(
        tmp_path, "sales_to_customer_success", "won_deal_has_cs_introduction", 0.95
    )
    monkeypatch.setenv("WAREHOUSE_CHECKS_CONFIG", str(strict))
    reset_settings()  # settings are read once per process: take the changed environment
    before = serving.read_bytes()
    third = run_refresh(extracts, build)
    assert not third.success
    success, severity, failing, samples = check_row(build, third.run_id, "won_deal_has_cs_introduction")
    assert (success, severity, failing) == (False, "error", K)
    assert serving.read_bytes() == before  # nothing published
    assert any("gx_sales_to_customer_success" in c for c in third.checks_failed)
    message = "\n".join(third.errors)
    assert "handoff sales_to_customer_success: expectation won_deal_has_cs_introduction failed" in message
    assert f"{K} failing records" in message and sorted(broken)[0] in message
    # The other handoffs are unaffected.
    assert check_row(build, third.run_id, "term_end_has_renewal_opportunity")[0]
