"""Bring what the gate reads from an engine into a local DuckDB file through the engine's own
connection, so the unchanged Great Expectations gate (``quality.gate.check_and_publish``) validates the
engine's marts, check models and load accounting, and the publish step writes the same masked serving
file as on DuckDB. Raw, staging and intermediate come along for the load-completeness suite but are never published
(publish copies only ``PUBLISHED_SCHEMAS``). Column types follow the engine's (``Reader.columns``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from revenue_warehouse.duckdb_limits import connect
from revenue_warehouse.engines.readers import Reader
from revenue_warehouse.publish import PUBLISHED_SCHEMAS
from revenue_warehouse.sql_quoting import identifier as _quote


def checked_schemas(relations: set[tuple[str, str]]) -> list[str]:
    """The published schemas plus every ``raw_<system>``, ``staging`` and ``intermediate`` present on the
    engine (the suites' frames may read them; they are never published)."""
    present = {s for s, _ in relations}
    extra = [*sorted(s for s in present if s.startswith("raw_")), "staging", "intermediate"]
    return [s for s in (*PUBLISHED_SCHEMAS, *extra) if s in present]


def mirror_schemas(reader: Reader, path: Path | str, schemas: Sequence[str] | None = None) -> dict[str, int]:
    """Copy every table and view of ``schemas`` (default: ``checked_schemas``) on the engine into a new
    DuckDB file at ``path`` (replaced if it exists); returns rows per ``schema.table``."""
    path = Path(path)
    path.unlink(missing_ok=True)
    relations = reader.relations()
    schemas = checked_schemas(relations) if schemas is None else schemas
    counts: dict[str, int] = {}
    con = connect(path)
    try:
        con.execute("set TimeZone = 'UTC'")
        for schema in schemas:
            tables = sorted(t for s, t in relations if s == schema)
            if tables:
                con.execute(f"create schema if not exists {_quote(schema)}")
            for table in tables:
                columns = reader.columns(schema, table)
                frame = reader.query(f"select * from {schema}.{table}")
                target = f"{_quote(schema)}.{_quote(table)}"
                con.execute(f"create table {target} ({', '.join(f'{_quote(c)} {t}' for c, t in columns)})")
                if len(frame):
                    con.register("_rw_mirror", frame)
                    select = ", ".join(f"cast({_quote(c)} as {t})" for c, t in columns)
                    con.execute(f"insert into {target} select {select} from _rw_mirror")
                    con.unregister("_rw_mirror")
                counts[f"{schema}.{table}"] = len(frame)
        con.execute("checkpoint")
    finally:
        con.close()
    return counts
