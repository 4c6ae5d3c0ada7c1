"""dbt's test results become one Dagster asset check per model, the individual results in its metadata."""

from __future__ import annotations

import dagster as dg
import pytest

A, B = dg.AssetKey("a"), dg.AssetKey("b")


def raw_test_event(
    name: str, status: str, failures: int = 0, kind: str = "LogTestResult"
) -> dg.AssetObservation:
    """A stand-in for dagster-dbt's raw event: only ``raw_event`` is read."""
    raw = {
        "info": {"name": kind},
        "data": {"node_info": {"unique_id": f"test.revenue_warehouse.{name}.abc", "node_status": status},
                 "num_failures": failures},
    }  # fmt: skip
    return type("RawEvent", (), {"raw_event": raw})()


def test_dbt_tests_fold_into_one_check_per_model_with_each_result_in_metadata() -> None:
    from orchestration.dbt_events import check_result, split_test_results

    owner = {"not_null_a_id": A, "unique_a_id": A, "accepted_b": B, "orphan": None}
    events = [
        raw_test_event("not_null_a_id", "pass"),
        raw_test_event("unique_a_id", "fail", 3),
        raw_test_event("accepted_b", "warn", 1),
        raw_test_event("orphan", "pass"),  # attached to no model: left to dagster-dbt
        raw_test_event("not_null_a_id", "success", kind="NodeStart"),  # not a result
    ]
    collected: dict = {}
    passed_on = list(
        split_test_results(events, lambda uid: owner[uid.split(".")[2]], collected, lambda e: [e])
    )
    assert [e.raw_event["data"]["node_info"]["unique_id"].split(".")[2] for e in passed_on] == [
        "orphan",
        "not_null_a_id",
    ]
    a, b = check_result(A, collected[A]), check_result(B, collected[B])
    assert (a.passed, a.severity, a.metadata["tests"].value, a.metadata["failed"].value) == (
        False,
        dg.AssetCheckSeverity.ERROR,
        2,
        1,
    )
    assert a.metadata["not_passing"].value == "unique_a_id (fail, 3 rows)"
    assert [r["status"] for r in a.metadata["results"].value] == ["pass", "fail"]
    assert (b.passed, b.severity, b.metadata["warned"].value) == (False, dg.AssetCheckSeverity.WARN, 1)


def test_a_model_whose_tests_all_pass_or_were_skipped() -> None:
    from orchestration.dbt_events import DbtTestOutcome, check_result

    ok = check_result(A, [DbtTestOutcome("t1", "pass", 0), DbtTestOutcome("t2", "skipped", None)])
    assert ok.passed and ok.metadata["tests"].value == 1 and ok.metadata["skipped"].value == 1
    assert check_result(A, [DbtTestOutcome("t1", "skipped", None)]) is None


def test_the_dbt_resource_skips_dbt_version_and_the_in_process_adapter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Dagster dbt step's resource learns dbt's version from the installed dbt-core, without running
    ``dbt --version``, and makes no in-process dbt adapter (the project fetches no column metadata or
    row counts). Fails if dagster-dbt stops calling these two methods by these names, so an upgrade
    cannot silently bring the costs back."""
    import importlib.metadata
    import inspect
    import subprocess

    from dagster_dbt import DbtCliResource

    from orchestration.dbt_assets import dbt_resource

    source = inspect.getsource(DbtCliResource.cli)
    assert "self._cli_version" in source and "self._initialize_dbt_core_adapter(" in source
    assert '"--version"' in inspect.getsource(DbtCliResource.__dict__["_cli_version"].func)

    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a subprocess was started: {args}")

    monkeypatch.setattr(subprocess, "check_output", no_subprocess)
    resource = dbt_resource()
    assert str(resource._cli_version) == importlib.metadata.version("dbt-core")
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def raw_log_event(message: str) -> dg.AssetObservation:
    raw = {"info": {"name": "JinjaLogInfo", "msg": message}, "data": {"msg": message, "node_info": {}}}
    return type("RawEvent", (), {"raw_event": raw})()


def test_a_failing_column_tests_test_names_each_failing_column_test_in_the_check_metadata() -> None:
    """A production build runs a model's column tests as one ``column_tests`` test (macros/column_tests.sql);
    dbt's on-run-end logs each covered test that failed (``column_tests_report``), and the model's check
    names it: which test, kind, column and how many failing rows."""
    import json

    from orchestration.dbt_events import COLUMN_TEST_FAILED, check_result, split_test_results

    def failed(test: str, kind: str, column: str, failures: int) -> dg.AssetObservation:
        found = {"combined": "column_tests_a_", "test": test, "unique_id": f"test.revenue_warehouse.{test}.x",
                 "kind": kind, "column": column, "node": "model.revenue_warehouse.a", "failures": failures}  # fmt: skip
        return raw_log_event(COLUMN_TEST_FAILED + json.dumps(found))

    owner = {"column_tests_a_": A, "not_null_a_id": A, "accepted_values_a_kind__x": A, "relationships_a": A}
    events = [
        raw_test_event("column_tests_a_", "fail", 3),
        raw_test_event("relationships_a", "pass"),
        raw_log_event("some other line"),
        failed("accepted_values_a_kind__x", "accepted_values", "kind", 1),
        failed("not_null_a_id", "not_null", "id", 2),
    ]
    collected: dict = {}
    passed_on = list(
        split_test_results(events, lambda uid: owner[uid.split(".")[2]], collected, lambda e: [e])
    )
    assert [e.raw_event["data"]["msg"] for e in passed_on] == ["some other line"]
    a = check_result(A, collected[A])
    assert (a.passed, a.metadata["tests"].value, a.metadata["failed"].value) == (False, 2, 1)
    assert a.metadata["not_passing"].value == (
        "column_tests_a_ (fail, 3 rows: accepted_values_a_kind__x (accepted_values on kind, 1 rows);"
        " not_null_a_id (not_null on id, 2 rows))"
    )
    assert [(r["test"], r.get("covered_by"), r["failures"]) for r in a.metadata["results"].value] == [
        ("column_tests_a_", None, 3),
        ("relationships_a", None, 0),
        ("accepted_values_a_kind__x", "column_tests_a_", 1),
        ("not_null_a_id", "column_tests_a_", 2),
    ]
