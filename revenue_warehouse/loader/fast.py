"""The fast path: every file of one header layout in ONE ``INSERT`` straight from DuckDB's readers into
the typed raw table. Each file is a ``UNION ALL`` branch whose streaming ``row_number() OVER ()`` is the
file's data row number (DuckDB keeps a reader's row order). A row whose value fails its cast lands
with ``_quarantine`` set (column, reason, line text) and is moved to ``audit.quarantine`` afterwards.
Files in which the CSV parser rejected rows are reported back: their row numbers after the rejected
row would be off, so the caller reloads them with the exact path."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

from revenue_warehouse.contract import Table
from revenue_warehouse.loader import sql
from revenue_warehouse.loader.discovery import sql_str
from revenue_warehouse.loader.exact import collect_rejects, csv_source, rejects_names
from revenue_warehouse.loader.models import ExtractFile
from revenue_warehouse.loader.schema import raw_name
from revenue_warehouse.sql_quoting import identifier as ident

FILES_PER_STATEMENT = 200  # per-file branches of one UNION ALL statement
FILES_PER_SCAN = 5000  # files of one multi-file read_csv


def _branch(file: ExtractFile, header: list[str], rejects: tuple[str, str]) -> str:
    tags = f"'{sql_str(file.source_name)}' AS __src, DATE '{file.extract_date.isoformat()}' AS __date"
    if file.format == "parquet":
        cols = ", ".join(f"CAST({ident(n)} AS VARCHAR) AS {ident(n)}" for n in header)
        return (
            f"SELECT {cols}, {tags}, file_row_number + 1 AS __row "
            f"FROM read_parquet('{sql_str(file.path)}', file_row_number = true)"
        )
    return (
        f"SELECT *, {tags}, row_number() OVER () AS __row FROM {csv_source(str(file.path), header, rejects)}"
    )


def _typed_select(table: Table, header: list[str]) -> str:
    """Typed columns, undeclared columns as text, and ``_quarantine`` for rows failing a cast."""
    present = [c for c in table.columns if c.name in header]
    extras = [n for n in header if n not in set(table.column_names)]
    select = [f"{sql.typed(c)} AS {ident(c.name)}" for c in present] + [ident(n) for n in extras]
    quarantine = (
        f"CASE WHEN {sql.any_failure(present)} THEN struct_pack(column_name := {sql.failure_names(present)}, "
        f"reason := {sql.failure_reasons(present)}, raw_line := {sql.csv_line(header)}) END AS _quarantine"
    )
    return ", ".join([*select, quarantine])


def load_fast(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    header: list[str],
    files: list[ExtractFile],
    *,
    run_id: str,
    loaded_at: datetime,
    rejects_target: str,
) -> None:
    """Insert ``files`` (same header) into raw; append parse rejects to ``rejects_target``.

    CSV files go through ONE multi-file ``read_csv`` per chunk, rows numbered by a streaming
    ``row_number() OVER ()`` minus each file's offset (its line-counted rows before it). That is exact
    when every file parses into exactly its line-counted rows, which is checked right after; a chunk
    where it is not (parse rejects, line breaks inside quotes, blank lines) is deleted and reloaded
    file by file (``UNION ALL`` of per-file scans, each numbering its own rows)."""
    select = _typed_select(table, header)
    csv_files = [f for f in files if f.format == "csv"]
    parquet_files = [f for f in files if f.format == "parquet"]
    for start in range(0, len(csv_files), FILES_PER_SCAN):
        chunk = csv_files[start : start + FILES_PER_SCAN]
        if not _insert_scan(con, table, header, chunk, select, run_id=run_id, loaded_at=loaded_at):
            con.execute(
                f"DELETE FROM {raw_name(table)} WHERE _extract_date IN (SELECT __date FROM _rw_scan) "
                "AND _source_file IN (SELECT __src FROM _rw_scan)"
            )
            _insert_union(
                con,
                table,
                header,
                chunk,
                select,
                run_id=run_id,
                loaded_at=loaded_at,
                rejects_target=rejects_target,
            )
    if parquet_files:
        _insert_union(
            con,
            table,
            header,
            parquet_files,
            select,
            run_id=run_id,
            loaded_at=loaded_at,
            rejects_target=rejects_target,
        )


def _insert_scan(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    header: list[str],
    files: list[ExtractFile],
    select: str,
    *,
    run_id: str,
    loaded_at: datetime,
) -> bool:
    """One multi-file scan; True when every file's rows are numbered exactly (see ``load_fast``)."""
    offsets, offset = [], 0
    for f in files:
        offsets.append(offset)
        offset += f.line_rows
    scan = pa.table(
        {
            "__path": [str(f.path) for f in files],
            "__src": [f.source_name for f in files],
            "__date": [f.extract_date for f in files],
            "__offset": offsets,
            "__expected": [f.line_rows for f in files],
        }
    )
    con.register("_rw_scan_arrow", scan)
    con.execute("CREATE OR REPLACE TEMP TABLE _rw_scan AS SELECT * FROM _rw_scan_arrow")
    con.unregister("_rw_scan_arrow")
    rejects = rejects_names()
    paths = "[" + ", ".join(f"'{sql_str(f.path)}'" for f in files) + "]"
    reader = csv_source(paths, header, rejects, literal=True, options=", filename = '__file'")
    con.execute(
        f"""INSERT INTO {raw_name(table)} BY NAME
        SELECT {select}, f.__src AS _source_file, s.__g - f.__offset AS _source_row_number,
               ?::TIMESTAMP AS _loaded_at, ?::VARCHAR AS _run_id, f.__date AS _extract_date
        FROM (SELECT *, row_number() OVER () AS __g FROM {reader}) s JOIN _rw_scan f ON s.__file = f.__path""",
        [loaded_at, run_id],
    )
    rejected = con.execute(f"SELECT count(*) FROM {rejects[0]}").fetchone()[0]
    con.execute(f"DROP TABLE IF EXISTS {rejects[0]}")
    con.execute(f"DROP TABLE IF EXISTS {rejects[1]}")
    if rejected:
        return False
    mismatched = con.execute(
        f"""SELECT count(*) FROM _rw_scan f LEFT JOIN (
              SELECT _source_file, count(*) AS n, min(_source_row_number) AS lo, max(_source_row_number) AS hi
              FROM {raw_name(table)}
              WHERE _extract_date IN (SELECT __date FROM _rw_scan) AND _source_file IN (SELECT __src FROM _rw_scan)
              GROUP BY 1
            ) r ON r._source_file = f.__src
            WHERE coalesce(r.n, 0) <> f.__expected OR (f.__expected > 0 AND (r.lo <> 1 OR r.hi <> f.__expected))"""
    ).fetchone()[0]
    return mismatched == 0


