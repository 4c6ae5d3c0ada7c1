"""Version conflicts of a raw table: records with two or more different versions at their latest sync
time (staging keeps one deterministically: the later extract date, then the later row).

``version_conflicts`` counts them over the whole table. The loader keeps the same answer in
``loader_state.version_conflicts`` (one row per conflicting record) and, when a load changes some extract
dates, recomputes only the records with a row in those dates before or after the load: a record's
conflict status depends only on its own rows, and a load changes only the rows of its dates, so no
other record can have changed (docs/decisions.md#file-accounting). A table is computed whole once,
when its state is first kept (``ensure_conflict_state``)."""

from __future__ import annotations

import duckdb

from revenue_warehouse.contract import Table
from revenue_warehouse.loader.schema import raw_name, table_exists
from revenue_warehouse.sql_quoting import identifier as ident

# the loader's own bookkeeping: not ``audit`` (published to the serving file and mirrored to the engines)
STATE_SCHEMA = "loader_state"
STATE_DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {STATE_SCHEMA}",
    # the tables whose conflicts are kept (computed whole once, then per load)
    """CREATE TABLE IF NOT EXISTS loader_state.version_conflict_tables (
        system VARCHAR NOT NULL, table_name VARCHAR NOT NULL, computed_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS loader_state.version_conflicts (
        system VARCHAR NOT NULL, table_name VARCHAR NOT NULL, record_key VARCHAR NOT NULL)""",
)
TOUCHED = "_rw_conflict_keys"  # temp table: key columns of the records a load touched


def applies(table: Table) -> bool:
    """Only a table with a sync time column can have versions at the same sync time."""
    return bool(table.synced_column) and table.synced_column in table.column_names


