"""The fast path: every file of one header layout in ONE ``INSERT`` straight from DuckDB's readers into
the typed raw table. Each file is a ``UNION ALL`` branch whose streaming ``row_number() OVER ()`` is the
file's data row number (DuckDB keeps a reader's row order). A row whose value fails its cast lands
with ``_quarantine`` set (column, reason, line text) and is moved to ``audit.quarantine`` afterwards.
Files in which the CSV parser rejected rows are reported back: their row numbers after the rejected
row would be off, so the caller reloads them with the exact path."""

from __future__ import annotations

from datetime import datetime

import duckdb

from revenue_warehouse.contract import Table
from revenue_warehouse.loader import sql
from revenue_warehouse.loader.discovery import ident, sql_str
from revenue_warehouse.loader.exact import collect_rejects, csv_source, rejects_names
from revenue_warehouse.loader.models import ExtractFile
from revenue_warehouse.loader.schema import raw_name

FILES_PER_STATEMENT = 200


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
    """Insert ``files`` (same header) into raw; append parse rejects to ``rejects_target``."""
    present = [c for c in table.columns if c.name in header]
    extras = [n for n in header if n not in set(table.column_names)]
    select = [f"{sql.typed(c)} AS {ident(c.name)}" for c in present] + [ident(n) for n in extras]
    quarantine = (
        f"CASE WHEN {sql.any_failure(present)} THEN struct_pack(column_name := {sql.failure_names(present)}, "
        f"reason := {sql.failure_reasons(present)}, raw_line := {sql.csv_line(header)}) END AS _quarantine"
    )
    for start in range(0, len(files), FILES_PER_STATEMENT):
        chunk = files[start : start + FILES_PER_STATEMENT]
        rejects = rejects_names()  # one rejects table for every CSV scan of the statement
        union = " UNION ALL ".join(_branch(f, header, rejects) for f in chunk)
        con.execute(
            f"""INSERT INTO {raw_name(table)} BY NAME
            SELECT {", ".join(select)}, __src AS _source_file, __row AS _source_row_number,
                   ?::TIMESTAMP AS _loaded_at, ?::VARCHAR AS _run_id, __date AS _extract_date, {quarantine}
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
