"""Load a batch of extract files of ONE table in one transaction: replace exactly the batch's extract
dates, load every file with the fast path (one statement per header layout), reload files with parse
rejects with the exact path, move cast failures to ``audit.quarantine``, and check the accounting
identity per file and update the version conflicts of the records it touched before committing."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from revenue_warehouse.contract import Table
from revenue_warehouse.loader.conflicts import TOUCHED, note_touched, update_conflicts
from revenue_warehouse.loader.exact import create_rejects_table, load_exact, load_records
from revenue_warehouse.loader.fast import load_fast, move_cast_failures
from revenue_warehouse.loader.models import AccountingError, ExtractFile, FileResult
from revenue_warehouse.loader.schema import add_columns, ensure_raw_table, raw_name

DATES = "SELECT DISTINCT extract_date FROM _rw_files"


@dataclass
class PlannedFile:
    """A file that passed the header checks and is to be (re)loaded."""

    file: ExtractFile
    header: list[str]
    result: FileResult


def load_batch(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    planned: list[PlannedFile],
    *,
    run_id: str,
    loaded_at: datetime,
) -> None:
    """Load ``planned`` (all of ``table``) in one transaction; fills each file's ``result``; raises and
    rolls back on any error, so a failed batch leaves raw and audit as they were."""
    con.execute("BEGIN TRANSACTION")
    try:
        _load(con, table, planned, run_id=run_id, loaded_at=loaded_at)
        con.execute("COMMIT")
    except BaseException:
        # a full disk may have ended the transaction already: the original error says what happened
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    finally:
        con.execute("DROP TABLE IF EXISTS _rw_files")
        con.execute("DROP TABLE IF EXISTS _rw_scan")
        con.execute("DROP TABLE IF EXISTS _rw_fast_rejects")
        con.execute(f"DROP TABLE IF EXISTS {TOUCHED}")


def _load(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    planned: list[PlannedFile],
    *,
    run_id: str,
    loaded_at: datetime,
) -> None:
    existing = ensure_raw_table(con, table)
    declared = set(table.column_names)
    new_columns = sorted({n for p in planned for n in p.header if n not in declared})
    add_columns(con, table, [n for n in new_columns if n not in existing])
    for p in planned:
        p.result.new_columns = [n for n in p.header if n not in declared]

    files = pa.table(
        {
            "source_name": [p.file.source_name for p in planned],
            "extract_date": [p.file.extract_date for p in planned],
        }
    )
    con.register("_rw_files_arrow", files)
    con.execute("CREATE OR REPLACE TEMP TABLE _rw_files AS SELECT * FROM _rw_files_arrow")
    con.unregister("_rw_files_arrow")
    note_touched(con, table, DATES)  # the records of the rows about to be replaced
    con.execute(f"DELETE FROM {raw_name(table)} WHERE _extract_date IN ({DATES})")
    con.execute(
        f"DELETE FROM audit.quarantine WHERE system = ? AND table_name = ? AND extract_date IN ({DATES})",
        [table.system, table.name],
    )
    layouts: dict[tuple[str, tuple[str, ...]], list[PlannedFile]] = {}
    for p in planned:
        if p.header:  # an empty file holds no rows
            layouts.setdefault((p.file.format, tuple(p.header)), []).append(p)
    create_rejects_table(con, "_rw_fast_rejects")
    for (_, header), group in layouts.items():
        load_fast(
            con,
            table,
            list(header),
            [p.file for p in group],
            run_id=run_id,
            loaded_at=loaded_at,
            rejects_target="_rw_fast_rejects",
        )
    with_rejects = {r[0] for r in con.execute("SELECT DISTINCT __file FROM _rw_fast_rejects").fetchall()}
    exact = [p for p in planned if str(p.file.path) in with_rejects]
    if exact:
        con.execute(
            f"DELETE FROM {raw_name(table)} WHERE _extract_date IN ({DATES}) AND _source_file IN (SELECT unnest(?))",
            [[p.file.source_name for p in exact]],
        )
    parsed = dict(
        con.execute(
            f"SELECT _source_file, count(*) FROM {raw_name(table)} WHERE _extract_date IN ({DATES}) GROUP BY 1"
        ).fetchall()
    )
    for p in exact:
        parsed[p.file.source_name] = load_exact(
            con, table, p.header, p.file, run_id=run_id, loaded_at=loaded_at
        )
    move_cast_failures(con, table, DATES, run_id=run_id, loaded_at=loaded_at)
    for p in planned:  # the parser's count disagrees with the file's records: read record by record
        if p.file.records is not None and p.header and parsed.get(p.file.source_name, 0) != p.file.records:
            _forget(con, table, p)
            parsed[p.file.source_name] = load_records(
                con, table, p.header, p.file, run_id=run_id, loaded_at=loaded_at
            )
    _account(con, table, planned, parsed)
    update_conflicts(con, table, DATES)  # ... and of the rows loaded now
    write_manifest(con, [p.result for p in planned], run_id=run_id, loaded_at=loaded_at)


def _forget(con: duckdb.DuckDBPyConnection, table: Table, p: PlannedFile) -> None:
    """Remove what a file's earlier read put in raw and quarantine (this batch only)."""
    where = "_extract_date = ? AND _source_file = ?"
    con.execute(f"DELETE FROM {raw_name(table)} WHERE {where}", [p.file.extract_date, p.file.source_name])
    con.execute(
        "DELETE FROM audit.quarantine WHERE system = ? AND table_name = ? AND extract_date = ? AND file = ?",
        [table.system, table.name, p.file.extract_date, p.file.source_name],
    )


