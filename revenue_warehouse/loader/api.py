"""The loader's entry points: ``load_extracts`` (a directory of extracts) and ``load_file`` (one file)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from revenue_warehouse.as_of import FUTURE_DAYS_ENV, future_tolerance_days, latest_acceptable_date, run_date
from revenue_warehouse.build_db import is_environment_error, open_build
from revenue_warehouse.contract import TABLES, Table, get_table
from revenue_warehouse.loader import facts as file_reads
from revenue_warehouse.loader.batch import PlannedFile, load_batch, write_manifest
from revenue_warehouse.loader.conflicts import ensure_conflict_state
from revenue_warehouse.loader.discovery import (
    ExtractListing,
    list_extracts,
    read_header,
    refuse_dangling_link,
)
from revenue_warehouse.loader.facts import FactsPool
from revenue_warehouse.loader.models import (
    FAILED,
    LOADED,
    REPLACED,
    SKIPPED_DUPLICATE,
    ExtractFile,
    FileResult,
    FutureExtractError,
    LoadError,
    LoadSummary,
)
from revenue_warehouse.loader.schema import drift_error, ensure_audit, ensure_raw_table

MAX_LOAD_WORKERS = 4  # tables loaded at once (measured with 2: docs/decisions.md, "Tables loaded at once")


def connect(db_path: Path | str) -> duckdb.DuckDBPyConnection:
    path = Path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return open_build(path)


def load_extracts(
    db_path: Path | str,
    extracts_dir: Path | str,
    *,
    dates: Iterable[date | str] | None = None,
    systems: Iterable[str] | None = None,
    run_id: str = "manual",
    listing: ExtractListing | None = None,
) -> LoadSummary:
    """Load every extract file of the given dates (all when ``None``) and systems into
    ``raw_<system>.<table>`` of the DuckDB file ``db_path`` (the files of ``listing``, a listing of
    ``extracts_dir`` made earlier in the run, when given; else the folder is listed now). A file that fails (missing required column,
    unreadable) is recorded as failed in the summary and ``audit.load_manifest``; every other file still
    loads. Call ``summary.raise_for_failures()`` to turn failures into an exception."""
    systems = list(systems) if systems is not None else None
    if listing is None:
        listing = list_extracts(Path(extracts_dir), systems=systems)
    files, unknown = listing.select(dates=dates, systems=systems)
    summary = LoadSummary(run_id=run_id, unknown_paths=unknown)
    by_table: dict[tuple[str, str], list[ExtractFile]] = {}
    for f in files:
        by_table.setdefault((f.system, f.table), []).append(f)
    con = connect(db_path)
    try:
        ensure_audit(con)
        # every contract table of the systems exists, empty if no file came yet (dbt sources resolve)
        for table in TABLES:
            if systems is None or table.system in set(systems):
                ensure_raw_table(con, table)
                ensure_conflict_state(con, table)
        # every table's files are screened first (unchanged ones skipped by name, size and time), then
        # the others are read (checksum, counts, header) in worker threads while DuckDB loads, several
        # tables at once (``_load_tables``), the largest first
        screened = []
        for (system, name), table_files in sorted(by_table.items()):
            table = get_table(system, name)
            screened.append((table, _screen(con, table, table_files, skip_duplicates=True, ensured=True)))
        order = sorted(screened, key=lambda item: -sum(r.file_size or 0 for _, r in item[1].to_read))
        with FactsPool() as pool:
            for _, screen in order:
                pool.submit(f.path for f, _ in screen.to_read)
            loaded = _load_tables(con, order, run_id=run_id, facts=pool)
        for table, _ in screened:  # the summary in table order, whatever order they loaded in
            summary.files.extend(loaded[(table.system, table.name)])
    finally:
        con.close()
    return summary


def load_workers(con: duckdb.DuckDBPyConnection) -> int:
    """Tables ``load_extracts`` loads at once: DuckDB's ``threads`` (WAREHOUSE_DUCKDB_THREADS, else every
    core), at most ``MAX_LOAD_WORKERS``."""
    # fetchall: a result left unfetched makes the connection refuse ``register`` (DuckDB 2)
    [(threads,)] = con.execute("SELECT current_setting('threads')").fetchall()
    return max(1, min(int(threads), MAX_LOAD_WORKERS))


def _load_tables(
    con: duckdb.DuckDBPyConnection,
    screened: list[tuple[Table, _Screened]],
    *,
    run_id: str,
    facts: FactsPool,
) -> dict[tuple[str, str], list[FileResult]]:
    """``load_table_files`` of each table, in ``load_workers`` threads, each table on its own cursor
    (its own DuckDB connection: the load's transaction and temporary tables are its own), started in
    the order given. A table's load is the same statements in the same one transaction as when the
    tables loaded one after another; the tables share no rows (a table's raw table, its rows of
    ``audit.quarantine`` and ``loader_state.version_conflicts``, new manifest rows), so concurrent
    transactions do not conflict. Why: the fast path's insert numbers rows with a streaming
    ``row_number() OVER ()``, which DuckDB runs on one thread, so one table at a time used one core.
    The first error stops the tables not started (those running finish, each committing or rolling
    back its own transaction; an interrupt interrupts them) and is raised."""
    workers = min(load_workers(con), len(screened)) if screened else 1
    results: dict[tuple[str, str], list[FileResult]] = {}
    if workers <= 1:
        for table, screen in screened:
            key = (table.system, table.name)
            results[key] = load_table_files(con, table, [], run_id=run_id, screened=screen, facts=facts)
        return results
    running: set[duckdb.DuckDBPyConnection] = set()

    def load(table: Table, screen: _Screened) -> list[FileResult]:
        cursor = con.cursor()
        running.add(cursor)
        try:
            return load_table_files(cursor, table, [], run_id=run_id, screened=screen, facts=facts)
        finally:
            running.discard(cursor)
            cursor.close()

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rw-load") as pool:
        futures = {pool.submit(load, table, screen): table for table, screen in screened}
        try:
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in futures:  # the first to fail in start order, as loading one by one raised it
                if future in done and future.exception() is not None:
                    raise future.exception()
            for future, table in futures.items():
                results[(table.system, table.name)] = future.result()
        except BaseException as exc:
            for future in futures:
                future.cancel()
            if not isinstance(exc, Exception):  # an interrupt: stop the running loads too
                for cursor in list(running):
                    with contextlib.suppress(duckdb.Error):
                        cursor.interrupt()
            raise
    return results


def load_file(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    path: Path | str,
    *,
    extract_date: date,
    run_id: str,
    source_name: str | None = None,
) -> FileResult:
    """Load one file into ``table``'s raw table, replacing that extract date; raise ``LoadError`` naming
    the file and column if a required column is missing."""
    path = Path(path)
    ensure_audit(con)
    extract = ExtractFile(table.system, table.name, extract_date, path, source_name or str(path))
    [result] = load_table_files(con, table, [extract], run_id=run_id, skip_duplicates=False)
    if result.failed:
        raise LoadError(result.error)
    return result


@dataclass
class _Screened:
    """A table's files after the checks that need no read of their content: ``results`` (one per file,
    in order; skipped and failed ones already final) and the files ``to_read``."""

    results: list[FileResult]
    to_read: list[tuple[ExtractFile, FileResult]]
    previous: dict[date, dict]
    per_date: dict[date, int]


def _screen(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    files: list[ExtractFile],
    *,
    skip_duplicates: bool,
    ensured: bool = False,
) -> _Screened:
    """``ensured``: the raw table and its conflict state exist already (``load_extracts``)."""
    if not ensured:
        ensure_raw_table(con, table)
        ensure_conflict_state(con, table)
    previous = _previous_loads(con, table)
    latest = latest_acceptable_date()
    per_date: dict[date, int] = {}
    for f in files:
        per_date[f.extract_date] = per_date.get(f.extract_date, 0) + 1
    screened = _Screened([], [], previous, per_date)
    for f in files:
        result = FileResult(f.system, f.table, f.extract_date, f.source_name)
        screened.results.append(result)
        try:
            if f.extract_date > latest:
                raise FutureExtractError(
                    f"{f.path}: FutureExtractError: dated {f.extract_date}, after the run date {run_date()} "
                    f"+ {future_tolerance_days()} day(s) ({FUTURE_DAYS_ENV}); not loaded: fix the file's date"
                )
            try:
                stat = os.stat(f.path)
            except FileNotFoundError:
                refuse_dangling_link(f.path)  # a dangling link is named as such
                raise
            result.file_size, result.file_mtime_ns = stat.st_size, stat.st_mtime_ns
            prev = previous.get(f.extract_date)
            if skip_duplicates and per_date[f.extract_date] == 1 and _unchanged(prev, result):
                _skip(result, prev)  # same name, size and modification time: not read again, not recorded
                result.unchanged = True
                continue
        except (LoadError, OSError, duckdb.Error) as exc:
            _fail(result, exc)
            continue
        screened.to_read.append((f, result))
    return screened


def load_table_files(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    files: list[ExtractFile],
    *,
    run_id: str,
    skip_duplicates: bool = True,
    screened: _Screened | None = None,
    facts: FactsPool | None = None,
) -> list[FileResult]:
    """Load ``files`` of ``table`` (or the files ``screened`` earlier), reading each file's facts from
    ``facts`` when given (computed ahead in worker threads), else now."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    if screened is None:
        screened = _screen(con, table, files, skip_duplicates=skip_duplicates)
    previous, per_date, results = screened.previous, screened.per_date, screened.results
    planned: list[PlannedFile] = []
    for f, result in screened.to_read:
        try:
            read = facts.get(f.path) if facts is not None else file_reads.file_facts(f.path)
            result.checksum, f.line_rows = read.checksum, read.line_rows
            if f.format == "csv":
                f.records = read.records
            if per_date[f.extract_date] > 1:
                raise LoadError(f"{f.path}: more than one file for {f.table} on {f.extract_date}")
            header = read_header(f.path, read.header, con=con)
            missing = [c for c in table.required_columns if c not in header]
            if header and missing:
                raise LoadError(
                    f"{f.path}: missing required column{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(repr(c) for c in missing)} "
                    f"for {table.qualified_name}"
                )
            drift = drift_error(table, header)
            if drift:
                raise LoadError(f"{f.path}: {drift}")
        except (LoadError, OSError, duckdb.Error) as exc:
            _fail(result, exc)
            continue
        prev = previous.get(f.extract_date)
        if skip_duplicates and prev and prev["checksum"] == result.checksum and prev["file"] == f.source_name:
            _skip(result, prev)  # same content (e.g. only touched): skipped, new size/mtime recorded
            continue
        result.status = REPLACED if prev else LOADED
        planned.append(PlannedFile(f, header, result))
    _load_planned(con, table, planned, run_id=run_id, loaded_at=loaded_at)
    write_manifest(
        con,
        [r for r in results if r.status == FAILED or (r.status == SKIPPED_DUPLICATE and not r.unchanged)],
        run_id=run_id,
        loaded_at=loaded_at,
    )
    unchanged = sum(r.unchanged for r in results)
    if unchanged:
        con.execute(
            "INSERT INTO audit.load_runs VALUES (?, ?, ?, ?, ?)",
            [run_id, table.system, table.name, unchanged, loaded_at],
        )
    return results