def _insert_union(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    header: list[str],
    files: list[ExtractFile],
    select: str,
    *,
    run_id: str,
    loaded_at: datetime,
    rejects_target: str,
) -> None:
    """Per-file scans in ``UNION ALL`` branches, each numbering its own rows."""
    for start in range(0, len(files), FILES_PER_STATEMENT):
        chunk = files[start : start + FILES_PER_STATEMENT]
        rejects = rejects_names()  # one rejects table for every CSV scan of the statement
        union = " UNION ALL ".join(_branch(f, header, rejects) for f in chunk)
        con.execute(
            f"""INSERT INTO {raw_name(table)} BY NAME
            SELECT {select}, __src AS _source_file, __row AS _source_row_number,
                   ?::TIMESTAMP AS _loaded_at, ?::VARCHAR AS _run_id, __date AS _extract_date
            FROM ({union})""",
            [loaded_at, run_id],
        )
        if any(f.format == "csv" for f in chunk):
            collect_rejects(con, rejects, rejects_target)


def move_cast_failures(
    con: duckdb.DuckDBPyConnection, table: Table, dates_sql: str, *, run_id: str, loaded_at: datetime
) -> None:
    """Rows the fast path flagged with ``_quarantine``: copy them to ``audit.quarantine``, delete from raw."""
    flagged = f"FROM {raw_name(table)} WHERE _quarantine IS NOT NULL AND _extract_date IN ({dates_sql})"
    con.execute(
        f"""INSERT INTO audit.quarantine
        SELECT ?, ?, ?, _extract_date, _source_file, _source_row_number, _quarantine.column_name,
               _quarantine.raw_line, 'cast', _quarantine.reason, ? {flagged}""",
        [run_id, table.system, table.name, loaded_at],
    )
    con.execute(f"DELETE {flagged}")
