"""Run the suites: fetch each frame read-only from DuckDB, validate it with an ephemeral GX context,
write ``audit.check_results`` and the Data Docs HTML."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from revenue_warehouse.build_db import BuildLocked, open_build
from revenue_warehouse.paths import data_dir
from revenue_warehouse.quality.config import QualityConfig, load_config, validate_against
from revenue_warehouse.quality.results import CheckResult, write_results
from revenue_warehouse.quality.spec import Expectation, Frame, Params, Suite
from revenue_warehouse.quality.suites import SUITES
from revenue_warehouse.quality.suites.load_completeness import staging_models

LOCK_WAIT_SECONDS = 120.0


def data_docs_dir() -> Path:
    value = os.environ.get("WAREHOUSE_DATA_DOCS_DIR")
    return Path(value).expanduser().resolve() if value else data_dir() / "quality" / "data_docs"


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


def data_context(con: duckdb.DuckDBPyConnection, as_of: date | None) -> Params:
    """What the frames' SQL needs besides thresholds: the as-of date and the tables present."""
    relations = _relations(con)
    if as_of is None and ("audit", "load_manifest") in relations:
        as_of = con.execute(
            "select max(extract_date) from audit.load_manifest where status <> 'failed'"
        ).fetchone()[0]
    raw_tables = {(s.removeprefix("raw_"), t) for s, t in relations if s.startswith("raw_")}
    models = {k: v for k, v in staging_models().items() if ("staging", v[0]) in relations}
    sla_targets = {}
    if ("reference", "handoff_slas") in relations:
        sla_targets = dict(con.execute("select handoff, target_share from reference.handoff_slas").fetchall())
    return {
        "as_of": as_of or date.today(),
        "raw_tables": raw_tables,
        "staging_models": models,
        "sla_targets": sla_targets,
    }


def frame_params(suite: Suite, config: QualityConfig, context: Params) -> Params:
    params: Params = {**context, **config.suite_params.get(suite.name, {})}
    for name in suite.expectation_names:
        params.update(config.get(suite.name, name).params)
    return params


def fetch_frames(
    db_path: Path | str, suites: Sequence[Suite], config: QualityConfig, as_of: date | None = None
) -> tuple[dict[str, pd.DataFrame], dict[str, Params]]:
    """One small DataFrame per (suite, frame), fetched over a single read-only connection, and the
    parameters (thresholds and data context) each suite's SQL and expectations were built with."""
    frames: dict[str, pd.DataFrame] = {}
    params_by_suite: dict[str, Params] = {}
    con = connect(db_path, read_only=True)
    try:
        context = data_context(con, as_of)
        for suite in suites:
            params = params_by_suite[suite.name] = frame_params(suite, config, context)
            for frame in suite.frames:
                try:
                    frames[suite.gx_suite_name(frame)] = con.execute(frame.sql(params)).df()
                except duckdb.Error as exc:
                    raise RuntimeError(
                        f"suite {suite.name}, frame {frame.name}: cannot query {frame.guards}: {exc}"
                    ) from exc
    finally:
        con.close()
    return frames, params_by_suite


def _gx_context(docs_dir: Path | None) -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if docs_dir is not None:
        site = {
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
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
) -> CheckResult:
    result = dict(gx_result.result or {})
    if expectation.failing is not None:
        mask = expectation.failing(df, params) if len(df) else pd.Series([], dtype=bool)
        failing = int(mask.sum())
        keys = df.loc[mask, frame.key].head(config.sample_size).tolist() if failing else []
    else:
        failing = int(result.get("unexpected_count") or 0)
        rows = result.get("unexpected_index_list") or []
        keys = [row[frame.key] for row in rows][: config.sample_size]
        if expectation.count_column is not None:
            failing_keys = {row[frame.key] for row in rows}
            counts = df.loc[df[frame.key].isin(failing_keys), expectation.count_column]
            failing = int(counts.abs().sum())
    check = config.get(suite.name, expectation.name)
    return CheckResult(
        run_id=run_id,
        suite=suite.name,
        gx_suite=suite.gx_suite_name(frame),
        expectation=expectation.name,
        gx_expectation=gx_result.expectation_config.type,
        guards=frame.guards,
        handoff=suite.handoff,
        severity=check.severity,
        success=bool(gx_result.success),
        observed_value=_observed(result),
        threshold=expectation.threshold(params),
        element_count=int(result.get("element_count", len(df))),
        failing_record_count=failing,
        sample_failing_keys=[str(k) for k in keys],
        description=expectation.description,
    )


def validate(
    frames: dict[str, pd.DataFrame],
    suites: Sequence[Suite],
    config: QualityConfig,
    run_id: str,
    params_by_suite: dict[str, Params],
    docs_dir: Path | None = None,
) -> list[CheckResult]:
    """Validate every frame with its GX suite (GX is imported here, not at module level)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    context = _gx_context(docs_dir)
    source = context.data_sources.add_pandas("duckdb_frames")
    results: list[CheckResult] = []
    for suite in suites:
        params = params_by_suite[suite.name]
        for frame in suite.frames:
            name = suite.gx_suite_name(frame)
            df = frames[name]
            batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
            gx_suite = context.suites.add(gx.ExpectationSuite(name=name))
            for expectation in frame.expectations:
                cls = getattr(gxe, expectation.gx_type)
                gx_suite.add_expectation(
                    cls(
                        **expectation.kwargs(params),
                        meta={"check": expectation.name, "notes": expectation.description},
                    )
                )
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=gx_suite)
            )
            actions = [gx.checkpoint.UpdateDataDocsAction(name="data_docs")] if docs_dir is not None else []
            checkpoint = context.checkpoints.add(
                gx.Checkpoint(
                    name=name,
                    validation_definitions=[definition],
                    actions=actions,
                    result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [frame.key]},
                )
            )
            run = checkpoint.run(batch_parameters={"dataframe": df})
            by_name = {e.name: e for e in frame.expectations}
            for validation in run.run_results.values():
                for gx_result in validation.results:
                    expectation = by_name[gx_result.expectation_config.meta["check"]]
                    results.append(
                        _to_result(expectation, gx_result, df, frame, suite, params, run_id, config)
                    )
    return results


def run_checks(
    db_path: Path | str,
    run_id: str,
    suite_names: Sequence[str] | None = None,
    *,
    config: QualityConfig | None = None,
    as_of: date | None = None,
    docs_dir: Path | None | bool = True,
    write: bool = True,
) -> list[CheckResult]:
    """Run the named suites (all by default) on ``db_path``; write ``audit.check_results`` unless told not
    to. Returns every result; raising on blocking failures is the caller's decision (``raise_on_blocking``)."""
    config = config or load_config()
    validate_against(config, {name: suite.expectation_names for name, suite in SUITES.items()})
    suites = [SUITES[n] for n in (suite_names or list(SUITES))]
    frames, params = fetch_frames(db_path, suites, config, as_of)
    docs = data_docs_dir() if docs_dir is True else (docs_dir or None)
    if docs is not None:
        docs = docs / "_".join(s.name for s in suites) if len(suites) == 1 else docs / "all"
    results = validate(frames, suites, config, run_id, params, docs)
    if write:
        con = connect(db_path, read_only=False)
        try:
            write_results(con, results)
        finally:
            con.close()
    return results
