"""Load a batch of extract files of ONE table in one transaction: read them all with one DuckDB
statement per header layout, type them per the contract, split cast failures and parse rejects into
``audit.quarantine``, replace exactly the batch's extract dates, check the accounting identity."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

import duckdb

from revenue_warehouse.contract import Table
from revenue_warehouse.loader import sql
from revenue_warehouse.loader.discovery import ident, sql_str
from revenue_warehouse.loader.models import AccountingError, ExtractFile, FileResult
from revenue_warehouse.loader.schema import add_columns, ensure_raw_table, raw_name

CSV_OPTIONS = (
    "header = true, delim = ',', quote = '\"', escape = '\"', auto_detect = false, "
    "strict_mode = true, null_padding = false, store_rejects = true"
)
_counter = itertools.count()


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
        con.execute("ROLLBACK")
        raise
    finally:
        for name in ("_rw_files", "_rw_stg_raw", "_rw_rejects"):
            con.execute(f"DROP TABLE IF EXISTS {name}")
        con.execute("DROP VIEW IF EXISTS _rw_stg")


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

    _register_files(con, planned)
    dates = "SELECT DISTINCT extract_date FROM _rw_files"
    con.execute(f"DELETE FROM {raw_name(table)} WHERE _extract_date IN ({dates})")
    con.execute(
        f"DELETE FROM audit.quarantine WHERE system = ? AND table_name = ? AND extract_date IN ({dates})",
        [table.system, table.name],
    )
    parsed: dict[str, int] = {}
    layouts: dict[tuple[str, tuple[str, ...]], list[PlannedFile]] = {}
    for p in planned:
        if p.header:  # an empty file holds no rows
            layouts.setdefault((p.file.format, tuple(p.header)), []).append(p)
    for (fmt, header), group in layouts.items():
        _stage(con, fmt, list(header), [p.file for p in group])
        parsed.update(_insert(con, table, list(header), run_id=run_id, loaded_at=loaded_at))
    _account(con, table, planned, parsed)
    _write_manifest(con, planned, run_id=run_id, loaded_at=loaded_at)


def _register_files(con: duckdb.DuckDBPyConnection, planned: list[PlannedFile]) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _rw_files (path VARCHAR, source_name VARCHAR, extract_date DATE)"
    )
    if not planned:
        return
    con.executemany(
        "INSERT INTO _rw_files VALUES (?, ?, ?)",
        [[str(p.file.path), p.file.source_name, p.file.extract_date] for p in planned],
    )


def _stage(con: duckdb.DuckDBPyConnection, fmt: str, header: list[str], files: list[ExtractFile]) -> None:
    """``_rw_stg``: every parsed row as text with ``__file`` and ``__row`` (1-based data row in its file);
    ``_rw_rejects``: rows the CSV parser could not split into the header's columns."""
    paths = "[" + ", ".join(f"'{sql_str(f.path)}'" for f in files) + "]"
    con.execute("DROP VIEW IF EXISTS _rw_stg")
    if fmt == "parquet":
        cols = ", ".join(f"CAST({ident(n)} AS VARCHAR) AS {ident(n)}" for n in header)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _rw_stg_raw AS SELECT {cols}, filename AS __file, "
            f"file_row_number + 1 AS __row FROM read_parquet({paths}, filename = true, file_row_number = true)"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _rw_rejects (__file VARCHAR, row_no BIGINT, cols VARCHAR, "
            "raw_line VARCHAR, error_type VARCHAR, message VARCHAR)"
        )
        con.execute("CREATE TEMP VIEW _rw_stg AS SELECT * FROM _rw_stg_raw")
        return
    n = next(_counter)
    rj, rs = f"_rw_rj{n}", f"_rw_rs{n}"
    columns = "{" + ", ".join(f"'{sql_str(c)}': 'VARCHAR'" for c in header) + "}"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _rw_stg_raw AS SELECT * FROM read_csv({paths}, columns = {columns}, "
        f"filename = '__file', {CSV_OPTIONS}, rejects_table = '{rj}', rejects_scan = '{rs}')"
    )
    # one row per rejected data row (the parser reports one error per missing column)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _rw_rejects AS
        SELECT s.file_path AS __file, e.line - 1 AS row_no,
               string_agg(DISTINCT e.column_name, ',') AS cols, any_value(e.csv_line) AS raw_line,
               string_agg(DISTINCT e.error_type, ',') AS error_type,
               string_agg(DISTINCT e.error_message, '; ') AS message
        FROM {rj} e JOIN {rs} s ON e.scan_id = s.scan_id AND e.file_id = s.file_id
        GROUP BY ALL"""
    )
    con.execute(f"DROP TABLE IF EXISTS {rj}")
    con.execute(f"DROP TABLE IF EXISTS {rs}")
    # Rows keep file order in the staging table (DuckDB preserves insertion order), so the k-th parsed
    # row of a file is data row k plus the number of rejected rows before it (an ASOF join finds them).
    con.execute(
        """CREATE TEMP VIEW _rw_stg AS
        WITH base AS (SELECT *, rowid AS __rid FROM _rw_stg_raw),
        firsts AS (SELECT __file, min(__rid) AS __first FROM base GROUP BY __file),
        gaps AS (
            SELECT __file, row_no - row_number() OVER (PARTITION BY __file ORDER BY row_no) AS gap,
                   row_number() OVER (PARTITION BY __file ORDER BY row_no) AS n_before
            FROM _rw_rejects
        ),
        gap_max AS (SELECT __file, gap, max(n_before) AS n_before FROM gaps GROUP BY ALL),
        numbered AS (SELECT base.*, base.__rid - firsts.__first + 1 AS __k FROM base JOIN firsts USING (__file))
        SELECT numbered.* EXCLUDE (__rid, __k), numbered.__k + coalesce(g.n_before, 0) AS __row
        FROM numbered ASOF LEFT JOIN gap_max g ON numbered.__file = g.__file AND numbered.__k > g.gap"""
    )


def _insert(
    con: duckdb.DuckDBPyConnection, table: Table, header: list[str], *, run_id: str, loaded_at: datetime
) -> dict[str, int]:
    """Insert good rows into raw and bad ones into quarantine; return rows read per file path."""
    present = [c for c in table.columns if c.name in header]
    extras = [n for n in header if n not in set(table.column_names)]
    select = [f"{sql.typed(c)} AS {ident(c.name)}" for c in present] + [ident(n) for n in extras]
    provenance = (
        "f.source_name AS _source_file, s.__row AS _source_row_number, ?::TIMESTAMP AS _loaded_at, "
        "?::VARCHAR AS _run_id, f.extract_date AS _extract_date"
    )
    source = "_rw_stg s JOIN _rw_files f ON s.__file = f.path"
    bad = sql.any_failure(present)
    con.execute(
        f"INSERT INTO {raw_name(table)} BY NAME SELECT {', '.join(select)}, {provenance} FROM {source} WHERE NOT ({bad})",
        [loaded_at, run_id],
    )
    con.execute(
        f"""INSERT INTO audit.quarantine
        SELECT ?, ?, ?, f.extract_date, f.source_name, s.__row, {sql.failure_names(present)},
               {sql.csv_line(header)}, 'cast', {sql.failure_reasons(present)}, ?
        FROM {source} WHERE {bad}""",
        [run_id, table.system, table.name, loaded_at],
    )
    con.execute(
        """INSERT INTO audit.quarantine
        SELECT ?, ?, ?, f.extract_date, f.source_name, r.row_no, r.cols, r.raw_line,
               'parse', r.error_type || ': ' || r.message, ?
        FROM _rw_rejects r JOIN _rw_files f ON r.__file = f.path""",
        [run_id, table.system, table.name, loaded_at],
    )
    counts = con.execute(
        """SELECT __file, count(*) FROM (
             SELECT __file FROM _rw_stg_raw UNION ALL SELECT __file FROM _rw_rejects
           ) GROUP BY __file"""
    ).fetchall()
    return {path: n for path, n in counts}


def _account(
    con: duckdb.DuckDBPyConnection, table: Table, planned: list[PlannedFile], parsed: dict[str, int]
) -> None:
    """Count what landed per file, independently of what was read, and check the identity."""
    dates = "SELECT DISTINCT extract_date FROM _rw_files"
    loaded = dict(
        con.execute(
            f"SELECT _source_file, count(*) FROM {raw_name(table)} WHERE _extract_date IN ({dates}) GROUP BY 1"
        ).fetchall()
    )
    quarantined = dict(
        con.execute(
            f"""SELECT file, count(*) FROM audit.quarantine
            WHERE system = ? AND table_name = ? AND extract_date IN ({dates}) GROUP BY 1""",
            [table.system, table.name],
        ).fetchall()
    )
    for p in planned:
        r = p.result
        r.rows_in_file = parsed.get(str(p.file.path), 0)
        r.rows_loaded = loaded.get(p.file.source_name, 0)
        r.rows_quarantined = quarantined.get(p.file.source_name, 0)
        if r.rows_in_file != r.rows_loaded + r.rows_quarantined:
            raise AccountingError(
                f"{p.file.path}: rows in file {r.rows_in_file} != rows loaded {r.rows_loaded} "
                f"+ rows quarantined {r.rows_quarantined}"
            )


def _write_manifest(
    con: duckdb.DuckDBPyConnection, planned: list[PlannedFile], *, run_id: str, loaded_at: datetime
) -> None:
    write_manifest(con, [p.result for p in planned], run_id=run_id, loaded_at=loaded_at)


def write_manifest(
    con: duckdb.DuckDBPyConnection, results: list[FileResult], *, run_id: str, loaded_at: datetime
) -> None:
    if not results:
        return
    con.executemany(
        "INSERT INTO audit.load_manifest VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                r.system,
                r.table,
                r.extract_date,
                r.file,
                r.checksum,
                r.rows_in_file,
                r.rows_loaded,
                r.rows_quarantined,
                r.status,
                r.error,
                r.new_columns,
                run_id,
                loaded_at,
            ]
            for r in results
        ],
    )
