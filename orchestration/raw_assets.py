"""Raw load assets: one multi-asset per source system; each contract table is an asset
``raw_<system>/<table>`` (the key the dbt sources map to), daily partitioned by extract date."""

import time
from collections.abc import Iterator
from datetime import date

import dagster as dg
import duckdb

from orchestration.partition_events import record_materializations
from orchestration.resources import WarehouseResource
from revenue_warehouse.build_db import BuildCorrupt, run_lock
from revenue_warehouse.contract import SYSTEMS, Table, parse_day, tables_for
from revenue_warehouse.loader import (
    LOADED,
    REPLACED,
    ExtractListing,
    FileResult,
    accounting_violations,
    list_extracts,
    load_extracts,
    recorded_conflicts,
    version_conflicts,
)

IDENTITY_CHECK = "accounting_identity"
# every file of the table loaded (none failed). A failed file is this check failing (severity ERROR) on
# its table, not a failed step: the step still materializes what did load, so the one dbt step runs and
# leaves out only the models downstream of the failed tables (see orchestration.dbt_assets), and checks
# of unrelated marts run rather than being reported "execution failed" in a failed run.
LOADED_CHECK = "files_loaded"
# transient failures (a lock held by a reader, a file still being written) are retried; bad data is not
RETRY = dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL)


def asset_key(table: Table) -> dg.AssetKey:
    return dg.AssetKey([f"raw_{table.system}", table.name])


def _metadata(table: Table, files: list[FileResult], total_rows: int) -> dict[str, dg.MetadataValue]:
    failed = [f for f in files if f.failed]
    new_columns = sorted({c for f in files for c in f.new_columns})
    return {
        "table": dg.MetadataValue.text(table.qualified_name),
        "files": dg.MetadataValue.int(len(files)),
        "rows_loaded": dg.MetadataValue.int(
            sum(f.rows_loaded for f in files if f.status != "skipped_duplicate")
        ),
        "rows_quarantined": dg.MetadataValue.int(
            sum(f.rows_quarantined for f in files if f.status != "skipped_duplicate")
        ),
        "files_skipped_duplicate": dg.MetadataValue.int(sum(f.status == "skipped_duplicate" for f in files)),
        "files_replaced": dg.MetadataValue.int(sum(f.status == "replaced" for f in files)),
        "files_failed": dg.MetadataValue.int(len(failed)),
        "failures": dg.MetadataValue.md("\n".join(f"- `{f.file}`: {f.error}" for f in failed) or "none"),
        "new_columns": dg.MetadataValue.text(", ".join(new_columns) or "none"),
        "dagster/row_count": dg.MetadataValue.int(total_rows),
    }


class LoadConfig(dg.Config):
    """``all_extract_dates``: load every extract date present, not only the run's partitions. For a
    full load (``warehouse run``): one run with one partition key (the last extract date) instead of a
    backfill whose per-partition events would cost Dagster minutes per thousand partitions; the other
    extract dates it loaded are recorded as materialized in one write (``record_loaded_partitions``)."""

    all_extract_dates: bool = False


def _dates(context: dg.AssetExecutionContext, config: LoadConfig) -> list[date] | None:
    return None if config.all_extract_dates else [parse_day(k) for k in context.partition_keys]


def record_loaded_partitions(
    context: dg.AssetExecutionContext,
    partitions: dg.PartitionsDefinition,
    tables: list[Table],
    files: dict[tuple[str, str], list[FileResult]],
    extracts: list[date],
) -> int:
    """After a load of every extract date: record each table materialized for every partition from
    the first to the last extract date present that the instance does not show materialized yet, or
    whose file of that table this run loaded (a new or re-delivered file), except the run's own
    partition (its materialization, with the load's metadata, follows) and the dates whose file of
    that table failed. A run on the instance that recorded the previous runs records only the new
    days; a new instance (a fresh DAGSTER_HOME) over a loaded warehouse gets every date. One write
    for all of them (``orchestration.partition_events``). Returns the number of events recorded."""
    if not extracts:
        return 0
    first, last = extracts[0].isoformat(), extracts[-1].isoformat()
    in_range = [
        k for k in partitions.get_partition_keys() if first <= k <= last and k != context.partition_key
    ]
    by_asset = {}
    for t in tables:
        results = files.get((t.system, t.name), [])
        failed = {f.extract_date.isoformat() for f in results if f.failed}
        loaded_now = {f.extract_date.isoformat() for f in results if f.status in (LOADED, REPLACED)}
        recorded = context.instance.get_materialized_partitions(asset_key(t))
        by_asset[asset_key(t)] = [
            k for k in in_range if k not in failed and (k in loaded_now or k not in recorded)
        ]
    return record_materializations(
        context.instance,
        context.run.run_id,
        context.job_name,
        context.get_step_execution_context().step.key,
        by_asset,
        metadata={"recorded_by": "load of every extract date, one run (see the run's own partition)"},
    )


