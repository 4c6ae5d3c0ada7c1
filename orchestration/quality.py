"""Dagster asset checks wrapping the GX suites (revenue_warehouse/quality): one check per suite, on
the mart it guards, ``blocking=True`` when any of its expectations has severity ``error`` in
checks.yml, so a failed blocking check stops everything downstream (the publish asset). The checks
are one ``@multi_asset_check`` (one step, ``gx_checks``): the suites share a GX context, one fetch
connection, one Data Docs build and one write of their results.

GX is imported only when a check executes, never when the code location loads; a run of a job with
GX checks imports it in the background from its dbt step on, while dbt runs (``preload_gx``).
"""

import importlib
import threading
import traceback
from collections.abc import Iterator, Sequence

import dagster as dg
from dagster import AssetCheckExecutionContext

from revenue_warehouse.quality.config import QualityConfig, load_config
from revenue_warehouse.quality.results import CheckResult
from revenue_warehouse.quality.spec import Suite
from revenue_warehouse.quality.suites import SUITES

# Where load completeness is attached: it guards every mart, and the handoffs mart is the one that
# depends on all three systems.
LOAD_COMPLETENESS_ASSET = "funnel.fct_handoffs"
# The one step (op) that runs every GX suite's check.
GX_CHECKS_STEP = "gx_checks"


def mart_asset_key(relation: str) -> dg.AssetKey:
    """dagster-dbt's default key of a model with a configured schema: [schema, model]."""
    return dg.AssetKey(relation.split("."))


def guarded_relations(suite: Suite) -> list[str]:
    relations = [f.guards for f in suite.frames if not f.guards.startswith("audit.")]
    return list(dict.fromkeys(relations or [LOAD_COMPLETENESS_ASSET]))


def suite_is_blocking(suite: Suite, config: QualityConfig) -> bool:
    return any(config.get(suite.name, name).blocking for name in suite.expectation_names)


def build_db_from(context: AssetCheckExecutionContext) -> str:
    return str(context.resources.warehouse.db_path())


def _spec_for(suite: Suite, config: QualityConfig) -> dg.AssetCheckSpec:
    relations = guarded_relations(suite)
    blocking = suite_is_blocking(suite, config)
    return dg.AssetCheckSpec(
        name=f"gx_{suite.name}",
        asset=mart_asset_key(relations[0]),
        additional_deps=[mart_asset_key(r) for r in relations[1:]],
        description=f"Great Expectations suite `{suite.name}`: {suite.description}",
        blocking=blocking,
        metadata={
            "gx_suite": suite.name,
            "expectations": ", ".join(suite.expectation_names),
            "blocking": blocking,
        },
    )


def _notes(results: Sequence[CheckResult]) -> list[CheckResult]:
    """Passed results worth a line: not_applicable / no_records, and handoff leaks published above
    their floor."""
    return [r for r in results if r.success and (r.status != "passed" or r.failing_record_count)]


def _check_result(spec: dg.AssetCheckSpec, results: Sequence[CheckResult]) -> dg.AssetCheckResult:
    """One suite's evaluation: failed (severity ERROR) with a blocking failure among ``results``, failed
    (WARN) with only non-blocking ones, passed otherwise; every expectation's outcome in the metadata."""
    errors = [r for r in results if r.blocking_failure]
    warnings = [r for r in results if not r.success and not r.blocking_failure]
    notes = _notes(results)
    return dg.AssetCheckResult(
        asset_key=spec.asset_key,
        check_name=spec.name,
        passed=not errors and not warnings,
        severity=dg.AssetCheckSeverity.ERROR if errors else dg.AssetCheckSeverity.WARN,
        description="; ".join(r.message() for r in errors + warnings + notes) or "every expectation passed",
        metadata={
            "statuses": ", ".join(f"{r.expectation}: {r.status}" for r in results),
            **{
                f"{r.expectation}": {
                    "status": r.status,
                    "kind": r.kind,
                    "success": r.success,
                    "severity": r.severity,
                    "failing_records": r.failing_record_count,
                    "records_checked": r.element_count,
                    "observed": r.observed_value,
                    "threshold": r.threshold,
                    "reason": r.reason,
                    "sample_failing_keys": r.sample_failing_keys,
                }
                for r in results
            },
        },
    )


