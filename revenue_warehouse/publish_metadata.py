"""What the serving file says about itself: the storage version it is written in, the publication's as-of
date and extract range, and the dbt descriptions of every table and column as ``COMMENT ON``.

``publish.py`` calls :func:`serving_config` when it creates the new serving file and :func:`describe` on
the new file before it is closed; everything here reads only the new file (and the dbt manifest).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import duckdb

from revenue_warehouse.settings import get_settings
from revenue_warehouse.sql_quoting import identifier as _quote
from revenue_warehouse.sql_quoting import literal as _literal

log = logging.getLogger(__name__)


# Descriptions of the audit tables, which no dbt model defines (the loader, the checks and publish write them).
AUDIT_DESCRIPTIONS: dict[str, str] = {
    "publication": (
        "One row: what this serving file is. generation = the checked run published; as_of_date = the "
        "data's as-of date ('today' for current/pending rules); extract_first_date/extract_last_date = "
        "range of extract dates loaded."
    ),
    "published_tables": (
        "Every table in this serving file with its row count and content fingerprint at publication (the next "
        "publish writes only the tables whose fingerprint changed)."
    ),
    "load_manifest": (
        "Every load of an extract file: its status, rows loaded and rows quarantined (a file skipped because "
        "its name, size and modification time are unchanged gets no row: see load_runs)."
    ),
    "load_runs": "Per run and raw table: how many extract files the run skipped as unchanged since their last load.",
    "quarantine": "Extract rows that could not be loaded, one row per rejected value, with the reason.",
    "check_results": "Results of the data checks (GX suites) per run: which passed, failed or did not apply.",
}

PUBLICATION_COLUMN_DESCRIPTIONS: dict[str, str] = {
    "generation": "Identifier of the published build (the run id of the checked run).",
    "published_at": "When the file was published (UTC).",
    "build_file": "The build database the file was copied from.",
    "tables": "Number of tables published.",
    "total_rows": "Rows over every published table.",
    "as_of_date": "The data's as-of date: the last day core.dim_date marks is_on_or_before_as_of.",
    "extract_first_date": "Earliest extract date loaded (audit.load_manifest, failed files excluded).",
    "extract_last_date": "Latest extract date loaded (audit.load_manifest, failed files excluded).",
    "storage_version": "The DuckDB storage version the file is written in (WAREHOUSE_SERVING_STORAGE_VERSION).",
}

PUBLISHED_TABLES_COLUMN_DESCRIPTIONS: dict[str, str] = {
    "generation": "The publication's generation.",
    "row_count": "Rows in the table.",
    "content_hash": "Sum of DuckDB's 64-bit hash of every row as published: with row_count, the table's fingerprint.",
    "signature": "SHA-256 of the table's columns, types and publishing expressions (masking included).",
}

AUDIT_COLUMN_DESCRIPTIONS = {
    "publication": PUBLICATION_COLUMN_DESCRIPTIONS,
    "published_tables": PUBLISHED_TABLES_COLUMN_DESCRIPTIONS,
}


def storage_version() -> str:
    """The serving file's storage version (``WAREHOUSE_SERVING_STORAGE_VERSION``, default v1.1.0)."""
    return get_settings().serving_storage_version


def serving_config() -> dict[str, str]:
    """``duckdb.connect`` configuration for writing a new serving file."""
    return {"storage_compatibility_version": storage_version()}


def manifest_path() -> Path:
    """The dbt manifest holding the descriptions (``WAREHOUSE_DBT_MANIFEST``, default target/manifest.json,
    which ``make setup`` writes with ``dbt parse``)."""
    return get_settings().dbt_manifest


def load_manifest(path: Path | None = None) -> dict[str, Any] | None:
    target = path or manifest_path()
    if not target.exists():
        log.warning("no dbt manifest at %s: the serving file gets no column descriptions", target)
        return None
    return json.loads(target.read_text(encoding="utf-8"))


def _existing_columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], set[str]]:
    rows = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_catalog = current_database()"
    ).fetchall()
    found: dict[tuple[str, str], set[str]] = {}
    for schema, table, column in rows:
        found.setdefault((schema, table), set()).add(column)
    return found


def table_descriptions(manifest: dict[str, Any] | None) -> dict[tuple[str, str], tuple[str, dict[str, str]]]:
    """(schema, table) -> (table description, {column: description}) from the manifest's models and seeds,
    plus the audit tables' descriptions defined here."""
    described: dict[tuple[str, str], tuple[str, dict[str, str]]] = {
        ("audit", name): (text, AUDIT_COLUMN_DESCRIPTIONS.get(name, {}))
        for name, text in AUDIT_DESCRIPTIONS.items()
    }
    for node in (manifest or {}).get("nodes", {}).values():
        if node.get("resource_type") not in ("model", "seed", "snapshot"):
            continue
        columns = {
            name: col["description"].strip()
            for name, col in node.get("columns", {}).items()
            if col.get("description", "").strip()
        }
        key = (node["schema"], node.get("alias") or node["name"])
        described[key] = (node.get("description", "").strip(), columns)
    return described


def _existing_comments(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str | None], str | None]:
    """(schema, table, None) -> table comment and (schema, table, column) -> column comment, every table."""
    found: dict[tuple[str, str, str | None], str | None] = {}
    for schema, table, comment in con.execute(
        "select schema_name, table_name, comment from duckdb_tables() where database_name = current_database()"
    ).fetchall():
        found[(schema, table, None)] = comment
    for schema, table, column, comment in con.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where database_name = current_database()"
    ).fetchall():
        found[(schema, table, column)] = comment
    return found


def apply_comments(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any] | None) -> int:
    """``COMMENT ON`` every published table and column so that it carries its description, or none when it has
    none (a file that started as a copy of the previous publication keeps the comments that did not change);
    returns how many comments were set."""
    described = table_descriptions(manifest)
    applied = 0
    for (schema, table, column), comment in _existing_comments(con).items():
        text, columns = described.get((schema, table), ("", {}))
        wanted = (text if column is None else columns.get(column, "")) or None
        if comment == wanted or (not comment and wanted is None):
            continue
        target = f"{_quote(schema)}.{_quote(table)}"
        value = "null" if wanted is None else _literal(wanted)
        if column is None:
            con.execute(f"comment on table {target} is {value}")
        else:
            con.execute(f"comment on column {target}.{_quote(column)} is {value}")
        applied += 1
    return applied


def describe_publication(con: duckdb.DuckDBPyConnection) -> None:
    """Add the as-of date and the extract range to ``audit.publication`` (NULL when the build lacks them)."""
    existing = _existing_columns(con)
    as_of = (
        con.execute("select max(date_day) from core.dim_date where is_on_or_before_as_of").fetchone()[0]
        if {"date_day", "is_on_or_before_as_of"} <= existing.get(("core", "dim_date"), set())
        else None
    )
    first, last = (
        con.execute(
            "select min(extract_date), max(extract_date) from audit.load_manifest where status <> 'failed'"
        ).fetchone()
        if {"extract_date", "status"} <= existing.get(("audit", "load_manifest"), set())
        else (None, None)
    )
    for column in ("as_of_date", "extract_first_date", "extract_last_date"):
        con.execute(f"alter table audit.publication add column if not exists {column} date")
    con.execute(
        "update audit.publication set as_of_date = ?, extract_first_date = ?, extract_last_date = ?",
        [as_of, first, last],
    )


def describe(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any] | None = None) -> int:
    """Everything this module adds to a new serving file (``con`` is its read-write connection)."""
    describe_publication(con)
    return apply_comments(con, manifest if manifest is not None else load_manifest())
