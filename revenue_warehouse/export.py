"""Export the served warehouse as files for tools that prefer them: one Parquet file per published table,
``<DIR>/<schema>/<table>.parquet``, and ``<DIR>/manifest.json`` describing what was exported."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from revenue_warehouse.duckdb_limits import connect
from revenue_warehouse.paths import serving_db_path
from revenue_warehouse.sql_quoting import identifier as _quote
from revenue_warehouse.sql_quoting import literal as _literal

MANIFEST_NAME = "manifest.json"
FORMATS = ("parquet",)


@dataclass(frozen=True)
class ExportResult:
    out_dir: Path
    manifest_path: Path
    tables: int
    rows: int


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _publication(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    cursor = con.execute("select * from audit.publication")
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    return {name: _jsonable(value) for name, value in zip(names, row or (), strict=False)}


def _table_entries(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    tables = con.execute(
        "select schema_name, table_name, comment from duckdb_tables() "
        "where database_name = current_database() order by schema_name, table_name"
    ).fetchall()
    columns = con.execute(
        "select schema_name, table_name, column_name, data_type, comment from duckdb_columns() "
        "where database_name = current_database() order by schema_name, table_name, column_index"
    ).fetchall()
    entries = []
    for schema, table, comment in tables:
        entries.append(
            {
                "schema": schema,
                "table": table,
                "file": f"{schema}/{table}.parquet",
                "description": comment,
                "columns": [
                    {"name": c, "type": t, "description": d}
                    for s, tb, c, t, d in columns
                    if (s, tb) == (schema, table)
                ],
            }
        )
    return entries


def export_parquet(out_dir: Path | str, serving_db: Path | str | None = None) -> ExportResult:
    """Write every table of the serving file (opened read-only) as Parquet plus a manifest."""
    source = Path(serving_db) if serving_db else serving_db_path()
    if not source.exists():
        raise FileNotFoundError(f"serving database {source} does not exist: publish before exporting")
    out = Path(out_dir)
    con = connect(source, read_only=True)
    try:
        entries = _table_entries(con)
        for entry in entries:
            target = out / entry["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            relation = f"{_quote(entry['schema'])}.{_quote(entry['table'])}"
            con.execute(f"copy (select * from {relation}) to {_literal(target.as_posix())} (format parquet)")
            entry["rows"] = con.execute(f"select count(*) from {relation}").fetchone()[0]
        manifest = {
            "format": "parquet",
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "source": str(source.resolve()),
            "publication": _publication(con),
            "tables": entries,
        }
    finally:
        con.close()
    manifest_path = out / MANIFEST_NAME
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return ExportResult(out, manifest_path, len(entries), sum(e["rows"] for e in entries))
