"""What ``warehouse run`` prints: one line per step and a short summary read from the build file;
the dbt and Dagster output goes to a log file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from test_connector_fixtures import fixture_path

from revenue_warehouse.contract import TABLES
from revenue_warehouse.loader import load_extracts
from revenue_warehouse.quality.results import CHECK_RESULTS_DDL, CheckResult, write_results
from revenue_warehouse.run_output import check_lines, load_lines, output_to


def test_output_of_the_process_and_its_subprocesses_goes_to_the_log(
    tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    log = tmp_path / "run.log"
    with output_to(log):
        print("from python")
        subprocess.run(
            [sys.executable, "-c", "import sys; print('from a child'); print('child err', file=sys.stderr)"]
        )
    print("back on the terminal")
    assert log.read_text().splitlines() == ["from python", "from a child", "child err"]
    assert capfd.readouterr().out == "back on the terminal\n"


def extracts_from_fixtures(root: Path) -> Path:
    """The connector fixtures as one day of extracts (every contract table, a custom column each)."""
    for table in TABLES:
        target = root / table.system / table.name / "2024-06-01.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(fixture_path(table.system, table.name), target)
    return root


def test_summary_counts_files_columns_and_checks(tmp_path: Path) -> None:
    extracts, db = extracts_from_fixtures(tmp_path / "extracts"), tmp_path / "build.duckdb"
    load_extracts(db, extracts, run_id="first")
    load_extracts(db, extracts, run_id="second")
    with duckdb.connect(str(db)) as con:
        first, second = load_lines(con, "first"), load_lines(con, "second")
        # 32 files, 99 rows (three per table, plus a later sync of three records), nothing quarantined
        assert (
            first[0]
            == "files: 32 loaded, 0 replaced, 0 skipped (already loaded), 0 failed; rows: 99 loaded, 0 quarantined"
        )
        assert (
            second[0]
            == "files: 0 loaded, 0 replaced, 32 skipped (already loaded), 0 failed; rows: 0 loaded, 0 quarantined"
        )
        # one custom column per table: 11 HubSpot, 11 Salesforce, 10 Stripe
        assert first[1].startswith(
            "new columns (kept as text): 32: hubspot.ad_campaign.property_favourite_colour, "
        )
        con.execute(CHECK_RESULTS_DDL)
        rows = [
            (True, "error", 10, "passed"),
            (True, "warn", 0, "not_applicable"),
            (False, "warn", 4, "failed"),
            (False, "error", 2, "failed"),
            (True, "error", 5, "passed"),
            (True, "error", 0, "no_records"),
            (False, "error", 0, "error"),  # a suite that could not run
        ]
        for i, (success, severity, elements, status) in enumerate(rows):
            con.execute(
                "insert into audit.check_results (run_id, checked_at, suite, gx_suite, expectation, gx_expectation, "
                "severity, success, element_count, failing_record_count, status) "
                "values ('first', now(), 's', 's', ?, 'e', ?, ?, ?, 0, ?)",
                [f"e{i}", severity, success, elements, status],
            )
        assert check_lines(con, "first") == [
            "GX checks: 2 passed, 1 warned, 1 failed (blocking), 1 could not run (blocking), 1 not applicable, "
            "1 with no records"
        ]
        assert check_lines(con, "second") == [
            "GX checks: 0 passed, 0 warned, 0 failed (blocking), 0 could not run (blocking), 0 not applicable, "
            "0 with no records"
        ]


def _result(expectation: str, status: str, success: bool = True, severity: str = "error") -> CheckResult:
    return CheckResult(
        run_id="r1",
        suite="billing" if status == "not_applicable" else "marketing_to_sales",
        gx_suite="g",
        expectation=expectation,
        gx_expectation="expect_x",
        guards="m",
        handoff=None,
        severity=severity,
        success=success,
        observed_value="",
        threshold="",
        element_count=0 if status in ("not_applicable", "no_records") else 12,
        failing_record_count=0 if success else 3,
        sample_failing_keys=[],
        status=status,
        reason="no billing system (company.yml)" if status == "not_applicable" else "",
    )


def test_the_run_summary_and_the_wap_summary_count_checks_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run where the company has no billing system: 3 checks not applicable, 1 with no records (an
    empty window), 2 passed, 1 warned, and one suite that could not run. The old run summary counted
    every empty check as 'not applicable' (4), the WAP summary only those with that status (3)."""
    from revenue_warehouse.quality.report import wap_summary
    from revenue_warehouse.quality.runner import crash_result
    from revenue_warehouse.quality.suites import get_suite

    build = tmp_path / "build.duckdb"
    results = [
        _result("invoices_paid", "not_applicable"),
        _result("mrr_positive", "not_applicable"),
        _result("customer_known", "not_applicable", severity="warn"),
        _result("recent_mqls_owned", "no_records"),
        _result("lead_ids_unique", "passed"),
        _result("lead_source_known", "passed"),
        _result("lead_owner_set", "failed", success=False, severity="warn"),
        crash_result(get_suite("load_completeness"), "r1", "fetching its frames: RuntimeError: no table"),
    ]
    with duckdb.connect(str(build)) as con:
        con.execute("create schema audit")
        write_results(con, results)
        run_line = check_lines(con, "r1")
    expected = (
        "GX checks: 2 passed, 1 warned, 0 failed (blocking), 1 could not run (blocking), 3 not applicable, "
        "1 with no records"
    )
    assert run_line == [expected]
    wap_lines = wap_summary(build, tmp_path / "serving.duckdb", "r1").splitlines()
    assert [line for line in wap_lines if line.startswith("GX checks:")] == [expected]
    assert (
        "  ERROR suite load_completeness: could not run (error): fetching its frames: RuntimeError: no table"
        in wap_lines
    )
    # `warehouse check` labels each result by the same rule
    from revenue_warehouse.commands.check import print_results

    capsys.readouterr()
    print_results(results)
    labels = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert labels == ["N/A", "N/A", "N/A", "NONE", "PASS", "PASS", "WARN", "ERR"]


@pytest.mark.slow
def test_warehouse_run_prints_steps_and_a_summary_and_logs_the_rest(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "WAREHOUSE_DATA_DIR": str(tmp_path / "data"),
        "DAGSTER_HOME": str(tmp_path / "no-dagster-home"),
    }
    env.pop("WAREHOUSE_EXTRACTS_DIR", None)
    env.pop("WAREHOUSE_BUILD_DB", None)
    env.pop("WAREHOUSE_SERVING_DB", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "revenue_warehouse.cli",
            "run",
            "--scale",
            "0.05",
            "--seed",
            "3",
            "--start",
            "2024-01-01",
            "--end",
            "2024-04-30",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=3600,
    )
    out = proc.stdout.splitlines()
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert proc.stderr == ""
    assert len(out) <= 20, proc.stdout
    assert [line[:5] for line in out if line.startswith("[")] == ["[1/3]", "[2/3]", "[3/3]"]
    assert any(line.startswith("  files: ") and " 0 failed" in line for line in out), proc.stdout
    assert any(line.startswith("  GX checks: ") for line in out), proc.stdout
    assert f"  warehouse: published to {tmp_path / 'data' / 'warehouse' / 'serving.duckdb'}" in proc.stdout
    [log] = (tmp_path / "data" / "logs").glob("run-*.log")
    assert str(log) in out[0]
    text = log.read_text()
    assert "dbt" in text and "rows per raw table" in text and len(text.splitlines()) > len(out)
