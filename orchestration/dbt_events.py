"""dbt's events as Dagster sees them.

dbt's data tests are reported as ONE asset check per model (``dbt_tests``), its individual test results
in the check's metadata, rather than one Dagster check per test."""

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
    run = [o for o in outcomes if o.status != SKIPPED]
    if not run:
        return None
    bad = [o for o in run if o.status != PASSED]
    failed = [o for o in bad if o.status in FAILED]
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
            "skipped": len(outcomes) - len(run),
            "not_passing": ", ".join(f"{o.name} ({o.status}, {o.failures} rows)" for o in bad) or "none",
            "results": dg.MetadataValue.json(
                [{"test": o.name, "status": o.status, "failures": o.failures} for o in outcomes]
            ),
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
        found = test_outcome(event.raw_event)
        key = asset_key_of_test(found[0]) if found else None
        if found and key is not None:
            collected.setdefault(key, []).append(found[1])
        else:
            yield from to_dagster(event)