def _checks_for(suites: Sequence[Suite], config: QualityConfig) -> dg.AssetChecksDefinition:
    """Every suite's check in ONE step (``gx_checks``): one GX context, one fetch connection, one Data
    Docs build and one write of ``audit.check_results`` for all of them, instead of one step each. The
    step reports every suite, then fails when any result is a blocking failure, which skips whatever
    depends on its blocking checks (the publish asset); a suite that only warns reports a failed
    evaluation of severity WARN and fails nothing. A suite that raises (fetching or validating its
    frames) reports a failed evaluation of severity ERROR naming the error in one line, whatever its
    configured severity, and fails the step; its traceback goes to the run's log; the other suites
    report as usual. A Data Docs build that fails is logged and fails nothing (the results stand)."""
    specs = {s.name: _spec_for(s, config) for s in suites}

    @dg.multi_asset_check(
        name=GX_CHECKS_STEP,
        specs=list(specs.values()),
        description="The Great Expectations suites (revenue_warehouse/quality/suites), one check each.",
        can_subset=True,
        required_resource_keys={"warehouse"},
    )
    def _checks(context: AssetCheckExecutionContext) -> Iterator[dg.AssetCheckResult]:
        from revenue_warehouse.quality.results import CheckFailed
        from revenue_warehouse.quality.runner import run_checks

        selected = {key.name for key in context.selected_asset_check_keys}
        names = [name for name, spec in specs.items() if spec.name in selected]

        def on_error(what: str, exc: Exception) -> None:
            """A suite that could not run (it reports a blocking failure) or the Data Docs build (the
            results are kept): the traceback to the run's log."""
            failed = "could not be built" if what == "Data Docs" else "could not run"
            context.log.error(f"{what} {failed}:\n{''.join(traceback.format_exception(exc))}")

        # thresholds and floors as configured now (WAREHOUSE_CHECKS_CONFIG); blocking is fixed when the
        # code location loads
        results = run_checks(
            build_db_from(context), context.run.run_id, names, config=load_config(), on_error=on_error
        )
        errors: list[CheckResult] = []
        for name in names:
            suite_results = [r for r in results if r.suite == name]
            failures = [r for r in suite_results if r.blocking_failure]
            failures += [r for r in suite_results if not r.success and not r.blocking_failure]
            for failure in failures:
                context.log.warning(failure.message())
            for note in _notes(suite_results):
                context.log.info(note.message())
            errors += [r for r in suite_results if r.blocking_failure]
            yield _check_result(specs[name], suite_results)
        if errors:
            # Fail the step (and the run) with a message naming the handoff, the expectation, the
            # number of failing records and sample ids; downstream assets (publish) do not run.
            raise dg.Failure(description=str(CheckFailed(errors)))

    return _checks


def runs_gx_checks(job: dg.JobDefinition) -> bool:
    """Whether ``job`` executes any GX check (``refresh`` does, ``load_raw`` does not). Given a step's
    ``context.job_def``, that is the run's own subset: a run of ``refresh`` that leaves the GX checks
    out (selected assets only, checks deselected) has none."""
    return any(key.name.startswith("gx_") for key in job.asset_layer.asset_graph.asset_check_keys)


_PRELOAD: list[threading.Thread] = []  # the one preload of this process, once started
_PRELOAD_LOCK = threading.Lock()


def preload_gx() -> threading.Thread:
    """Import Great Expectations in a daemon thread (about 3 s of CPU, mostly scipy, altair and pandas)
    so that the first GX check of a run does not wait for it: a run whose job has GX checks starts it
    in its dbt step once the dbt process is running (``orchestration.dbt_assets``), so the import overlaps
    ``dbt build``, which works in its own process. Not earlier: started with the run it slowed Dagster's
    planning of the run (0.9 s without it, 4.1 s with it); started in the load step, it slowed the loader's threads
    (scale 10: the loads 15.5 s instead of 16.7, docs/benchmarks.md, round 15), as both need the GIL. Once
    per process: a later call returns the same thread. A check that starts before it finished waits for
    the same import (Python's module lock); a failed preload changes nothing (the check imports GX itself
    and reports its error)."""
    with _PRELOAD_LOCK:
        if not _PRELOAD:

            def _import() -> None:
                try:
                    importlib.import_module("great_expectations")
                except Exception:  # reported by the check that imports GX again
                    return

            thread = threading.Thread(target=_import, name="preload-great-expectations", daemon=True)
            thread.start()
            _PRELOAD.append(thread)
        return _PRELOAD[0]


def gx_asset_checks(suites: Sequence[Suite] | None = None) -> list[dg.AssetChecksDefinition]:
    """The GX asset checks, one per suite, all run by one step (:func:`_checks_for`)."""
    return [_checks_for(list(suites or SUITES.values()), load_config())]


def guarded_asset_keys() -> list[dg.AssetKey]:
    keys = [mart_asset_key(r) for s in SUITES.values() for r in guarded_relations(s)]
    return list(dict.fromkeys(keys))