def _table_results(
    context: dg.AssetExecutionContext,
    con: duckdb.DuckDBPyConnection,
    t: Table,
    files: list[FileResult],
    span: str,
    dates: list[date] | None,
) -> Iterator:
    """The table's materialization (what did load; failed files listed in its metadata) and its checks."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [f"raw_{t.system}", t.name],
    ).fetchone()[0]
    total = con.execute(f"SELECT count(*) FROM {t.qualified_name}").fetchone()[0] if exists else 0
    metadata = {**_metadata(t, files, total), "extract_dates": dg.MetadataValue.text(span)}
    # kept by the loader per load (the records its files touched); computed whole if it keeps none
    conflicts, sample = (recorded_conflicts(con, t) or version_conflicts(con, t)) if exists else (0, [])
    metadata["version_conflicts"] = conflicts
    if conflicts:
        context.log.warning(
            f"{t.qualified_name}: {conflicts} record(s) have different versions with the same "
            f"sync time; staging keeps the later extract date, then the later row (e.g. {sample[:3]})"
        )
    yield dg.MaterializeResult(asset_key=asset_key(t), metadata=metadata)
    failed = [f for f in files if f.failed]
    for f in failed:
        context.log.error(f"{f.file}: {f.error}")
    yield dg.AssetCheckResult(
        asset_key=asset_key(t),
        check_name=LOADED_CHECK,
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(f"{f.file}: {f.error}" for f in failed) or f"all {len(files)} file(s) loaded",
        metadata={
            "files_failed": len(failed),
            "failed_files": dg.MetadataValue.json([f.file for f in failed]),
        },
    )
    checked, violations = accounting_violations(con, t, dates)
    yield dg.AssetCheckResult(
        asset_key=asset_key(t),
        check_name=IDENTITY_CHECK,
        passed=not violations,
        metadata={"files_checked": checked, "violations": dg.MetadataValue.json(violations[:20])},
    )


def build_system_asset(
    system: str, partitions: dg.PartitionsDefinition, listing: ExtractListing | None = None
) -> dg.AssetsDefinition:
    """The system's load. ``listing``: the extracts folder as listed at the start of the one run these
    definitions are built for (``orchestration.location.build_definitions``); else each load lists it."""
    tables = tables_for(system)
    specs = [
        dg.AssetSpec(
            asset_key(t),
            description=t.description,
            group_name=f"raw_{system}",
            kinds={"duckdb"},
            metadata={"primary_key": ", ".join(t.primary_key)},
        )
        for t in tables
    ]
    checks = [
        spec
        for t in tables
        for spec in (
            dg.AssetCheckSpec(
                IDENTITY_CHECK,
                asset=asset_key(t),
                description="For every file: rows in file = rows loaded + rows quarantined, and raw and "
                "audit.quarantine hold exactly those rows.",
            ),
            dg.AssetCheckSpec(
                LOADED_CHECK,
                asset=asset_key(t),
                description="Every extract file of the run loaded: none failed (a missing required column, "
                "a likely rename, two files for one date, an unreadable file). The dbt models downstream of a "
                "table that fails it are not built in that run, so nothing is published.",
            ),
        )
    ]

    @dg.multi_asset(
        name=f"load_{system}",
        specs=specs,
        check_specs=checks,
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        retry_policy=RETRY,
        can_subset=True,
        description=f"Load the {SYSTEMS[system]} system's ({system}) daily extract files into raw_{system}.",
    )
    def _load(
        context: dg.AssetExecutionContext, config: LoadConfig, warehouse: WarehouseResource
    ) -> Iterator:
        dates = _dates(context, config)
        selected = [t for t in tables if asset_key(t) in context.selected_asset_keys]
        span = (
            "every extract date present"
            if dates is None
            else f"{len(dates)} extract date(s) {dates[0]}..{dates[-1]}"
        )
        context.log.info(f"loading {system}: {span}")
        listed = listing or list_extracts(
            warehouse.extracts_path(), systems=None if config.all_extract_dates else [system]
        )
        try:
            with run_lock(warehouse.db_path()):  # re-entered when `warehouse run` holds it
                summary = load_extracts(
                    warehouse.db_path(),
                    warehouse.extracts_path(),
                    dates=dates,
                    systems=[system],
                    run_id=context.run.run_id,
                    listing=listed,
                )
        except BuildCorrupt as exc:  # retrying cannot help (a lock is retried by RETRY)
            raise dg.Failure(description=str(exc), allow_retries=False) from exc
        for path, reason in summary.unknown_paths.items():
            context.log.warning(f"not loaded ({reason}): {path}")
        by_table = summary.by_table()
        if config.all_extract_dates:
            started, cpu = time.monotonic(), time.process_time()
            n = record_loaded_partitions(context, partitions, selected, by_table, listed.dates())
            context.log.info(
                f"recorded {n:,} materialization(s) of extract-date partitions new to this instance or "
                f"loaded now in {time.monotonic() - started:.1f}s (CPU {time.process_time() - cpu:.1f}s)"
            )
        with warehouse.connect(read_only=True) as con:
            for t in selected:
                files = by_table.get((system, t.name), [])
                yield from _table_results(context, con, t, files, span, dates)

    return _load


def build_raw_assets(
    partitions: dg.PartitionsDefinition, listing: ExtractListing | None = None
) -> list[dg.AssetsDefinition]:
    """One load multi-asset per source system, partitioned by extract date (``listing``: see
    ``build_system_asset``)."""
    return [build_system_asset(system, partitions, listing) for system in SYSTEMS]
