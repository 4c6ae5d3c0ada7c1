"""The GX-backed asset checks in real Dagster: a failing blocking suite fails its check with the
failing records, fails the step with a message naming them, and stops the downstream asset. Every
suite's check runs in one step (``gx_checks``): one failing blocking suite among four still stops the
downstream asset while the other three report, a suite that only warns stops nothing, and a suite that
crashes (its check model missing) reports a blocking failure naming the error while the other three
report, whatever its configured severity."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from test_quality_runner import make_loaded_db

from orchestration.quality import GX_CHECKS_STEP, guarded_asset_keys, gx_asset_checks, mart_asset_key
from orchestration.resources import WarehouseResource
from revenue_warehouse.quality.suites import SUITES, get_suite


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


def run_all_suites(
    db: Path, tmp_path: Path, monkeypatch, instance: dg.DagsterInstance | None = None
) -> tuple[dg.ExecuteInProcessResult, list[str]]:
    """Every suite's check, on stand-ins of every mart they guard, with a publish stand-in downstream of
    all of them (as the code location's publish asset is). The company has marketing only, so the three
    handoff suites are not applicable and report so."""
    monkeypatch.setenv("WAREHOUSE_DATA_DOCS_DIR", str(tmp_path / "docs"))
    seed = Path(__file__).parents[1] / "seeds" / "handoff_slas.csv"
    with duckdb.connect(str(db)) as con:  # the handoff suites' floors (the dbt seed)
        con.execute(
            f"create schema reference; create table reference.handoff_slas as from read_csv('{seed}')"
        )
    company = tmp_path / "company.yml"
    company.write_text("systems: [marketing]\ndepartments: [marketing, sales]\n")
    monkeypatch.setenv("WAREHOUSE_COMPANY_CONFIG", str(company))
    published: list[str] = []

    @dg.multi_asset(specs=[dg.AssetSpec(key) for key in guarded_asset_keys()])
    def marts():
        """Stand-ins of the dbt marts the checks are attached to."""
        for key in guarded_asset_keys():
            yield dg.MaterializeResult(asset_key=key)

    @dg.asset(key=["serving", "warehouse"], deps=guarded_asset_keys())
    def serving_warehouse() -> None:
        published.append("yes")

    result = dg.materialize(
        [marts, serving_warehouse, *gx_asset_checks()],
        resources={"warehouse": WarehouseResource(database=str(db))},
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    return result, published


def test_one_failing_blocking_suite_among_four_in_one_step_stops_downstream_and_the_others_report(
    tmp_path: Path, monkeypatch
) -> None:
    db = tmp_path / "build.duckdb"
    make_loaded_db(db, missing_in_staging=(4, 8), lost_rows=0, failed_files=0)
    result, published = run_all_suites(db, tmp_path, monkeypatch)
    assert not result.success and published == []
    steps = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert steps == {"marts", GX_CHECKS_STEP}  # one step checks every suite; publish is skipped
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {f"gx_{name}" for name in SUITES}
    failed = evaluations.pop("gx_load_completeness")
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.ERROR
    assert failed.metadata["raw_ids_reach_staging"].value["failing_records"] == 2
    for name, evaluation in evaluations.items():  # reported, each on its own mart, not applicable
        assert evaluation.passed, name
        assert evaluation.asset_key == mart_asset_key(get_suite(name.removeprefix("gx_")).frames[0].guards)
        assert "not_applicable" in evaluation.metadata["statuses"].value
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.event_specific_data.error_display_string
    assert "suite load_completeness: expectation raw_ids_reach_staging failed (error)" in message
    con = duckdb.connect(str(db), read_only=True)
    suites = con.execute("select distinct suite from audit.check_results order by 1").fetchall()
    con.close()
    assert [s for (s,) in suites] == sorted(SUITES)
    # one Data Docs site for the step, listing every suite's validation of the run
    assert (tmp_path / "docs" / "all" / "index.html").is_file()


def load_completeness_warns_only(tmp_path: Path, monkeypatch) -> None:
    """checks.yml with every load-completeness expectation of severity warn (the handoffs' unchanged)."""
    checks = Path(__file__).parents[1] / "revenue_warehouse" / "quality" / "checks.yml"
    text = checks.read_text()
    head, tail = text.split("  marketing_to_sales:", 1)
    warn_only = tmp_path / "checks.yml"
    warn_only.write_text(head.replace("severity: error", "severity: warn") + "  marketing_to_sales:" + tail)
    monkeypatch.setenv("WAREHOUSE_CHECKS_CONFIG", str(warn_only))


def test_a_failing_suite_that_only_warns_stops_nothing(tmp_path: Path, monkeypatch) -> None:
    load_completeness_warns_only(tmp_path, monkeypatch)
    db = tmp_path / "build.duckdb"
    make_loaded_db(db, missing_in_staging=(4, 8), lost_rows=0, failed_files=0)
    result, published = run_all_suites(db, tmp_path, monkeypatch)
    assert result.success and published == ["yes"]
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    warned = evaluations.pop("gx_load_completeness")
    assert not warned.passed and warned.severity == dg.AssetCheckSeverity.WARN
    assert warned.metadata["raw_ids_reach_staging"].value["failing_records"] == 2
    assert all(e.passed for e in evaluations.values())


@pytest.mark.parametrize("severity", ["as configured", "warn"])
def test_a_crashing_suite_among_four_reports_a_blocking_failure_and_the_others_report(
    tmp_path: Path, monkeypatch, severity: str
) -> None:
    if severity == "warn":  # a check that could not run blocks whatever its configured severity
        load_completeness_warns_only(tmp_path, monkeypatch)
    db = tmp_path / "build.duckdb"
    make_loaded_db(db, missing_in_staging=(), lost_rows=0, failed_files=0)  # every id reaches staging
    with duckdb.connect(str(db)) as con:  # the check model load completeness's ids frame reads
        con.execute("drop table quality.qc_staging_ids")
    instance = dg.DagsterInstance.ephemeral()
    result, published = run_all_suites(db, tmp_path, monkeypatch, instance)
    assert not result.success and published == []
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {f"gx_{name}" for name in SUITES}
    crashed = evaluations.pop("gx_load_completeness")
    assert not crashed.passed and crashed.severity == dg.AssetCheckSeverity.ERROR
    assert crashed.description.startswith(
        "suite load_completeness: could not run (error): fetching its frames"
    )
    assert "qc_staging_ids does not exist" in crashed.description and "\n" not in crashed.description
    for name, evaluation in evaluations.items():  # the other three report as they do without the crash
        assert evaluation.passed, name
        assert "not_applicable" in evaluation.metadata["statuses"].value
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "suite load_completeness: could not run" in failure.event_specific_data.error_display_string
    # the traceback is in the run's log (context.log), not in the check's description
    logged = [r.user_message for r in instance.all_logs(result.run_id) if r.user_message]
    assert any("suite load_completeness could not run" in m and "Traceback" in m for m in logged)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "select suite, status, severity, success, reason from audit.check_results "
        f"where run_id = '{result.run_id}' order by suite"
    ).fetchall()
    con.close()
    assert sorted({r[0] for r in rows}) == sorted(SUITES)
    [(_, status, sev, success, reason)] = [r for r in rows if r[0] == "load_completeness"]
    assert (status, sev, success) == ("error", "error", False)
    assert reason.startswith("fetching its frames: RuntimeError: ") and "qc_staging_ids" in reason
    assert {r[1] for r in rows if r[0] != "load_completeness"} == {"not_applicable"}
    assert (tmp_path / "docs" / "all" / "index.html").is_file()
