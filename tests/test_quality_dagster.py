"""The GX-backed asset checks in real Dagster: a failing blocking suite fails its check with the
failing records, fails the step with a message naming them, and stops the downstream asset."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
from test_quality_runner import make_loaded_db

from orchestration.quality import gx_asset_checks, mart_asset_key
from orchestration.resources import WarehouseResource
from revenue_warehouse.quality.suites import get_suite


def run(db: Path, tmp_path: Path, monkeypatch) -> tuple[dg.ExecuteInProcessResult, list[str]]:
    monkeypatch.setenv("WAREHOUSE_DATA_DOCS_DIR", str(tmp_path / "docs"))
    company = tmp_path / "company.yml"  # the hand-made build holds HubSpot (marketing) data only
    company.write_text("systems: [marketing]\ndepartments: [marketing, sales]\n")
    monkeypatch.setenv("WAREHOUSE_COMPANY_CONFIG", str(company))
    published: list[str] = []

    @dg.asset(key=mart_asset_key("quality.qc_staging_ids"))
    def fct_handoffs() -> None:
        """Stand-in for the dbt check model the load-completeness check is attached to."""

    @dg.asset(key=["serving", "warehouse"], deps=[fct_handoffs])
    def serving_warehouse() -> None:
        published.append("yes")

    result = dg.materialize(
        [fct_handoffs, serving_warehouse, *gx_asset_checks([get_suite("load_completeness")])],
        resources={"warehouse": WarehouseResource(database=str(db))},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    return result, published


def test_failing_blocking_check_stops_downstream_with_a_precise_message(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "build.duckdb"
    make_loaded_db(db, missing_in_staging=(4, 8), lost_rows=0, failed_files=0)
    result, published = run(db, tmp_path, monkeypatch)
    assert not result.success and published == []
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == "gx_load_completeness" and not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["raw_ids_reach_staging"].value["failing_records"] == 2
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failures[0].event_specific_data.error_display_string
    assert (
        "suite load_completeness: expectation raw_ids_reach_staging failed (error): 2 failing records"
        in message
    )
    assert "raw_hubspot.contact -> stg_hubspot__contacts" in message
    con = duckdb.connect(str(db), read_only=True)
    run_ids = con.execute("select distinct run_id from audit.check_results").fetchall()
    con.close()
    assert run_ids == [(result.run_id,)]


def test_passing_check_lets_downstream_run(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "build.duckdb"
    make_loaded_db(db, missing_in_staging=(), lost_rows=0, failed_files=0)
    result, published = run(db, tmp_path, monkeypatch)
    assert result.success and published == ["yes"]
    assert all(e.passed for e in result.get_asset_check_evaluations())
