"""The exact path, for files whose CSV parser rejected rows: stage the file as text, number its rows
around the rejected ones, then split good rows (raw) from cast failures and parse rejects (quarantine).
Slower than the fast path (one extra materialisation), so it only runs for such files."""

from __future__ import annotations

import itertools
from datetime import datetime

import duckdb
import pyarrow as pa

from revenue_warehouse.contract import Table
from revenue_warehouse.loader import sql
from revenue_warehouse.loader.discovery import sql_str
from revenue_warehouse.loader.models import ExtractFile
from revenue_warehouse.loader.records import read_records
from revenue_warehouse.loader.schema import raw_name
from revenue_warehouse.sql_quoting import identifier as ident

CSV_OPTIONS = (
    "header = true, delim = ',', quote = '\"', escape = '\"', auto_detect = false, "
    "strict_mode = true, null_padding = false, store_rejects = true"
)
_counter = itertools.count()


def rejects_names() -> tuple[str, str]:
    """Fresh names for a scan's rejects tables (temporary tables DuckDB creates)."""
    n = next(_counter)
    return f"_rw_rj{n}", f"_rw_rs{n}"


def csv_source(
    path: str, header: list[str], rejects: tuple[str, str], *, literal: bool = False, options: str = ""
) -> str:
    """``read_csv`` of ``path`` (a file path, or with ``literal`` an SQL list of paths) as text columns."""
    columns = "{" + ", ".join(f"'{sql_str(c)}': 'VARCHAR'" for c in header) + "}"
    source = path if literal else f"'{sql_str(path)}'"
    return (
        f"read_csv({source}, columns = {columns}, {CSV_OPTIONS}, "
        f"rejects_table = '{rejects[0]}', rejects_scan = '{rejects[1]}'{options})"
    )


def collect_rejects(con: duckdb.DuckDBPyConnection, rejects: tuple[str, str], target: str) -> None:
    """Append one row per rejected data row (the parser reports one error per missing column) to
    ``target`` (__file, row_no, cols, raw_line, error_type, message), then drop the scan's tables.
    Every list is ordered, so a row's quarantine reason is the same however DuckDB schedules the scan."""
    rj, rs = rejects
    con.execute(
        f"""INSERT INTO {target}
        SELECT s.file_path, e.line - 1,
               string_agg(DISTINCT e.column_name, ',' ORDER BY e.column_name), any_value(e.csv_line),
               string_agg(DISTINCT e.error_type, ',' ORDER BY e.error_type),
               string_agg(DISTINCT e.error_message, '; ' ORDER BY e.error_message)
        FROM {rj} e JOIN {rs} s ON e.scan_id = s.scan_id AND e.file_id = s.file_id
        GROUP BY s.file_path, e.line"""
    )
    con.execute(f"DROP TABLE IF EXISTS {rj}")
    con.execute(f"DROP TABLE IF EXISTS {rs}")


def create_rejects_table(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} (__file VARCHAR, row_no BIGINT, cols VARCHAR, "
        "raw_line VARCHAR, error_type VARCHAR, message VARCHAR)"
    )


def load_exact(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    header: list[str],
    file: ExtractFile,
    *,
    run_id: str,
    loaded_at: datetime,
) -> int:
    """Load one CSV file exactly; return the rows the parser read (parsed + rejected)."""
    rejects = rejects_names()
    create_rejects_table(con, "_rw_rejects")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _rw_stg_raw AS SELECT * FROM {csv_source(str(file.path), header, rejects)}"
    )
    collect_rejects(con, rejects, "_rw_rejects")
    # Rows keep file order in the staging table (DuckDB preserves insertion order; rowids inside a
    # transaction start at a large offset, hence the min), so the k-th parsed
    # row is data row k plus the number of rejected rows before it (an ASOF join finds them).
    stg = """
        WITH base AS (SELECT *, rowid - (SELECT min(rowid) FROM _rw_stg_raw) + 1 AS __k FROM _rw_stg_raw),
        gaps AS (
            SELECT row_no - row_number() OVER (ORDER BY row_no) AS gap,
                   row_number() OVER (ORDER BY row_no) AS n_before
            FROM _rw_rejects
        ),
        gap_max AS (SELECT gap, max(n_before) AS n_before FROM gaps GROUP BY gap)
        SELECT base.* EXCLUDE (__k), base.__k + coalesce(g.n_before, 0) AS __row
        FROM base ASOF LEFT JOIN gap_max g ON base.__k > g.gap"""
    return insert_staged(con, table, header, file, stg, run_id=run_id, loaded_at=loaded_at)


