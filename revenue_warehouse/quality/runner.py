"""Run the suites: fetch each frame read-only from DuckDB, validate it with an ephemeral GX context,
write ``audit.check_results`` and the Data Docs HTML."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from revenue_warehouse.build_db import BuildLocked, open_build
from revenue_warehouse.company import Company, load_company
from revenue_warehouse.loader.audit import latest_loaded_date
from revenue_warehouse.quality.config import CheckConfig, QualityConfig, load_config, validate_against
from revenue_warehouse.quality.results import CheckResult, write_results
from revenue_warehouse.quality.spec import Expectation, Frame, Params, Suite, recent_met_at_least
from revenue_warehouse.quality.suites import SUITES
from revenue_warehouse.settings import get_settings

LOCK_WAIT_SECONDS = 120.0
# Called with what could not run ("suite <name>" or "Data Docs") and the exception, to log its traceback.
OnError = Callable[[str, Exception], object]
# The name of the one result a suite that could not run reports (``suite_error``).
SUITE_ERROR = "suite_error"


def _log_traceback(what: str, exc: Exception) -> None:
    """The default :data:`OnError`: the traceback to the warehouse log file, never the terminal."""
    from revenue_warehouse.errors import log_traceback

    log_traceback(exc)


def _reraise_interrupts(exc: Exception) -> None:
    """A DuckDB interrupt (an ``Exception``, unlike ``KeyboardInterrupt``) stops the run: never a result."""
    if isinstance(exc, duckdb.InterruptException):
        raise exc


def one_line(exc: BaseException) -> str:
    """``Type: first line of the message`` (DuckDB's messages go on with hints and the SQL)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def data_docs_dir() -> Path:
    return get_settings().data_docs_dir


def connect(db_path: Path | str, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open the build file, waiting while another process holds its lock."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return open_build(db_path, read_only=read_only)
        except BuildLocked:  # a lock is waited for; corruption fails at once (BuildCorrupt)
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _relations(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return {
        (s, t)
        for s, t in con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    }


def data_context(con: duckdb.DuckDBPyConnection, as_of: date | None, company: Company) -> Params:
    """What the frames' SQL needs besides thresholds: the as-of date, the raw tables present, the
    systems the company declares and the handoffs' SLA targets."""
    relations = _relations(con)
    if as_of is None:  # the warehouse's as-of date: the last extract date loaded (revenue_warehouse/as_of.py)
        as_of = latest_loaded_date(con)
    raw_tables = {(s.removeprefix("raw_"), t) for s, t in relations if s.startswith("raw_")}
    sla_targets, handoff_departments = {}, {}
    if ("reference", "handoff_slas") in relations:
        rows = con.execute(
            "select handoff, target_share, from_department, to_department from reference.handoff_slas"
        ).fetchall()
        sla_targets = {handoff: target for handoff, target, _, _ in rows}
        handoff_departments = {handoff: (a, b) for handoff, _, a, b in rows}
    return {
        "as_of": as_of or date.today(),
        "raw_tables": raw_tables,
        "declared_systems": company.source_systems(),
        "sla_targets": sla_targets,
        "handoff_departments": handoff_departments,
        "company": company,
    }


def frame_params(suite: Suite, config: QualityConfig, context: Params) -> Params:
    return {**context, **config.suite_params.get(suite.name, {})}


def expectation_params(
    suite: Suite, expectation: Expectation, config: QualityConfig, params: Params
) -> Params:
    return {**params, **config.get(suite.name, expectation.name).params}


@dataclass
class FrameState:
    """What was found before validating a frame: ``status`` ``ok`` (validate it), ``not_applicable``,
    ``no_records`` or ``empty_input`` (its input is empty while its upstream is not), and why."""

    status: str = "ok"
    reason: str = ""


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchone()[0] or 0)


def _fetch_frame(
    con: duckdb.DuckDBPyConnection, suite: Suite, frame: Frame, params: Params
) -> tuple[pd.DataFrame, FrameState]:
    # the departments a handoff check needs are its handoff's (seeds/handoff_slas.csv)
    departments = frame.departments or params.get("handoff_departments", {}).get(suite.handoff, ())
    reason = params["company"].missing(frame.systems, tuple(departments))
    if reason:
        return pd.DataFrame(), FrameState("not_applicable", reason)
    try:
        df = con.execute(frame.sql(params)).df()
        if len(df):
            return df, FrameState()
        total = _count(con, frame.total(params)) if frame.total else 0
        upstream = _count(con, frame.upstream(params)) if frame.upstream else 0
    except duckdb.Error as exc:
        raise RuntimeError(
            f"suite {suite.name}, frame {frame.name}: cannot query {frame.guards}: {exc}"
        ) from exc
    if total == 0 and upstream > 0:
        return df, FrameState(
            "empty_input", f"{frame.guards} is empty while its upstream has {upstream:,} records"
        )
    if total:
        return df, FrameState("no_records", f"none of the {total:,} records of {frame.guards} is decided yet")
    return df, FrameState("no_records", f"{frame.guards} has no records to check")


def fetch_frames(
    db_path: Path | str,
    suites: Sequence[Suite],
    config: QualityConfig,
    as_of: date | None = None,
    company: Company | None = None,
    on_error: OnError = _log_traceback,
) -> tuple[dict[str, pd.DataFrame], dict[str, Params], dict[str, FrameState], dict[str, str]]:
    """One small DataFrame per (suite, frame), fetched over a single read-only connection, the
    parameters (thresholds and data context) each suite's SQL was built with, each frame's state, and
    the suites whose frames could not be fetched (suite name -> why, one line; ``on_error`` gets the
    exception): the other suites' frames are fetched all the same. Opening the file and the shared data
    context (as-of date, relations, SLA seed) are not per suite: their errors raise."""
    frames: dict[str, pd.DataFrame] = {}
    states: dict[str, FrameState] = {}
    params_by_suite: dict[str, Params] = {}
    crashed: dict[str, str] = {}
    con = connect(db_path, read_only=True)
    try:
        context = data_context(con, as_of, company or load_company())
        for suite in suites:
            try:
                params = params_by_suite[suite.name] = frame_params(suite, config, context)
                for frame in suite.frames:
                    name = suite.gx_suite_name(frame)
                    frames[name], states[name] = _fetch_frame(con, suite, frame, params)
            except Exception as exc:  # KeyboardInterrupt / SystemExit are not Exceptions
                _reraise_interrupts(exc)
                on_error(f"suite {suite.name}", exc)
                crashed[suite.name] = f"fetching its frames: {one_line(exc)}"
    finally:
        con.close()
    return frames, params_by_suite, states, crashed


def _gx_context(docs_dir: Path | None, index_limit: int | None = None) -> Any:
    """An ephemeral GX context. With Data Docs, validation results are kept as JSON under
    ``<docs_dir>/.validation_results`` so the site's index lists earlier runs' validations, not only the
    latest (GX drops pages whose result is not in its store): the latest ``index_limit`` of them (GX's
    ``validation_results_limit``; every one when ``None``). Older pages and results stay on disk."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults())
    if docs_dir is not None:
        config.stores[config.validation_results_store_name] = {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir / ".validation_results"),
            },
        }
    context = gx.get_context(mode="ephemeral", project_config=config)
    # An ephemeral context "saves" its configuration by serializing all of it to YAML into an in-memory
    # store that nothing reads, on every data-source change (two per checkpoint, 38 a run): skipped.
    context._save_project_config = lambda: None
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if docs_dir is not None:
        site = {
            "class_name": "SiteBuilder",
            "site_index_builder": {
                "class_name": "DefaultSiteIndexBuilder",
                "validation_results_limit": index_limit,
            },
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        }
        context.add_data_docs_site(site_name="revenue_warehouse", site_config=site)
    return context


def _observed(result: dict[str, Any]) -> str:
    if "observed_value" in result:
        value = result["observed_value"]
        return f"{value:.4f}" if isinstance(value, float) else str(value)
    return f"{result.get('unexpected_count', 0)} of {result.get('element_count', 0)} unexpected"


def _to_result(
    expectation: Expectation,
    gx_result: Any,
    df: pd.DataFrame,
    frame: Frame,
    suite: Suite,
    params: Params,
    run_id: str,
    config: QualityConfig,
    check: CheckConfig,
) -> CheckResult:
    result = dict(gx_result.result or {})
    if expectation.failing is not None:
        mask = expectation.failing(df, params) if len(df) else pd.Series([], dtype=bool)
        failing = int(mask.sum())
        keys = df.loc[mask, frame.key].head(config.sample_size).tolist() if failing else []
    else:
        failing = int(result.get("unexpected_count") or 0)
        # every failing row's key (COMPLETE) or the first sample_size of them (SUMMARY): _result_format
        rows = result.get("unexpected_index_list") or result.get("partial_unexpected_index_list") or []
        keys = [row[frame.key] for row in rows][: config.sample_size]
        if expectation.count_column is not None:
            failing_keys = {row[frame.key] for row in rows}
            counts = df.loc[df[frame.key].isin(failing_keys), expectation.count_column]
            failing = int(counts.abs().sum())
    success = bool(gx_result.success)
    return CheckResult(
        run_id=run_id,
        suite=suite.name,
        gx_suite=suite.gx_suite_name(frame),
        expectation=expectation.name,
        gx_expectation=gx_result.expectation_config.type,
        guards=frame.guards,
        handoff=suite.handoff,
        severity=check.severity,
        success=success,
        observed_value=_observed(result),
        threshold=expectation.threshold(params),
        element_count=int(result.get("element_count", len(df))),
        failing_record_count=failing,
        sample_failing_keys=[str(k) for k in keys],
        description=expectation.description,
        status="passed" if success else "failed",
        kind=check.kind,
    )


def _state_result(
    expectation: Expectation,
    frame: Frame,
    suite: Suite,
    state: FrameState,
    run_id: str,
    check: CheckConfig,
    params: Params,
) -> CheckResult:
    """The result of an expectation whose frame was not validated: not applicable, no records, or an
    empty input under a non-empty upstream (a data-integrity failure, blocking whatever the kind)."""
    failed = state.status == "empty_input"
    return CheckResult(
        run_id=run_id,
        suite=suite.name,
        gx_suite=suite.gx_suite_name(frame),
        expectation=expectation.name,
        gx_expectation=_snake(expectation.gx_type),
        guards=frame.guards,
        handoff=suite.handoff,
        severity="error" if failed else check.severity,
        success=not failed,
        observed_value="0 rows" if state.status != "not_applicable" else "",
        threshold=expectation.threshold(params),
        element_count=0,
        failing_record_count=0,
        sample_failing_keys=[],
        description=expectation.description,
        status="failed" if failed else state.status,
        kind="integrity" if failed else check.kind,
        reason=state.reason,
    )


def crash_result(suite: Suite, run_id: str, reason: str) -> CheckResult:
    """The one result of a suite that could not run (an exception fetching its frames or validating
    them): status ``error``, severity ``error`` whatever checks.yml configures (a check that could not
    run proves nothing, so it blocks publishing), ``reason`` the stage and the error in one line."""
    return CheckResult(
        run_id=run_id,
        suite=suite.name,
        gx_suite=suite.name,
        expectation=SUITE_ERROR,
        gx_expectation="",
        guards=", ".join(dict.fromkeys(f.guards for f in suite.frames)),
        handoff=suite.handoff,
        severity="error",
        success=False,
        observed_value="",
        threshold="",
        element_count=0,
        failing_record_count=0,
        sample_failing_keys=[],
        description=f"suite {suite.name} could not run",
        status="error",
        kind="integrity",
        reason=reason,
    )


def _snake(name: str) -> str:
    """GX's expectation type name (``expect_column_values_to_be_in_set``) from its class name."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _has_docs(context: Any) -> bool:
    return bool(context.variables.data_docs_sites)


def _result_format(
    frame: Frame, expectations: Sequence[Expectation], config: QualityConfig
) -> dict[str, Any]:
    """GX's result format: the keys of every failing row (``COMPLETE``) only where the failing record count
    is summed over them (``count_column``); else ``SUMMARY``, whose count is GX's unexpected count and
    whose first ``sample_size`` failing keys are the sample ids (the same results). A handoff with 40,000
    leaking records then does not serialize, store and render them all: at scale 100 the
    marketing_to_sales suite took 2.4 CPU s with ``COMPLETE`` and 1.7 with this."""
    complete = any(e.count_column is not None for e in expectations)
    return {
        "result_format": "COMPLETE" if complete else "SUMMARY",
        "unexpected_index_column_names": [frame.key],
        "partial_unexpected_count": config.sample_size,
    }


def _run_gx(
    context: Any,
    source: Any,
    name: str,
    df: pd.DataFrame,
    frame: Frame,
    suite: Suite,
    eparams: dict[str, Params],
    checks: dict[str, CheckConfig],
    run_id: str,
    config: QualityConfig,
    expectations: Sequence[Expectation] | None = None,
    validated: list[Any] | None = None,
) -> list[CheckResult]:
    """Validate ``df`` with a GX suite ``name`` of ``expectations`` (default: the frame's), through a
    checkpoint; the identifiers of its stored validation results are appended to ``validated`` (the Data
    Docs are built once for all of them, :func:`build_docs`)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.core.run_identifier import RunIdentifier

    expectations = list(expectations or frame.expectations)
    batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
    gx_suite = context.suites.add(gx.ExpectationSuite(name=name))
    for expectation in expectations:
        cls = getattr(gxe, expectation.gx_type)
        gx_suite.add_expectation(
            cls(
                **expectation.kwargs(eparams[expectation.name]),
                meta={"check": expectation.name, "notes": expectation.description},
            )
        )
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch, suite=gx_suite)
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=name,
            validation_definitions=[definition],
            actions=[],
            result_format=_result_format(frame, expectations, config),
        )
    )
    run = checkpoint.run(batch_parameters={"dataframe": df}, run_id=RunIdentifier(run_name=run_id))
    if validated is not None:
        validated.extend(run.run_results)
    by_name = {e.name: e for e in expectations}
    results = []
    for validation in run.run_results.values():
        for gx_result in validation.results:
            expectation = by_name[gx_result.expectation_config.meta["check"]]
            p = eparams[expectation.name]
            results.append(
                _to_result(
                    expectation, gx_result, df, frame, suite, p, run_id, config, checks[expectation.name]
                )
            )
    return results


def _recent_window(
    context: Any,
    source: Any,
    df: pd.DataFrame,
    frame: Frame,
    suite: Suite,
    expectation: Expectation,
    eparams: dict[str, Params],
    checks: dict[str, CheckConfig],
    run_id: str,
    config: QualityConfig,
    validated: list[Any] | None = None,
) -> list[CheckResult]:
    """The recent-window sub-check of ``expectation`` (checks.yml ``recent_days``/``recent_floor``): GX
    ``mostly`` over the decided records whose ``frame.window_column`` (a date of the check model) is in
    the ``recent_days`` days up to the as-of date; ``no_records`` when there are none."""
    params = eparams[expectation.name]
    check = checks[expectation.name]
    recent = recent_met_at_least(expectation, params)
    if frame.window_column is None:
        raise ValueError(
            f"{config.source}: {suite.name}.{expectation.name}: recent_days needs a dated check model, "
            f"and {frame.guards} has no window column"
        )
    as_of, days = params["as_of"], int(params["recent_days"])
    dates = pd.to_datetime(df[frame.window_column]).dt.date if len(df) else pd.Series([], dtype=object)
    window = df[(dates > as_of - timedelta(days=days)) & (dates <= as_of)] if len(df) else df
    if window.empty:
        reason = (
            f"no decided records of {frame.guards} with {frame.window_column} in the {days} days to {as_of}"
        )
        return [_state_result(recent, frame, suite, FrameState("no_records", reason), run_id, check, params)]
    name = f"{suite.gx_suite_name(frame)}.{recent.name.removeprefix(expectation.name + '.')}"
    return _run_gx(
        context,
        source,
        name,
        window.reset_index(drop=True),
        frame,
        suite,
        {recent.name: params},
        {recent.name: check},
        run_id,
        config,
        [recent],
        validated,
    )


def _validate_suite(
    context: Any,
    source: Any,
    frames: dict[str, pd.DataFrame],
    suite: Suite,
    config: QualityConfig,
    run_id: str,
    params: Params,
    states: dict[str, FrameState],
    validated: list[Any],
) -> list[CheckResult]:
    """Every frame of one suite validated with its GX suite; frames that are not applicable, have no
    records or an empty input get their result without GX."""
    results: list[CheckResult] = []
    for frame in suite.frames:
        name = suite.gx_suite_name(frame)
        state = states.get(name, FrameState())
        eparams = {e.name: expectation_params(suite, e, config, params) for e in frame.expectations}
        if state.status != "ok":
            for e in frame.expectations:
                check, p = config.get(suite.name, e.name), eparams[e.name]
                results.append(_state_result(e, frame, suite, state, run_id, check, p))
                if p.get("recent_days") is not None:
                    results.append(
                        _state_result(recent_met_at_least(e, p), frame, suite, state, run_id, check, p)
                    )
            continue
        checks = {e.name: config.get(suite.name, e.name) for e in frame.expectations}
        results += _run_gx(
            context,
            source,
            name,
            frames[name],
            frame,
            suite,
            eparams,
            checks,
            run_id,
            config,
            None,
            validated,
        )
        for expectation in frame.expectations:
            if eparams[expectation.name].get("recent_days") is not None:
                results += _recent_window(
                    context,
                    source,
                    frames[name],
                    frame,
                    suite,
                    expectation,
                    eparams,
                    checks,
                    run_id,
                    config,
                    validated,
                )
    return results


def _index_limit(
    suites: Sequence[Suite], config: QualityConfig, params_by_suite: dict[str, Params]
) -> int | None:
    """How many validation results the Data Docs index lists: ``data_docs_runs`` (settings) check runs'
    worth, a run of ``suites`` storing at most one per frame and one per recent window (fewer when a
    frame has nothing to validate); ``None`` (all) when ``data_docs_runs`` is 0. Reading every earlier
    result made the build grow with history (0.6 CPU s with 2 runs stored, 5.7 with 100, 18.8 with 365)."""
    runs = get_settings().data_docs_runs
    if not runs:
        return None
    per_run = sum(
        1
        + sum(
            expectation_params(s, e, config, params_by_suite.get(s.name, {})).get("recent_days") is not None
            for e in frame.expectations
        )
        for s in suites
        for frame in s.frames
    )
    return runs * max(per_run, 1)


def validate(
    frames: dict[str, pd.DataFrame],
    suites: Sequence[Suite],
    config: QualityConfig,
    run_id: str,
    params_by_suite: dict[str, Params],
    docs_dir: Path | None = None,
    states: dict[str, FrameState] | None = None,
    crashed: dict[str, str] | None = None,
    on_error: OnError = _log_traceback,
) -> list[CheckResult]:
    """Validate every suite (GX is imported here, not at module level), each on its own: a suite that
    raises (or whose frames could not be fetched: ``crashed``) reports one :func:`crash_result` and the
    others report theirs. Then the Data Docs of the suites that ran; a failure to build them is given
    to ``on_error`` and does not lose the results. The GX context itself is shared: its errors raise."""
    context = _gx_context(docs_dir, _index_limit(suites, config, params_by_suite))
    source = context.data_sources.add_pandas("duckdb_frames")
    results: list[CheckResult] = []
    validated: list[Any] = []  # identifiers of the validation results stored by this call
    for suite in suites:
        if suite.name in (crashed or {}):
            results.append(crash_result(suite, run_id, (crashed or {})[suite.name]))
            continue
        own: list[Any] = []
        try:
            suite_results = _validate_suite(
                context, source, frames, suite, config, run_id, params_by_suite[suite.name], states or {}, own
            )
        except Exception as exc:  # KeyboardInterrupt / SystemExit are not Exceptions
            _reraise_interrupts(exc)
            on_error(f"suite {suite.name}", exc)
            results.append(crash_result(suite, run_id, f"validating: {one_line(exc)}"))
            continue
        results += suite_results
        validated += own
    if _has_docs(context):
        try:
            build_docs(context, validated)
        except Exception as exc:
            _reraise_interrupts(exc)
            on_error("Data Docs", exc)
    return results


def build_docs(context: Any, validated: Sequence[Any]) -> None:
    """Build the Data Docs once, after every suite was validated: the pages of this call's validation
    results and their suites, and the index, which lists every result in the site's store (earlier runs'
    too). One build per check run, not one per checkpoint (a GX ``UpdateDataDocsAction`` on each of the
    19 checkpoints rebuilt the index 19 times, 5.4 of the 7 s of a run's GX time)."""
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    suites = {
        ExpectationSuiteIdentifier(name=identifier.expectation_suite_identifier.name)
        for identifier in validated
    }
    context.build_data_docs(resource_identifiers=[*validated, *sorted(suites, key=lambda s: s.name)])


def check_windows(config: QualityConfig, suites: Sequence[Suite]) -> None:
    """A recent-window floor (``recent_days``) needs a frame with a date column to select on."""
    undated = [
        f"{suite.name}.{e.name} ({frame.guards} has no due date)"
        for suite in suites
        for frame in suite.frames
        for e in frame.expectations
        if frame.window_column is None
        and config.get(suite.name, e.name).params.get("recent_days") is not None
    ]
    if undated:
        raise ValueError(
            f"{config.source}: recent_days on a check without a window column: {', '.join(undated)}"
        )


def run_checks(
    db_path: Path | str,
    run_id: str,
    suite_names: Sequence[str] | None = None,
    *,
    config: QualityConfig | None = None,
    as_of: date | None = None,
    docs_dir: Path | None | bool = True,
    write: bool = True,
    company: Company | None = None,
    on_error: OnError = _log_traceback,
) -> list[CheckResult]:
    """Run the named suites (all by default) on ``db_path``; write ``audit.check_results`` unless told not
    to. Returns every result; raising on blocking failures is the caller's decision (``raise_on_blocking``).
    A suite that raises reports one blocking ``error`` result (:func:`crash_result`) and ``on_error`` gets
    its exception (default: the traceback to the warehouse log file); the other suites report theirs."""
    config = config or load_config()
    validate_against(config, {name: suite.expectation_names for name, suite in SUITES.items()})
    suites = [SUITES[n] for n in (suite_names or list(SUITES))]
    check_windows(config, list(SUITES.values()))
    frames, params, states, crashed = fetch_frames(db_path, suites, config, as_of, company, on_error)
    docs = data_docs_dir() if docs_dir is True else (docs_dir or None)
    if docs is not None:
        docs = docs / "_".join(s.name for s in suites) if len(suites) == 1 else docs / "all"
    results = validate(frames, suites, config, run_id, params, docs, states, crashed, on_error)
    if write:
        con = connect(db_path, read_only=False)
        try:
            write_results(con, results)
        finally:
            con.close()
    return results
