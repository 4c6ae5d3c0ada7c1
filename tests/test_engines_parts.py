"""The engine-independent parts of the PostgreSQL/Spark route (docs/scaling.md), on hand-made DuckDB
files: the raw-layer export keeps rows, types and provenance and drops the in-flight marker; the
mirror keeps types (also of empty tables); figure differences name the differing rows; declared types
are portable. The engines themselves run in test_engines.py (make test-engines)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from revenue_warehouse.engines.figures import differences, normalise
from revenue_warehouse.engines.mirror import checked_schemas, mirror_schemas
from revenue_warehouse.engines.postgres import parquet_to_csv, pg_type
from revenue_warehouse.engines.raw_layer import RawTable, export_raw_layer, read_index
from revenue_warehouse.engines.readers import DuckDBReader, postgres_to_duckdb, spark_to_duckdb
from revenue_warehouse.engines.spark import register_statements
from revenue_warehouse.paths import PROJECT_DIR


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    db = tmp_path / "loaded.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema raw_stripe; create schema audit; create schema staging")
    con.execute(
        "create table raw_stripe.invoice (id varchar, total bigint, paid boolean, amount decimal(18,2), "
        "_source_file varchar, _source_row_number bigint, _loaded_at timestamp, _run_id varchar, "
        "_extract_date date, _quarantine struct(column_name varchar, reason varchar, raw_line varchar))"
    )
    con.execute(
        "insert into raw_stripe.invoice values "
        "('in_1', 1200, true, 12.00, 'stripe/invoice/2025-01-01.csv', 1, '2025-01-02 03:04:05', 'r', '2025-01-01', null),"
        "('in_2', null, false, 0.50, 'stripe/invoice/2025-01-01.csv', 2, '2025-01-02 03:04:05', 'r', '2025-01-01', null)"
    )
    con.execute("create table audit.load_manifest (file varchar, rows_loaded bigint, new_columns varchar[])")
    con.execute("insert into audit.load_manifest values ('stripe/invoice/2025-01-01.csv', 2, ['extra'])")
    con.execute("create table audit.quarantine (file varchar, row_number bigint, reason varchar)")
    con.execute("create table audit.other (x integer)")
    con.execute("create view staging.stg_invoices as select id from raw_stripe.invoice")
    con.close()
    return db


def test_export_writes_each_raw_and_loader_audit_table_with_types(loaded: Path, tmp_path: Path) -> None:
    tables = export_raw_layer(loaded, tmp_path / "raw")
    assert [t.qualified_name for t in tables] == [
        "audit.load_manifest",
        "audit.quarantine",
        "raw_stripe.invoice",
    ]
    assert read_index(tmp_path / "raw") == tables
    invoice = tables[2]
    assert invoice.rows == 2
    assert dict(invoice.columns)["amount"] == "DECIMAL(18,2)"
    assert "_quarantine" not in dict(invoice.columns)
    parquet = invoice.path(tmp_path / "raw") / "data.parquet"
    rows = duckdb.sql(f"select id, total, amount, _source_row_number from '{parquet}' order by id").fetchall()
    assert [(r[0], r[1], str(r[2]), r[3]) for r in rows] == [
        ("in_1", 1200, "12.00", 1),
        ("in_2", None, "0.50", 2),
    ]
    assert [pg_type(t) for _, t in tables[0].columns] == ["text", "bigint", "text[]"]


# a folder name that ends a naively quoted SQL string literal (and a backslash, an escape in Spark's)
ODD_FOLDER = "o'brien \\ raw"


def test_export_and_csv_copy_take_any_folder_name(loaded: Path, tmp_path: Path) -> None:
    root = tmp_path / ODD_FOLDER
    tables = export_raw_layer(loaded, root)
    invoice = tables[2]
    assert (invoice.qualified_name, invoice.rows) == ("raw_stripe.invoice", 2)
    csv = root / "it's.csv"
    parquet_to_csv(invoice.path(root) / "data.parquet", csv, "id, total")
    assert csv.read_text().splitlines() == ["id,total", "in_1,1200", "in_2,"]


def test_spark_statements_escape_quotes_and_backslashes(tmp_path: Path) -> None:
    table = RawTable("raw_stripe", "in`voice", (), 0)
    create_db, drop, create = register_statements(table, tmp_path / ODD_FOLDER)
    assert create_db == "create database if not exists `raw_stripe`"
    assert drop == "drop table if exists `raw_stripe`.`in``voice`"
    # Spark reads \\ as one backslash and \' as a quote inside '...'
    location = f"{tmp_path}/o\\'brien \\\\ raw/raw_stripe/in`voice"
    assert create == f"create table `raw_stripe`.`in``voice` using parquet location '{location}'"


def test_mirror_keeps_types_and_empty_tables(loaded: Path, tmp_path: Path) -> None:
    reader = DuckDBReader(loaded)
    try:
        schemas = checked_schemas(reader.relations())
        counts = mirror_schemas(reader, tmp_path / "mirror.duckdb")
    finally:
        reader.close()
    assert schemas == ["audit", "raw_stripe", "staging"]
    assert counts["audit.quarantine"] == 0 and counts["staging.stg_invoices"] == 2
    con = duckdb.connect(str(tmp_path / "mirror.duckdb"), read_only=True)
    try:
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_name = 'quarantine'"
            ).fetchall()
        )
        assert types == {"file": "VARCHAR", "row_number": "BIGINT", "reason": "VARCHAR"}
        assert con.execute("select new_columns from audit.load_manifest").fetchone()[0] == ["extra"]
        assert (
            con.execute("select typeof(amount) from raw_stripe.invoice limit 1").fetchone()[0]
            == "DECIMAL(18,2)"
        )
    finally:
        con.close()


def test_engine_type_names_map_to_duckdb() -> None:
    assert postgres_to_duckdb("numeric", "numeric", 18, 2) == "DECIMAL(18, 2)"
    assert postgres_to_duckdb("numeric", "numeric", None, None) == "DOUBLE"
    assert postgres_to_duckdb("ARRAY", "_text", None, None) == "VARCHAR[]"
    assert postgres_to_duckdb("timestamp without time zone", "timestamp", None, None) == "TIMESTAMP"
    assert spark_to_duckdb("array<string>") == "VARCHAR[]"
    assert spark_to_duckdb("decimal(18,2)") == "DECIMAL(18,2)"
    assert spark_to_duckdb("timestamp_ntz") == "TIMESTAMP"


def test_figure_differences_name_the_rows() -> None:
    duck = {"renewals": normalise(pd.DataFrame({"outcome": ["churned", "renewed"], "n": [2, 5]}))}
    same = {"renewals": normalise(pd.DataFrame({"outcome": ["renewed", "churned"], "n": [5.0, 2.0]}))}
    other = {"renewals": normalise(pd.DataFrame({"outcome": ["churned", "renewed"], "n": [2, 4]}))}
    assert differences(duck, same) == []
    assert differences(duck, other) == [
        "renewals: missing or different ('renewed', 5)",
        "renewals: unexpected ('renewed', 4)",
    ]


# Type names in contracts and seed column types must read the same on DuckDB and PostgreSQL (Spark's
# spellings are translated by macros/portable_types.sql): no bare `double` (PostgreSQL) and no numeric
# without precision (Spark).
NOT_PORTABLE = re.compile(r"^(double|numeric|decimal|number)$", re.IGNORECASE)


def _declared_types(node: object, where: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "data_type" and isinstance(value, str):
                found.append((where, value))
            elif key == "column_types" and isinstance(value, dict):
                found += [(f"{where}:{c}", str(t)) for c, t in value.items()]
            else:
                found += _declared_types(value, where)
    elif isinstance(node, list):
        for item in node:
            found += _declared_types(item, where)
    return found


def test_declared_types_are_portable() -> None:
    declared = []
    # sources' data_type documents the raw layer (generated from the contract), it casts nothing
    models = [p for p in (PROJECT_DIR / "models").rglob("*.yml") if not p.name.endswith("__sources.yml")]
    for path in sorted([*models, *(PROJECT_DIR / "seeds").glob("*.yml")]):
        declared += _declared_types(yaml.safe_load(path.read_text()), str(path.relative_to(PROJECT_DIR)))
    assert declared, "no declared types found"
    bad = [f"{where}: {t}" for where, t in declared if NOT_PORTABLE.match(t.strip())]
    assert bad == [], "use float8 for double, and give numerics a precision:\n" + "\n".join(bad)
