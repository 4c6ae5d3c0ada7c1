"""dbt's events as Dagster sees them.

dbt's data tests are reported as ONE asset check per model (``dbt_tests``), its individual test results
in the check's metadata, rather than one Dagster check per test."""

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dagster as dg

# ------------------------------------------------------------------ dbt tests: one check per model

DBT_TESTS_CHECK = "dbt_tests"
PASSED, SKIPPED = "pass", "skipped"
FAILED = ("fail", "error")


def model_check_spec(spec: dg.AssetCheckSpec | None, severity_error: bool) -> dg.AssetCheckSpec | None:
    """The one ``dbt_tests`` check of the model a dbt test is attached to (instead of one check per
    test: 232 tests were thousands of Dagster events per run)."""
    if spec is None:
        return None
    return dg.AssetCheckSpec(
        DBT_TESTS_CHECK,
        asset=spec.asset_key,
        description="Every dbt data test on this model; each test's status and failing rows are in the metadata.",
        blocking=severity_error,
    )


@dataclass(frozen=True)
class DbtTestOutcome:
    name: str
    status: str  # dbt's: pass, warn, fail, error, skipped
    failures: int | None
    # a column test run inside the model's ``column_tests`` test (macros/column_tests.sql): that test's
    # name; its own failing rows come from dbt's log line ``column test failed: {...}`` (on-run-end)
    covered_by: str | None = None
    kind: str | None = None
    column: str | None = None


COLUMN_TEST_FAILED = "column test failed: "


def covered_test_outcome(raw_event: Mapping[str, Any]) -> tuple[str, DbtTestOutcome] | None:
    """``(unique id, outcome)`` of a column test that failed inside a ``column_tests`` test, from the line
    ``column_tests_report`` logs (macros/column_tests.sql), else ``None``."""
    if raw_event.get("info", {}).get("name") != "JinjaLogInfo":
        return None
    message = raw_event.get("data", {}).get("msg") or raw_event.get("info", {}).get("msg") or ""
    if not message.startswith(COLUMN_TEST_FAILED):
        return None
    found = json.loads(message[len(COLUMN_TEST_FAILED) :])
    outcome = DbtTestOutcome(
        found["test"], "fail", found["failures"], found["combined"], found["kind"], found["column"]
    )
    return found["unique_id"], outcome


def test_outcome(raw_event: Mapping[str, Any]) -> tuple[str, DbtTestOutcome] | None:
    """``(unique id, outcome)`` of a dbt data test's result event, else ``None``."""
    data = raw_event.get("data", {})
    node = data.get("node_info", {})
    unique_id = node.get("unique_id", "")
    if raw_event.get("info", {}).get("name") != "LogTestResult" or not unique_id.startswith("test."):
        return None
    status = (node.get("node_status") or data.get("status") or "").lower()
    return unique_id, DbtTestOutcome(unique_id.split(".")[2], status, data.get("num_failures"))


def check_result(key: dg.AssetKey, outcomes: Sequence[DbtTestOutcome]) -> dg.AssetCheckResult | None:
    """One result for a model's tests: passed when every test passed; ERROR severity when one failed or
    errored, WARN when the worst is a warning. ``None`` when every test was skipped."""
    nodes = [o for o in outcomes if o.covered_by is None]  # the dbt test nodes that ran
    run = [o for o in nodes if o.status != SKIPPED]
    if not run:
        return None
    bad = [o for o in run if o.status != PASSED]
    failed = [o for o in bad if o.status in FAILED]
    covered = {}
    for o in outcomes:
        if o.covered_by is not None:
            covered.setdefault(o.covered_by, []).append(o)

    def described(o: DbtTestOutcome) -> str:
        inside = "; ".join(
            f"{c.name} ({c.kind} on {c.column}, {c.failures} rows)" for c in covered.get(o.name, [])
        )
        return f"{o.name} ({o.status}, {o.failures} rows{': ' + inside if inside else ''})"

    def result(o: DbtTestOutcome) -> dict:
        entry = {"test": o.name, "status": o.status, "failures": o.failures}
        if o.covered_by is not None:
            entry.update(covered_by=o.covered_by, kind=o.kind, column=o.column)
        return entry

    return dg.AssetCheckResult(
        asset_key=key,
        check_name=DBT_TESTS_CHECK,
        passed=not bad,
        severity=dg.AssetCheckSeverity.ERROR if failed else dg.AssetCheckSeverity.WARN,
        metadata={
            "tests": len(run),
            "passed": len(run) - len(bad),
            "warned": len(bad) - len(failed),
            "failed": len(failed),
            "skipped": len(nodes) - len(run),
            "not_passing": ", ".join(described(o) for o in bad) or "none",
            "results": dg.MetadataValue.json([result(o) for o in outcomes]),
        },
    )


def split_test_results(
    events: Iterable[Any],
    asset_key_of_test: Callable[[str], dg.AssetKey | None],
    collected: dict[dg.AssetKey, list[DbtTestOutcome]],
    to_dagster: Callable[[Any], Iterable[Any]],
) -> Iterator[Any]:
    """dagster-dbt raw events to Dagster events, except data test results attached to a model: those
    are collected per model into ``collected`` (and reported by ``check_result`` once dbt is done)."""
    for event in events:
        found = test_outcome(event.raw_event) or covered_test_outcome(event.raw_event)
        key = asset_key_of_test(found[0]) if found else None
        if found and key is not None:
            collected.setdefault(key, []).append(found[1])
        else:
            yield from to_dagster(event)