def _record_key(table: Table, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return f"CAST(struct_pack({', '.join(f'{ident(c)} := {prefix}{ident(c)}' for c in table.primary_key)}) AS VARCHAR)"


def conflicts_sql(table: Table, rows: str) -> str:
    """The record keys (``record_key``) among ``rows`` (a relation with the raw table's columns) that
    have two or more different versions (all contract columns but the sync time) at their latest sync
    time.

    Grouped, not windowed: the rows per record and sync time are counted (a hash aggregate, on every
    core), and only a record with two or more rows at its latest sync time can have two versions, so
    only those rows are hashed and compared (5.4 to 1.3 CPU s over scale 10's raw tables, which a
    first load computes whole). Key columns compare NULL to NULL (as ``PARTITION BY`` did); a row
    without a sync time is never at the latest one."""
    keys = [ident(c) for c in table.primary_key]
    key = ", ".join(keys)
    synced = ident(table.synced_column)
    values = ", ".join(f"{ident(c)} := r.{ident(c)}" for c in table.column_names if c != table.synced_column)

    def same_record(a: str, b: str) -> str:
        return " AND ".join(
            [*(f"{a}.{k} IS NOT DISTINCT FROM {b}.{k}" for k in keys), f"{a}.{synced} = {b}.{synced}"]
        )

    return f"""WITH per_sync AS (
          SELECT {key}, {synced}, count(*) AS n FROM {rows} AS r WHERE {synced} IS NOT NULL
          GROUP BY {key}, {synced}
        ), latest AS (
          SELECT {key}, max({synced}) AS {synced} FROM per_sync GROUP BY {key}
        ), candidates AS (
          SELECT p.* FROM per_sync AS p SEMI JOIN latest AS l ON {same_record("p", "l")} WHERE p.n > 1
        ), versions AS (
          SELECT {", ".join(f"r.{k}" for k in keys)}, md5(CAST(struct_pack({values}) AS VARCHAR)) AS version
          FROM {rows} AS r SEMI JOIN candidates AS c ON {same_record("r", "c")}
        )
        SELECT {_record_key(table)} AS record_key FROM versions GROUP BY ALL HAVING count(DISTINCT version) > 1"""


def _summary(
    con: duckdb.DuckDBPyConnection, keys_sql: str, params: list, sample: int
) -> tuple[int, list[str]]:
    row = con.execute(
        f"SELECT count(*), list(record_key ORDER BY record_key)[1:{int(sample)}] FROM ({keys_sql})", params
    ).fetchone()
    return int(row[0]), list(row[1] or [])


def version_conflicts(
    con: duckdb.DuckDBPyConnection, table: Table, sample: int = 10
) -> tuple[int, list[str]]:
    """Over the whole raw table: (conflicting records, a sample of their keys, sorted)."""
    if not applies(table) or not table_exists(con, f"raw_{table.system}", table.name):
        return 0, []
    return _summary(con, conflicts_sql(table, raw_name(table)), [], sample)


def recorded_conflicts(
    con: duckdb.DuckDBPyConnection, table: Table, sample: int = 10
) -> tuple[int, list[str]] | None:
    """The loader's kept answer of ``version_conflicts`` for ``table``; None when it keeps none (a
    warehouse loaded before it kept them, not loaded since)."""
    if not applies(table):
        return 0, []
    if (
        not table_exists(con, STATE_SCHEMA, "version_conflict_tables")
        or not con.execute(
            "SELECT count(*) FROM loader_state.version_conflict_tables WHERE system = ? AND table_name = ?",
            [table.system, table.name],
        ).fetchone()[0]
    ):
        return None
    keys = "SELECT record_key FROM loader_state.version_conflicts WHERE system = ? AND table_name = ?"
    return _summary(con, keys, [table.system, table.name], sample)


def ensure_conflict_state(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Keep ``table``'s conflicts from now on: computed over the whole raw table the first time (a
    table that existed before the state was kept), then maintained by each load (``note_touched``,
    ``update_conflicts``). The raw table must exist."""
    if not applies(table):
        return
    for ddl in STATE_DDL:
        con.execute(ddl)
    params = [table.system, table.name]
    if con.execute(
        "SELECT count(*) FROM loader_state.version_conflict_tables WHERE system = ? AND table_name = ?",
        params,
    ).fetchone()[0]:
        return
    con.execute("DELETE FROM loader_state.version_conflicts WHERE system = ? AND table_name = ?", params)
    con.execute(
        f"INSERT INTO loader_state.version_conflicts SELECT ?, ?, record_key FROM ({conflicts_sql(table, raw_name(table))})",
        params,
    )
    con.execute("INSERT INTO loader_state.version_conflict_tables VALUES (?, ?, current_timestamp)", params)


def note_touched(con: duckdb.DuckDBPyConnection, table: Table, dates_sql: str) -> None:
    """Add the keys of the raw rows of the extract dates ``dates_sql`` (a query of dates) to the
    records this load touched: call it before the load removes those dates' rows (a record whose row
    a re-delivery removed can change its status too); ``update_conflicts`` adds the loaded ones."""
    if not applies(table):
        return
    key = ", ".join(ident(c) for c in table.primary_key)
    select = f"SELECT DISTINCT {key} FROM {raw_name(table)} WHERE _extract_date IN ({dates_sql})"
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {TOUCHED} AS {select} LIMIT 0")
    con.execute(f"INSERT INTO {TOUCHED} {select}")


def update_conflicts(con: duckdb.DuckDBPyConnection, table: Table, dates_sql: str) -> None:
    """After a load of the extract dates ``dates_sql``: add the records of the rows loaded now to those
    ``note_touched`` collected before it, recompute their conflicts (only their rows are read) and
    replace what ``loader_state.version_conflicts`` held for them; then forget the touched records.
    When every raw row is of the loaded dates (a first load), the whole table is computed, without
    collecting keys or the join."""
    if not applies(table):
        return
    params = [table.system, table.name]
    whole = not con.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {raw_name(table)} WHERE _extract_date NOT IN ({dates_sql}) LIMIT 1)"
    ).fetchone()[0]
    if whole:
        rows = raw_name(table)
        con.execute("DELETE FROM loader_state.version_conflicts WHERE system = ? AND table_name = ?", params)
    else:
        note_touched(con, table, dates_sql)  # the records of the rows loaded now
        on = " AND ".join(f"r.{ident(c)} IS NOT DISTINCT FROM t.{ident(c)}" for c in table.primary_key)
        touched = f"(SELECT DISTINCT * FROM {TOUCHED})"
        rows = f"(SELECT r.* FROM {raw_name(table)} AS r JOIN {touched} AS t ON {on})"
        con.execute(
            f"""DELETE FROM loader_state.version_conflicts WHERE system = ? AND table_name = ?
            AND record_key IN (SELECT {_record_key(table)} FROM {touched})""",
            params,
        )
    con.execute(
        f"INSERT INTO loader_state.version_conflicts SELECT ?, ?, record_key FROM ({conflicts_sql(table, rows)})",
        params,
    )
    con.execute(f"DROP TABLE IF EXISTS {TOUCHED}")
