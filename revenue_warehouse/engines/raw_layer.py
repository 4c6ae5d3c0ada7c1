"""The raw layer as engine-neutral files: every ``raw_<system>`` table and the loader's ``audit``
tables (manifest, quarantine) of a loaded DuckDB build file, exported as one Parquet file per table.
This is the loader's accounted, typed output, not a second loader: row counts, types, provenance
columns (``_source_file``, ``_source_row_number``, ``_loaded_at``, ``_run_id``, ``_extract_date``),
``audit.load_manifest`` and ``audit.quarantine`` keep their meaning on every engine."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from revenue_warehouse.duckdb_limits import connect
from revenue_warehouse.sql_quoting import identifier as _quote
from revenue_warehouse.sql_quoting import literal

# The loader's in-flight marker (a struct set only while a load runs, NULL on every committed row).
IN_FLIGHT_COLUMNS = frozenset({"_quarantine"})
AUDIT_TABLES = ("load_manifest", "quarantine")
INDEX_FILE = "raw_layer.json"


@dataclass(frozen=True)
class RawTable:
    schema: str
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type)
    rows: int

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    def path(self, root: Path) -> Path:
        """The table's folder (one Parquet file inside): Spark tables point at the folder."""
        return root / self.schema / self.name


def _raw_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_type = 'BASE TABLE' and (table_schema like 'raw\\_%' escape '\\' "
        f"or (table_schema = 'audit' and table_name in {AUDIT_TABLES})) order by 1, 2"
    ).fetchall()
    return [(s, t) for s, t in rows]


def export_raw_layer(build_db: Path | str, out_dir: Path | str) -> list[RawTable]:
    """Write every raw and loader-audit table of ``build_db`` to ``out_dir/<schema>/<table>/data.parquet``
    plus an index (``raw_layer.json``: columns with their types, row counts); returns the tables."""
    root = Path(out_dir)
    tables: list[RawTable] = []
    con = connect(build_db, read_only=True)
    try:
        for schema, name in _raw_tables(con):
            described = con.execute(f"describe {_quote(schema)}.{_quote(name)}").fetchall()
            columns = tuple((r[0], r[1]) for r in described if r[0] not in IN_FLIGHT_COLUMNS)
            table = RawTable(schema, name, columns, 0)
            folder = table.path(root)
            folder.mkdir(parents=True, exist_ok=True)
            select = ", ".join(_quote(c) for c, _ in columns)
            target = folder / "data.parquet"
            con.execute(
                f"copy (select {select} from {_quote(schema)}.{_quote(name)}) "
                f"to {literal(str(target))} (format parquet, compression zstd)"
            )
            rows = con.execute(f"select count(*) from read_parquet({literal(str(target))})").fetchone()[0]
            tables.append(RawTable(schema, name, columns, rows))
    finally:
        con.close()
    (root / INDEX_FILE).write_text(json.dumps([asdict(t) for t in tables], indent=1))
    return tables


def read_index(root: Path | str) -> list[RawTable]:
    """The tables an export wrote (``raw_layer.json`` beside them)."""
    entries = json.loads((Path(root) / INDEX_FILE).read_text())
    return [
        RawTable(e["schema"], e["name"], tuple(tuple(c) for c in e["columns"]), e["rows"]) for e in entries
    ]
