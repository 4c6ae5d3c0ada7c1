"""DDL for the raw tables and the audit schema."""

from __future__ import annotations

import difflib

import duckdb

from revenue_warehouse.contract import Table
from revenue_warehouse.sql_quoting import identifier as ident

PROVENANCE: tuple[tuple[str, str], ...] = (
    ("_source_file", "VARCHAR"),
    ("_source_row_number", "BIGINT"),
    ("_loaded_at", "TIMESTAMP"),
    ("_run_id", "VARCHAR"),
    ("_extract_date", "DATE"),
    # set only while a load is in flight, for rows whose value failed its cast: they are moved to
    # audit.quarantine before the load commits, so committed raw rows always have it NULL
    ("_quarantine", "STRUCT(column_name VARCHAR, reason VARCHAR, raw_line VARCHAR)"),
)

MANIFEST_DDL = """
CREATE TABLE IF NOT EXISTS audit.load_manifest (
    system VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    extract_date DATE NOT NULL,
    file VARCHAR NOT NULL,
    checksum VARCHAR,
    rows_in_file BIGINT,
    rows_loaded BIGINT,
    rows_quarantined BIGINT,
    status VARCHAR NOT NULL,
    error VARCHAR,
    new_columns VARCHAR[],
    run_id VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    file_size BIGINT,
    file_mtime_ns BIGINT
)"""
# size and modification time of the file as loaded: an unchanged file is skipped without reading it
MANIFEST_FILE_STAT = (("file_size", "BIGINT"), ("file_mtime_ns", "BIGINT"))

QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS audit.quarantine (
    run_id VARCHAR NOT NULL,
    system VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    extract_date DATE NOT NULL,
    file VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    column_name VARCHAR,
    raw_line VARCHAR,
    error_type VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    quarantined_at TIMESTAMP NOT NULL
)"""


# Files a run skipped unchanged (same name, size and modification time as at their last load), counted per
# run and table: one row a table instead of one manifest row a file on every run (23,864 at scale 100).
LOAD_RUNS_DDL = """
CREATE TABLE IF NOT EXISTS audit.load_runs (
    run_id VARCHAR NOT NULL,
    system VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    files_unchanged BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
)"""


def ensure_audit(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(MANIFEST_DDL)
    con.execute(LOAD_RUNS_DDL)
    for name, type_ in MANIFEST_FILE_STAT:  # manifests written by an older loader
        con.execute(f"ALTER TABLE audit.load_manifest ADD COLUMN IF NOT EXISTS {name} {type_}")
    con.execute(QUARANTINE_DDL)


def ensure_raw_table(con: duckdb.DuckDBPyConnection, table: Table) -> set[str]:
    """Create ``raw_<system>.<table>`` typed per the contract if missing; return its current columns."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {ident('raw_' + table.system)}")
    cols = [f"{ident(c.name)} {c.type}" for c in table.columns]
    cols += [f"{ident(name)} {type_}" for name, type_ in PROVENANCE]
    con.execute(f"CREATE TABLE IF NOT EXISTS {raw_name(table)} ({', '.join(cols)})")
    existing = _columns(con, table)
    for name, type_ in PROVENANCE:  # tables created by an older loader
        if name not in existing:
            con.execute(f"ALTER TABLE {raw_name(table)} ADD COLUMN {ident(name)} {type_}")
            existing.add(name)
    return existing


def _columns(con: duckdb.DuckDBPyConnection, table: Table) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? AND database_name = current_database()",
        [f"raw_{table.system}", table.name],
    ).fetchall()
    return {r[0] for r in rows}


def add_columns(con: duckdb.DuckDBPyConnection, table: Table, names: list[str]) -> None:
    """Schema evolution: undeclared columns are kept as VARCHAR."""
    for name in names:
        con.execute(f"ALTER TABLE {raw_name(table)} ADD COLUMN IF NOT EXISTS {ident(name)} VARCHAR")


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def raw_name(table: Table) -> str:
    return f"{ident('raw_' + table.system)}.{ident(table.name)}"


RENAME_SIMILARITY = 0.8  # difflib ratio from which a missing and a new column name look like one column


def _stem(name: str) -> str:
    return name.removeprefix("property_").removesuffix("_c")


def _looks_renamed(declared: str, new: str) -> bool:
    a, b = _stem(declared), _stem(new)
    contained = min(len(a), len(b)) >= 4 and (a in b or b in a)
    return contained or difflib.SequenceMatcher(None, declared, new).ratio() >= RENAME_SIMILARITY


def drift_error(table: Table, header: list[str]) -> str | None:
    """A likely rename: a declared column is missing from the file's header while an undeclared column
    with a similar name appears (one name contains the other, ignoring HubSpot's ``property_`` and
    Salesforce's ``_c``, or difflib similarity >= RENAME_SIMILARITY). Loading such a file would fill the
    declared column with NULLs and hide its data in a new column, so the file fails with a message
    naming both. A missing column alone (a connector form without it) or unrelated new columns
    (schema evolution, kept as VARCHAR) are not drift: real connector tables have both."""
    if not header:
        return None
    declared = table.column_names
    missing = [c for c in declared if c not in header]
    undeclared = [c for c in header if c not in declared]
    pairs = [(m, u) for m in missing for u in undeclared if _looks_renamed(m, u)]
    if not pairs:
        return None
    named = "; ".join(f"declared column {m!r} missing, undeclared column {u!r} present" for m, u in pairs)
    return (
        f"schema drift in {table.qualified_name} (renamed column?): {named}; "
        "fix the extract or declare the column in revenue_warehouse/contract.py"
    )