def _load_planned(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    planned: list[PlannedFile],
    *,
    run_id: str,
    loaded_at: datetime,
) -> None:
    """All files in one transaction; if that fails, each file on its own so only the culprit fails."""
    if not planned:
        return
    try:
        load_batch(con, table, planned, run_id=run_id, loaded_at=loaded_at)
        return
    except (LoadError, duckdb.Error) as exc:
        if is_environment_error(exc):  # a full disk is not the file's fault: stop the load
            raise
        if isinstance(exc, duckdb.InterruptException):  # nor an interrupt (``_load_tables``)
            raise
        if len(planned) == 1:
            _fail(planned[0].result, exc)
            return
    for p in planned:
        _load_planned(con, table, [p], run_id=run_id, loaded_at=loaded_at)


def _unchanged(prev: dict | None, result: FileResult) -> bool:
    """The file is the one loaded before, by name, size and modification time (nanoseconds)."""
    return bool(
        prev
        and prev["checksum"]
        and prev["file"] == result.file
        and prev["file_size"] == result.file_size
        and prev["file_mtime_ns"] == result.file_mtime_ns
    )


def _skip(result: FileResult, prev: dict) -> None:
    result.status = SKIPPED_DUPLICATE
    result.checksum = prev["checksum"]
    for key in ("rows_in_file", "rows_loaded", "rows_quarantined", "new_columns"):
        setattr(result, key, prev[key] if prev[key] is not None else [])


def _fail(result: FileResult, exc: BaseException) -> None:
    result.status = FAILED
    result.error = str(exc)
    result.rows_loaded = result.rows_quarantined = result.rows_in_file = 0
    result.new_columns = []


def _previous_loads(con: duckdb.DuckDBPyConnection, table: Table) -> dict[date, dict]:
    """The latest successful manifest row per extract date of ``table``."""
    rows = con.execute(
        """SELECT extract_date, file, checksum, rows_in_file, rows_loaded, rows_quarantined, new_columns,
                  file_size, file_mtime_ns
        FROM audit.load_manifest
        WHERE system = ? AND table_name = ? AND status <> 'failed'
        QUALIFY row_number() OVER (PARTITION BY extract_date ORDER BY loaded_at DESC, rowid DESC) = 1""",
        [table.system, table.name],
    ).fetchall()
    keys = ("file", "checksum", "rows_in_file", "rows_loaded", "rows_quarantined", "new_columns", "file_size",
            "file_mtime_ns")  # fmt: skip
    return {r[0]: dict(zip(keys, r[1:], strict=True)) for r in rows}
