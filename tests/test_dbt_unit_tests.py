"""dbt's unit tests (``unit_tests:`` YAML) run here, in the test suite / CI, not in production builds
(``PRODUCTION_EXCLUDE``): on an empty build (raw tables created by the loader, models built with
``--empty``) ``dbt test --select test_type:unit`` runs every unit test in the manifest and all pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from revenue_warehouse.dbt import PRODUCTION_EXCLUDE, run_dbt

pytestmark = pytest.mark.slow


def test_every_dbt_unit_test_runs_and_passes(tmp_path: Path) -> None:
    from revenue_warehouse.loader import load_extracts

    db, target = tmp_path / "build.duckdb", tmp_path / "target"
    (tmp_path / "extracts").mkdir()
    load_extracts(db, tmp_path / "extracts", run_id="pytest")  # no files: every contract raw table, empty
    as_of = {"as_of_date": "2024-06-30"}  # nothing is loaded: the models need a given as-of date
    run_dbt(
        ["build", "--empty", "--exclude", "resource_type:test", "resource_type:unit_test"],
        db,
        dbt_vars=as_of,
        target_path=target,
    )
    run_dbt(["test", "--select", "test_type:unit"], db, dbt_vars=as_of, target_path=target)
    manifest = json.loads((target / "manifest.json").read_text())
    results = json.loads((target / "run_results.json").read_text())["results"]
    assert manifest["unit_tests"], "the project has no dbt unit tests"
    unit = [r for r in results if r["unique_id"].startswith("unit_test.")]
    # the rest are the project's on-run-end hooks (dbt_project.yml), which run after any command
    hooks = [r for r in results if not r["unique_id"].startswith("unit_test.")]
    assert sorted(r["unique_id"] for r in unit) == sorted(manifest["unit_tests"])
    assert {r["status"] for r in unit} == {"pass"}
    assert all(r["unique_id"].startswith("operation.") and r["status"] == "success" for r in hooks), hooks


def listed_unit_tests(db: Path, target: Path, *selection: str) -> list[str]:
    proc = run_dbt(
        ["ls", "--resource-type", "unit_test", "--output", "json", *selection], db, target_path=target
    )
    nodes = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return [n["unique_id"] for n in nodes if n["resource_type"] == "unit_test"]


def test_production_builds_leave_unit_tests_out(tmp_path: Path) -> None:
    db, target = tmp_path / "build.duckdb", tmp_path / "target"
    assert listed_unit_tests(db, target), "the project has no dbt unit tests"
    assert listed_unit_tests(db, target, "--exclude", *PRODUCTION_EXCLUDE) == []
