"""The GX runner on small hand-made build files whose faults are known: exact failing counts, sample
keys, audit.check_results rows, Data Docs, configuration errors, and GX kept off import paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.quality.config import load_config, validate_against
from revenue_warehouse.quality.results import CheckFailed, raise_on_blocking, read_results
from revenue_warehouse.quality.runner import run_checks
from revenue_warehouse.quality.suites import SUITES

FILE = "hubspot/contact/2024-01-01.csv"


def make_loaded_db(
    path: Path, missing_in_staging: tuple[int, ...], lost_rows: int, failed_files: int
) -> None:
    """50 contacts loaded from one file with 2 quarantined rows; ``lost_rows`` rows of the file are
    neither loaded nor quarantined; staging lacks ``missing_in_staging``; ``failed_files`` failed."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema raw_hubspot; create schema staging; create schema audit")
        con.execute(
            f"create table raw_hubspot.contact as select i as id, '{FILE}' as _source_file from range(1, 51) t(i)"
        )
        excluded = ", ".join(str(i) for i in missing_in_staging) or "-1"
        con.execute(
            "create view staging.stg_hubspot__contacts as "
            f"select id as contact_id from raw_hubspot.contact where id not in ({excluded})"
        )
        con.execute(
            "create table audit.load_manifest (system varchar, table_name varchar, extract_date date, file varchar, "
            "rows_in_file bigint, rows_loaded bigint, rows_quarantined bigint, status varchar, run_id varchar, "
            "loaded_at timestamp)"
        )
        con.execute(
            f"insert into audit.load_manifest values ('hubspot', 'contact', '2024-01-01', '{FILE}', "
            f"{52 + lost_rows}, 50, 2, 'loaded', 'r1', now())"
        )
        for i in range(failed_files):
            con.execute(
                "insert into audit.load_manifest values ('hubspot', 'contact', ?, ?, 0, 0, 0, 'failed', 'r1', now())",
                [f"2024-02-0{i + 1}", f"hubspot/contact/2024-02-0{i + 1}.csv"],
            )
        con.execute(
            "create table audit.quarantine (system varchar, table_name varchar, file varchar, row_number bigint)"
        )
        con.execute(
            f"insert into audit.quarantine values ('hubspot', 'contact', '{FILE}', 5), ('hubspot', 'contact', '{FILE}', 9)"
        )
    finally:
        con.close()


def by_name(results: list) -> dict:
    return {r.expectation: r for r in results}


def test_load_completeness_counts_exactly_the_broken_records(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    make_loaded_db(db, missing_in_staging=(3, 7, 11), lost_rows=4, failed_files=2)
    results = by_name(run_checks(db, "run-1", ["load_completeness"], docs_dir=tmp_path / "docs"))
    assert results["raw_ids_reach_staging"].failing_record_count == 3
    assert "missing 11, 3, 7" in results["raw_ids_reach_staging"].sample_failing_keys[0]
    assert results["file_rows_accounted"].failing_record_count == 4
    assert results["file_rows_accounted"].sample_failing_keys == [FILE]
    assert results["file_loaded"].failing_record_count == 2
    assert all(not r.success and r.severity == "error" for r in results.values())
    with pytest.raises(CheckFailed) as failed:
        raise_on_blocking(list(results.values()))
    assert (
        "suite load_completeness: expectation raw_ids_reach_staging failed (error): 3 failing records"
        in str(failed.value)
    )
    # audit.check_results holds every result of the run, and re-running the suite replaces them.
    run_checks(db, "run-1", ["load_completeness"], docs_dir=None)
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = by_name(read_results(con, "run-1"))
        assert con.execute("select count(*) from audit.check_results").fetchone()[0] == 3
    finally:
        con.close()
    assert stored["raw_ids_reach_staging"].failing_record_count == 3
    assert stored["file_rows_accounted"].threshold == "unaccounted_rows = 0"
    assert stored["file_loaded"].gx_expectation == "expect_column_values_to_be_in_set"
    # GX Data Docs HTML is written for people to browse.
    assert (tmp_path / "docs" / "load_completeness" / "index.html").exists()


def test_load_completeness_passes_on_complete_data(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    make_loaded_db(db, missing_in_staging=(), lost_rows=0, failed_files=0)
    results = run_checks(db, "run-2", ["load_completeness"], docs_dir=None)
    assert [r.expectation for r in results if not r.success] == []
    assert all(r.failing_record_count == 0 for r in results)


def test_every_check_in_code_has_a_severity_and_thresholds(tmp_path: Path) -> None:
    config = load_config()
    validate_against(config, {n: s.expectation_names for n, s in SUITES.items()})
    assert {s for s, _ in config.checks} == set(SUITES)
    bad = tmp_path / "checks.yml"
    bad.write_text(
        "suites:\n  load_completeness:\n    file_loaded: {severity: error}\n    bogus: {severity: warn}\n"
    )
    with pytest.raises(ValueError, match="unknown check load_completeness.bogus"):
        validate_against(load_config(bad), {n: s.expectation_names for n, s in SUITES.items()})
    bad.write_text("suites:\n  load_completeness:\n    file_loaded: {severity: fatal}\n")
    with pytest.raises(ValueError, match="severity must be one of"):
        load_config(bad)


def test_great_expectations_stays_off_the_import_path() -> None:
    code = (
        "import sys, revenue_warehouse.quality.runner, revenue_warehouse.publish, revenue_warehouse.cli; "
        "print('great_expectations' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