def load_records(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    header: list[str],
    file: ExtractFile,
    *,
    run_id: str,
    loaded_at: datetime,
) -> int:
    """Load one CSV file record by record (``records.read_records``), for files whose parser count
    differs from the independent record count; return the records read (= that count)."""
    read = read_records(file.path, len(header))
    columns = {name: pa.array([r[i] for r in read.rows], pa.string()) for i, name in enumerate(header)}
    staged = pa.table({**columns, "__row": pa.array(read.row_numbers, pa.int64())})
    rejects = pa.table(
        {
            "__file": pa.array([str(file.path)] * len(read.rejects), pa.string()),
            "row_no": pa.array([r[0] for r in read.rejects], pa.int64()),
            "cols": pa.array([None] * len(read.rejects), pa.string()),
            "raw_line": pa.array([r[1] for r in read.rejects], pa.string()),
            "error_type": pa.array(["RECORD"] * len(read.rejects), pa.string()),
            "message": pa.array([r[2] for r in read.rejects], pa.string()),
        }
    )
    for name, data in (("_rw_stg_raw", staged), ("_rw_rejects", rejects)):
        con.register(f"{name}_arrow", data)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
        con.unregister(f"{name}_arrow")
    insert_staged(con, table, header, file, "SELECT * FROM _rw_stg_raw", run_id=run_id, loaded_at=loaded_at)
    return read.records


def insert_staged(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    header: list[str],
    file: ExtractFile,
    stg: str,
    *,
    run_id: str,
    loaded_at: datetime,
) -> int:
    """Move staged text rows (``stg``: header columns + ``__row``) to raw, cast failures and the rows in
    ``_rw_rejects`` to quarantine; drop the staging tables; return staged + rejected rows."""
    present = [c for c in table.columns if c.name in header]
    extras = [n for n in header if n not in set(table.column_names)]
    select = [f"{sql.typed(c)} AS {ident(c.name)}" for c in present] + [ident(n) for n in extras]
    bad = sql.any_failure(present)
    source_name = f"'{sql_str(file.source_name)}'"
    con.execute(
        f"""INSERT INTO {raw_name(table)} BY NAME
        SELECT {", ".join(select)}, {source_name} AS _source_file, __row AS _source_row_number,
               ?::TIMESTAMP AS _loaded_at, ?::VARCHAR AS _run_id, ?::DATE AS _extract_date
        FROM ({stg}) WHERE NOT ({bad})""",
        [loaded_at, run_id, file.extract_date],
    )
    con.execute(
        f"""INSERT INTO audit.quarantine
        SELECT ?, ?, ?, ?, {source_name}, __row, {sql.failure_names(present)}, {sql.csv_line(header)}, 'cast',
               {sql.failure_reasons(present)}, ?
        FROM ({stg}) WHERE {bad}""",
        [run_id, table.system, table.name, file.extract_date, loaded_at],
    )
    con.execute(
        f"""INSERT INTO audit.quarantine
        SELECT ?, ?, ?, ?, {source_name}, row_no, cols, raw_line, 'parse',
               error_type || ': ' || message, ?
        FROM _rw_rejects""",
        [run_id, table.system, table.name, file.extract_date, loaded_at],
    )
    parsed = con.execute("SELECT (SELECT count(*) FROM _rw_stg_raw) + (SELECT count(*) FROM _rw_rejects)")
    n = parsed.fetchone()[0]
    con.execute("DROP TABLE IF EXISTS _rw_stg_raw")
    con.execute("DROP TABLE IF EXISTS _rw_rejects")
    return n