def _account(
    con: duckdb.DuckDBPyConnection, table: Table, planned: list[PlannedFile], parsed: dict[str, int]
) -> None:
    """Count what landed per file, independently of what was read, and check the identity (records
    quarantined are distinct row numbers, as in ``audit.file_accounting_sql``)."""
    loaded = dict(
        con.execute(
            f"SELECT _source_file, count(*) FROM {raw_name(table)} WHERE _extract_date IN ({DATES}) GROUP BY 1"
        ).fetchall()
    )
    quarantined = dict(
        con.execute(
            f"""SELECT file, count(DISTINCT row_number) FROM audit.quarantine
            WHERE system = ? AND table_name = ? AND extract_date IN ({DATES}) GROUP BY 1""",
            [table.system, table.name],
        ).fetchall()
    )
    for p in planned:
        r = p.result
        # CSV: records counted independently of the parser (loader.records); Parquet: rows read
        r.rows_in_file = p.file.records if p.file.records is not None else parsed.get(p.file.source_name, 0)
        r.rows_loaded = loaded.get(p.file.source_name, 0)
        r.rows_quarantined = quarantined.get(p.file.source_name, 0)
        if r.rows_in_file != r.rows_loaded + r.rows_quarantined:
            raise AccountingError(
                f"{p.file.path}: rows in file {r.rows_in_file} != rows loaded {r.rows_loaded} "
                f"+ rows quarantined {r.rows_quarantined}"
            )


def write_manifest(
    con: duckdb.DuckDBPyConnection, results: list[FileResult], *, run_id: str, loaded_at: datetime
) -> None:
    """One manifest row per file, inserted from an Arrow table (thousands of files in one statement)."""
    if not results:
        return
    rows = pa.table(
        {
            "system": [r.system for r in results],
            "table_name": [r.table for r in results],
            "extract_date": [r.extract_date for r in results],
            "file": [r.file for r in results],
            "checksum": [r.checksum for r in results],
            "rows_in_file": pa.array([r.rows_in_file for r in results], pa.int64()),
            "rows_loaded": pa.array([r.rows_loaded for r in results], pa.int64()),
            "rows_quarantined": pa.array([r.rows_quarantined for r in results], pa.int64()),
            "status": [r.status for r in results],
            "error": pa.array([r.error for r in results], pa.string()),
            "new_columns": pa.array([r.new_columns for r in results], pa.list_(pa.string())),
            "file_size": pa.array([r.file_size for r in results], pa.int64()),
            "file_mtime_ns": pa.array([r.file_mtime_ns for r in results], pa.int64()),
        }
    )
    con.register("_rw_manifest_arrow", rows)
    try:
        con.execute(
            "INSERT INTO audit.load_manifest BY NAME "
            "SELECT *, ?::VARCHAR AS run_id, ?::TIMESTAMP AS loaded_at FROM _rw_manifest_arrow",
            [run_id, loaded_at],
        )
    finally:
        con.unregister("_rw_manifest_arrow")
