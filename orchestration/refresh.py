"""Run the ``refresh`` job in process over every extract date present (one run, a single-run backfill)
and summarise it. Used by ``warehouse run`` and the end-to-end tests."""

from __future__ import annotations

import time
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.dbt_events import DBT_TESTS_CHECK
from orchestration.event_storage import kept_open
from revenue_warehouse import duckdb_limits
from revenue_warehouse.contract import SYSTEMS
from revenue_warehouse.loader import ExtractListing, list_extracts
from revenue_warehouse.parse_ahead import ParseAhead
from revenue_warehouse.settings import get_settings


@dataclass
class RefreshSummary:
    run_id: str
    success: bool
    first_date: str
    last_date: str
    raw_rows: dict[str, int] = field(default_factory=dict)
    rows_quarantined: int = 0
    failed_files: list[tuple[str, str]] = field(default_factory=list)
    # undeclared columns seen in the loaded extracts (kept as VARCHAR in raw): table -> columns
    new_columns: dict[str, list[str]] = field(default_factory=dict)
    materialized: int = 0
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)
    dbt_tests: dict[str, int] = field(
        default_factory=dict
    )  # model -> dbt data tests run (its dbt_tests check)
    errors: list[str] = field(default_factory=list)


def run_refresh(
    extracts_dir: Path,
    db_path: Path,
    *,
    instance: dg.DagsterInstance | None = None,
    job_name: str = "refresh",
    one_partition: bool = True,
    listing: ExtractListing | None = None,
) -> RefreshSummary:
    """Build the code location over ``extracts_dir`` / ``db_path`` (the settings otherwise) and run ``job_name``
    for every extract date present, in one run: by default as the last date's partition with the loads
    told to take every date present; the loads record the other dates as materialized in one write per
    source system (``orchestration.raw_assets.record_loaded_partitions``), so the instance shows every
    extract date of every raw table materialized. ``one_partition=False`` runs Dagster's single-run
    backfill over the range instead (the tags the new-extracts sensor's runs carry): Dagster stores a
    planned and a materialized event per partition and table one at a time, fine for the sensor's few
    days, minutes per thousand partitions (docs/decisions.md#partitions-of-a-full-run).

    The folder is listed once (``listing``, when the caller listed it already): the partitions and the
    loads use that listing; a file that appears during the run is loaded by the next run."""
    listing = listing if listing is not None else list_extracts(extracts_dir)
    dates = listing.dates()
    if not dates:
        raise FileNotFoundError(f"no extract files under {extracts_dir}")
    from orchestration.dbt_assets import warehouse_dbt_models
    from orchestration.location import build_definitions
    from orchestration.partitions import range_tags

    settings = get_settings().replace(extracts_dir=extracts_dir, build_db=db_path)
    defs = build_definitions(settings, listing)
    job = defs.resolve_job_def(job_name)
    keys = set(job.partitions_def.get_partition_keys())
    first, last = dates[0].isoformat(), dates[-1].isoformat()
    needed = [last] if one_partition else [first, last]
    if any(k not in keys for k in needed):
        raise ValueError(
            f"extract dates {first}..{last} fall outside the daily partitions: set WAREHOUSE_START_DATE"
        )
    if one_partition:
        config = {"ops": {f"load_{system}": {"config": {"all_extract_dates": True}} for system in SYSTEMS}}
        run: dict = {"partition_key": last, "run_config": config}
    else:
        run = {"tags": range_tags(first, last)}
    instance = instance or dg.DagsterInstance.ephemeral()
    run_id = str(uuid.uuid4())  # as Dagster makes one: the event-log files are held open before it starts
    # a new build file's dbt project is parsed during the loads (revenue_warehouse/parse_ahead.py)
    parse = ParseAhead(db_path) if warehouse_dbt_models.op.name in job.graph.node_dict else nullcontext()
    with parse, kept_open(instance, run_id):
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_id=run_id, **run)
    summary = RefreshSummary(result.run_id, result.success, first, last)
    events = result.all_events
    summary.materialized = sum(e.event_type_value == "ASSET_MATERIALIZATION" for e in events)
    for e in events:
        if e.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = e.event_specific_data
            if evaluation.check_name == DBT_TESTS_CHECK:
                summary.dbt_tests[evaluation.asset_key.to_user_string()] = evaluation.metadata["tests"].value
            if evaluation.passed:
                summary.checks_passed += 1
            else:
                summary.checks_failed.append(
                    f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                )
        elif e.event_type_value == "STEP_FAILURE":
            summary.errors.append(f"{e.step_key}: {e.event_specific_data.error_display_string.strip()}")
    _read_db(summary, db_path)
    # a failed file is a failed `files_loaded` check, not a failed step: the run as a whole failed
    summary.success = summary.success and not summary.failed_files
    return summary


def _connect_read_only(db_path: Path, attempts: int = 300) -> duckdb.DuckDBPyConnection:
    """After a failed step a dbt subprocess may still hold the file for a moment: wait for it."""
    for attempt in range(attempts):
        try:
            return duckdb_limits.connect(db_path, read_only=True)
        except duckdb.IOException:
            if attempt == attempts - 1:
                raise
            time.sleep(1)
    raise AssertionError("unreachable")


def _read_db(summary: RefreshSummary, db_path: Path) -> None:
    if not db_path.exists():
        return
    with _connect_read_only(db_path) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema LIKE 'raw\\_%' ESCAPE '\\' ORDER BY 1, 2"
        ).fetchall()
        for schema, name in tables:
            summary.raw_rows[f"{schema}.{name}"] = con.execute(
                f'SELECT count(*) FROM "{schema}"."{name}"'
            ).fetchone()[0]
        if tables:
            summary.rows_quarantined = con.execute("SELECT count(*) FROM audit.quarantine").fetchone()[0]
            summary.failed_files = con.execute(
                "SELECT file, error FROM audit.load_manifest WHERE run_id = ? AND status = 'failed' ORDER BY file",
                [summary.run_id],
            ).fetchall()
            new = con.execute(
                "SELECT 'raw_' || system || '.' || table_name, list_sort(list_distinct(flatten(list(new_columns)))) "
                "FROM audit.load_manifest WHERE status <> 'failed' GROUP BY 1 "
                "HAVING len(list_distinct(flatten(list(new_columns)))) > 0 ORDER BY 1"
            ).fetchall()
            summary.new_columns = {table: list(cols) for table, cols in new}


def format_summary(summary: RefreshSummary) -> str:
    lines = [
        f"refresh run {summary.run_id}: {'succeeded' if summary.success else 'FAILED'} "
        f"(extract dates {summary.first_date}..{summary.last_date})",
        "rows per raw table:",
        *(f"  {name:<40} {n:>12,}" for name, n in summary.raw_rows.items()),
        f"rows quarantined (audit.quarantine): {summary.rows_quarantined:,}",
        f"failed files this run: {len(summary.failed_files)}",
        *(f"  {file}: {error}" for file, error in summary.failed_files),
        f"undeclared (new) columns kept as text: {sum(map(len, summary.new_columns.values()))}",
        *(f"  {table}: {', '.join(cols)}" for table, cols in summary.new_columns.items()),
        f"assets materialized: {summary.materialized}; checks passed: {summary.checks_passed}, "
        f"failed: {len(summary.checks_failed)}",
        *(f"  failed check {c}" for c in summary.checks_failed),
        *(f"  step failed: {e.splitlines()[0] if e else ''}" for e in summary.errors),
    ]
    return "\n".join(lines)
