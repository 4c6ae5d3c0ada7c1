"""The serving file says what it is: publication as-of date and extract range, the reference tables, and the
dbt YAML descriptions as COMMENT ON; and ``warehouse export --format parquet`` writes every table.

Expected values come from outside the code under test: the simulation's settings and extract file names,
the seed CSVs and the YAML files as written (parsed here with PyYAML, not through dbt's manifest)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import AS_OF

from revenue_warehouse.paths import PROJECT_DIR

pytestmark = pytest.mark.slow

REFERENCE_TABLES = ("departments", "handoff_slas", "opportunity_stages", "discount_tiers", "channel_mapping")


def extract_dates(extracts: Path) -> list[date]:
    """Extract dates as the simulator names its files: <system>/<table>/<YYYY-MM-DD>.<ext>."""
    return sorted(
        date.fromisoformat(f.stem)
        for f in extracts.glob("*/*/*.*")
        if not f.parts[-3].startswith("_") and f.stem[:2] == "20"
    )


def test_publication_carries_as_of_date_extract_range_and_generation(
    served_db: Path, small_extracts: Path
) -> None:
    dates = extract_dates(small_extracts)
    con = duckdb.connect(str(served_db), read_only=True)
    try:
        row = con.execute(
            "select generation, as_of_date, extract_first_date, extract_last_date from audit.publication"
        ).fetchone()
    finally:
        con.close()
    assert row == ("pytest-served", AS_OF, dates[0], dates[-1])


def test_serving_file_opens_in_the_duckdb_1_1_storage_format(served_db: Path) -> None:
    con = duckdb.connect(str(served_db), read_only=True)
    try:
        tags = con.execute("select tags from duckdb_databases() where database_name = current_database()")
        storage = tags.fetchone()[0]["storage_version"]
    finally:
        con.close()
    # "v1.0.0+" or "v1.1.0+": readable by DuckDB 1.1 (the older-engine test in test_bi_access.py opens it)
    assert storage.startswith("v1.") and storage != "v1.5.0+", storage


@pytest.mark.parametrize("table", REFERENCE_TABLES)
def test_reference_tables_are_published_as_the_seeds_hold_them(served_db: Path, table: str) -> None:
    with open(PROJECT_DIR / "seeds" / f"{table}.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    con = duckdb.connect(str(served_db), read_only=True)
    try:
        cursor = con.execute(f"select * from reference.{table}")
        names = [d[0] for d in cursor.description]
        published = cursor.fetchall()
    finally:
        con.close()
    assert names == list(rows[0].keys())
    as_text = {tuple("" if v is None else str(v).lower() for v in r) for r in published}
    expected = {tuple(str(v).lower() for v in r.values()) for r in rows}

    def normal(value: str) -> str:
        try:
            return repr(float(value))
        except ValueError:
            return value

    assert {tuple(map(normal, r)) for r in as_text} == {tuple(map(normal, r)) for r in expected}


def yaml_descriptions() -> dict[str, tuple[str, dict[str, str]]]:
    """Model and seed name -> (description, {column: description}) as written in the YAML files."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for path in [*PROJECT_DIR.glob("models/**/*.yml"), *PROJECT_DIR.glob("seeds/*.yml")]:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for node in [*(doc.get("models") or []), *(doc.get("seeds") or [])]:
            columns = {
                c["name"]: str(c["description"]).strip()
                for c in node.get("columns") or []
                if str(c.get("description") or "").strip()
            }
            found[node["name"]] = (str(node.get("description") or "").strip(), columns)
    return found


def test_every_published_table_and_column_carries_its_yaml_description(served_db: Path) -> None:
    described = yaml_descriptions()
    con = duckdb.connect(str(served_db), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name, comment from duckdb_tables() "
            "where database_name = current_database() and schema_name <> 'audit'"
        ).fetchall()
        columns = {
            (t, c): comment
            for t, c, comment in con.execute(
                "select table_name, column_name, comment from duckdb_columns() "
                "where database_name = current_database() and schema_name <> 'audit'"
            ).fetchall()
        }
        audit_comment = con.execute(
            "select comment from duckdb_tables() where schema_name = 'audit' and table_name = 'publication'"
        ).fetchone()[0]
    finally:
        con.close()
    assert len(tables) >= 25
    checked = 0
    for _schema, table, comment in tables:
        assert table in described, f"{table} is published but has no YAML entry"
        text, column_texts = described[table]
        assert comment == (text or None), table
        for column, column_text in column_texts.items():
            if (table, column) in columns:
                assert columns[(table, column)] == column_text, f"{table}.{column}"
                checked += 1
    assert checked >= 300
    assert "as_of_date" in audit_comment


def test_export_writes_every_published_table_as_parquet_with_a_manifest(
    served_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    proc = subprocess.run(
        [sys.executable, "-m", "revenue_warehouse.cli", "export", "--format", "parquet", str(out)]
        + ["--serving", str(served_db)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    con = duckdb.connect(str(served_db), read_only=True)
    try:
        published = {
            (s, t): n
            for s, t, n in con.execute(
                "select table_schema, table_name, row_count from audit.published_tables"
            ).fetchall()
        }
        generation = con.execute("select generation from audit.publication").fetchone()[0]
    finally:
        con.close()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["publication"]["generation"] == generation
    entries = {(e["schema"], e["table"]): e for e in manifest["tables"]}
    # every table the publication counted, plus audit.publication and audit.published_tables themselves
    assert set(published) | {("audit", "publication"), ("audit", "published_tables")} == set(entries)
    for key, rows in published.items():
        table = pq.read_table(out / entries[key]["file"])  # read by pyarrow, not DuckDB
        assert table.num_rows == rows == entries[key]["rows"], key
        assert table.column_names == [c["name"] for c in entries[key]["columns"]], key
    leads = entries[("marketing", "fct_leads")]
    assert leads["description"] and all(c["description"] for c in leads["columns"])
