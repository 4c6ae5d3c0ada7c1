"""Read-side checks on what the loader recorded: the accounting identity per file, pending extract dates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from revenue_warehouse import duckdb_limits
from revenue_warehouse.contract import Table
from revenue_warehouse.loader.discovery import discover
from revenue_warehouse.loader.schema import table_exists
from revenue_warehouse.sql_quoting import identifier as ident

FILE_ACCOUNTING_COLUMNS = (
    "system",
    "table_name",
    "extract_date",
    "file",
    "status",
    "is_loaded",
    "rows_in_file",
    "raw_rows",
    "quarantined_rows",
    "unaccounted_rows",
)


def file_accounting_sql(raw_tables: Iterable[tuple[str, str]]) -> str:
    """THE file accounting of the warehouse (the Dagster ``accounting_identity`` checks and the GX
    ``load_completeness`` suite both read it): one row per system, table and extract date in
    ``audit.load_manifest``.

    * ``file``, ``status``, ``is_loaded``: the latest delivery for that date (a failed one included:
      a failed re-delivery is a file whose rows are missing);
    * ``rows_in_file``: the records of the latest load that did not fail (what raw holds for the date,
      since a failed load changes nothing); 0 when none ever loaded;
    * ``raw_rows``: rows of ``raw_<system>.<table>`` with that ``_extract_date``, recounted;
    * ``quarantined_rows``: distinct ``row_number`` values of ``audit.quarantine`` for that date (a record
      quarantined for two reasons is one record);
    * ``unaccounted_rows`` = rows_in_file - raw_rows - quarantined_rows: positive when rows were lost,
      negative when raw or quarantine hold rows no file accounts for; 0 is the identity.

    ``raw_tables`` are the (system, table) pairs whose raw table exists; a manifest row of any other
    table counts 0 raw rows. Portable SQL (no QUALIFY, no rowid): the GX gate also runs it over the
    engines' mirrored audit tables. Ties on ``loaded_at`` (one run) are broken by file name."""
    counts = [
        f"select '{s}' as system, '{t}' as table_name, _extract_date as extract_date, count(*) as n "
        f"from {ident('raw_' + s)}.{ident(t)} group by _extract_date"
        for s, t in sorted(raw_tables)
    ]
    raw_counts = (
        " union all ".join(counts)
        or "select cast(null as varchar) as system, cast(null as varchar) as table_name, "
        "cast(null as date) as extract_date, cast(0 as bigint) as n where false"
    )
    return f"""
with ranked as (
    select
        system, table_name, extract_date, file, status, rows_in_file,
        row_number() over (
            partition by system, table_name, extract_date order by loaded_at desc, file desc
        ) as delivery_rank,
        row_number() over (
            partition by system, table_name, extract_date
            order by case when status = 'failed' then 1 else 0 end, loaded_at desc, file desc
        ) as load_rank
    from audit.load_manifest
),
latest_delivery as (select * from ranked where delivery_rank = 1),
latest_load as (select * from ranked where load_rank = 1 and status <> 'failed'),
raw_rows as ({raw_counts}),
quarantined as (
    select system, table_name, extract_date, count(distinct row_number) as n
    from audit.quarantine
    group by system, table_name, extract_date
),
accounted as (
    select
        d.system,
        d.table_name,
        d.extract_date,
        d.file,
        d.status,
        d.status <> 'failed' as is_loaded,
        coalesce(l.rows_in_file, 0) as rows_in_file,
        coalesce(r.n, 0) as raw_rows,
        coalesce(q.n, 0) as quarantined_rows
    from latest_delivery as d
    left join latest_load as l
        on l.system = d.system and l.table_name = d.table_name and l.extract_date = d.extract_date
    left join raw_rows as r
        on r.system = d.system and r.table_name = d.table_name and r.extract_date = d.extract_date
    left join quarantined as q
        on q.system = d.system and q.table_name = d.table_name and q.extract_date = d.extract_date
)
select *, rows_in_file - raw_rows - quarantined_rows as unaccounted_rows
from accounted
"""


def accounting_violations(
    con: duckdb.DuckDBPyConnection, table: Table, dates: list[date] | None = None
) -> tuple[int, list[dict]]:
    """The extract dates of ``table`` (``dates``, all when ``None``) whose file accounting
    (``file_accounting_sql``) has unaccounted rows. Returns (dates checked, violations)."""
    if not table_exists(con, "audit", "load_manifest") or not table_exists(
        con, f"raw_{table.system}", table.name
    ):
        return 0, []
    date_filter = "" if dates is None else "AND extract_date IN (SELECT unnest(?::DATE[]))"
    params: list = [table.system, table.name] + ([] if dates is None else [list(dates)])
    rows = con.execute(
        f"""SELECT {", ".join(FILE_ACCOUNTING_COLUMNS)}
        FROM ({file_accounting_sql([(table.system, table.name)])})
        WHERE system = ? AND table_name = ? {date_filter}
        ORDER BY extract_date, file""",
        params,
    ).fetchall()
    checked = [dict(zip(FILE_ACCOUNTING_COLUMNS, r, strict=True)) for r in rows]
    bad = [
        {**c, "extract_date": c["extract_date"].isoformat()} for c in checked if c["unaccounted_rows"] != 0
    ]
    return len(checked), bad


def pending_dates(extracts_dir: Path, db_path: Path) -> dict[date, list[str]]:
    """Extract dates with files not yet loaded: no successful manifest row for the file, or the file
    changed on disk after it was last loaded (a re-delivery). Maps date -> pending file names."""
    files, _ = discover(extracts_dir)
    loaded: dict[str, datetime] = {}
    if db_path.exists():
        with duckdb_limits.connect(db_path, read_only=True) as con:
            if table_exists(con, "audit", "load_manifest"):
                loaded = dict(
                    con.execute(
                        "SELECT file, max(loaded_at) FROM audit.load_manifest WHERE status <> 'failed' GROUP BY 1"
                    ).fetchall()
                )
    pending: dict[date, list[str]] = {}
    for f in files:
        last = loaded.get(f.source_name)
        if last is None or _modified(f.path) > last:
            pending.setdefault(f.extract_date, []).append(f.source_name)
    return dict(sorted(pending.items()))


def _modified(path: Path) -> datetime:
    """When the file last changed (naive UTC); a dangling symbolic link's own time, so one such link
    is a pending file that fails in its load rather than an error that stops every pending file."""
    stat = path.stat() if path.exists() else path.lstat()
    return datetime.fromtimestamp(stat.st_mtime, UTC).replace(tzinfo=None)


def latest_loaded_date(con: duckdb.DuckDBPyConnection) -> date | None:
    """The last extract date with a successfully loaded file (the warehouse's as-of date)."""
    if not table_exists(con, "audit", "load_manifest"):
        return None
    return con.execute(
        "SELECT max(extract_date) FROM audit.load_manifest WHERE status <> 'failed'"
    ).fetchone()[0]


def failed_tables(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, str]]:
    """(system, table) of every table with a file that failed to load in run ``run_id``."""
    if not table_exists(con, "audit", "load_manifest"):
        return []
    return con.execute(
        "SELECT DISTINCT system, table_name FROM audit.load_manifest WHERE run_id = ? AND status = 'failed' "
        "ORDER BY 1, 2",
        [run_id],
    ).fetchall()
