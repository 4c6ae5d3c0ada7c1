"""Read-side checks on what the loader recorded: the accounting identity per file, pending extract dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from revenue_warehouse import duckdb_limits
from revenue_warehouse.contract import Table
from revenue_warehouse.loader.discovery import discover, ident
from revenue_warehouse.loader.schema import raw_name

LATEST_MANIFEST = """
SELECT * FROM audit.load_manifest
WHERE status <> 'failed'
QUALIFY row_number() OVER (PARTITION BY system, table_name, extract_date ORDER BY loaded_at DESC, rowid DESC) = 1
"""


def _exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def accounting_violations(
    con: duckdb.DuckDBPyConnection, table: Table, dates: list[date] | None = None
) -> tuple[int, list[dict]]:
    """Files of ``table`` (for ``dates``, all when ``None``) whose manifest row breaks
    rows_in_file = rows_loaded + rows_quarantined, or whose counts disagree with what raw and quarantine
    actually hold. Returns (files checked, violations)."""
    if not _exists(con, "audit", "load_manifest") or not _exists(con, f"raw_{table.system}", table.name):
        return 0, []
    date_filter = "" if dates is None else "AND extract_date IN (SELECT unnest(?::DATE[]))"
    params: list = [table.system, table.name] + ([] if dates is None else [list(dates)])
    rows = con.execute(
        f"""WITH m AS (SELECT * FROM ({LATEST_MANIFEST}) WHERE system = ? AND table_name = ? {date_filter}),
        r AS (SELECT _extract_date, _source_file, count(*) AS n FROM {raw_name(table)}
              WHERE _extract_date IN (SELECT extract_date FROM m) GROUP BY ALL),
        q AS (SELECT extract_date, file, count(*) AS n FROM audit.quarantine
              WHERE system = '{table.system}' AND table_name = '{table.name}'
                AND extract_date IN (SELECT extract_date FROM m) GROUP BY ALL)
        SELECT m.file, m.rows_in_file, m.rows_loaded, m.rows_quarantined,
               coalesce(r.n, 0) AS in_raw, coalesce(q.n, 0) AS in_quarantine
        FROM m
        LEFT JOIN r ON r._extract_date = m.extract_date AND r._source_file = m.file
        LEFT JOIN q ON q.extract_date = m.extract_date AND q.file = m.file
        ORDER BY m.file""",
        params,
    ).fetchall()
    keys = ("file", "rows_in_file", "rows_loaded", "rows_quarantined", "in_raw", "in_quarantine")
    checked = [dict(zip(keys, r, strict=True)) for r in rows]
    bad = [
        c
        for c in checked
        if c["rows_in_file"] != c["rows_loaded"] + c["rows_quarantined"]
        or c["in_raw"] != c["rows_loaded"]
        or c["in_quarantine"] != c["rows_quarantined"]
    ]
    return len(checked), bad


def pending_dates(extracts_dir: Path, db_path: Path) -> dict[date, list[str]]:
    """Extract dates with files not yet loaded: no successful manifest row for the file, or the file
    changed on disk after it was last loaded (a re-delivery). Maps date -> pending file names."""
    files, _ = discover(extracts_dir)
    loaded: dict[str, datetime] = {}
    if db_path.exists():
        with duckdb_limits.connect(db_path, read_only=True) as con:
            if _exists(con, "audit", "load_manifest"):
                loaded = dict(
                    con.execute(
                        "SELECT file, max(loaded_at) FROM audit.load_manifest WHERE status <> 'failed' GROUP BY 1"
                    ).fetchall()
                )
    pending: dict[date, list[str]] = {}
    for f in files:
        last = loaded.get(f.source_name)
        mtime = datetime.fromtimestamp(f.path.stat().st_mtime, UTC).replace(tzinfo=None)
        if last is None or mtime > last:
            pending.setdefault(f.extract_date, []).append(f.source_name)
    return dict(sorted(pending.items()))


def latest_loaded_date(con: duckdb.DuckDBPyConnection) -> date | None:
    """The last extract date with a successfully loaded file (the warehouse's as-of date)."""
    if not _exists(con, "audit", "load_manifest"):
        return None
    return con.execute(
        "SELECT max(extract_date) FROM audit.load_manifest WHERE status <> 'failed'"
    ).fetchone()[0]


def version_conflicts(
    con: duckdb.DuckDBPyConnection, table: Table, sample: int = 10
) -> tuple[int, list[str]]:
    """Records of ``table`` with two or more different versions at their latest sync time: staging
    keeps one deterministically (the later extract date, then the later row), and this counts how
    often that choice was between different values. Returns (conflicting keys, a sample of keys)."""
    synced = table.synced_column
    if not synced or synced not in table.column_names or not _exists(con, f"raw_{table.system}", table.name):
        return 0, []
    key = ", ".join(ident(c) for c in table.primary_key)
    values = ", ".join(f"{ident(c)} := {ident(c)}" for c in table.column_names if c != synced)
    rows = con.execute(
        f"""WITH latest AS (
              SELECT {key}, md5(CAST(struct_pack({values}) AS VARCHAR)) AS version
              FROM {raw_name(table)}
              QUALIFY {ident(synced)} = max({ident(synced)}) OVER (PARTITION BY {key})
            ),
            conflicts AS (
              SELECT CAST(struct_pack({key}) AS VARCHAR) AS k FROM latest GROUP BY ALL HAVING count(DISTINCT version) > 1
            )
            SELECT (SELECT count(*) FROM conflicts), (SELECT list(k ORDER BY k)[1:{int(sample)}] FROM conflicts)"""
    ).fetchone()
    return int(rows[0]), list(rows[1] or [])
