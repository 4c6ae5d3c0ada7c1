"""The GX suites assert on models only: no frame query reads staging or intermediate (read from the
queries' syntax trees), every handoff frame reads a `quality` check model, and the staging-ids model
knows every staging model."""

from __future__ import annotations

import json
import re
from datetime import date

import duckdb

from revenue_warehouse.company import load_company
from revenue_warehouse.contract import TABLES
from revenue_warehouse.paths import PROJECT_DIR
from revenue_warehouse.quality.config import load_config
from revenue_warehouse.quality.runner import expectation_params, frame_params
from revenue_warehouse.quality.suites import SUITES

READABLE = {"quality", "marketing", "sales", "customer_success", "funnel", "audit", "reference"}


def tables_read(sql: str) -> set[tuple[str, str]]:
    con = duckdb.connect()
    tree = json.loads(con.execute("select json_serialize_sql(?)", [sql]).fetchone()[0])
    con.close()
    assert not tree.get("error"), (tree, sql)
    found: set[tuple[str, str]] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE":
                found.add((node.get("schema_name") or "", node["table_name"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    return found


def every_query() -> dict[str, str]:
    config = load_config()
    context = {
        "as_of": date(2025, 6, 30),
        "raw_tables": {(t.system, t.name) for t in TABLES},
        "declared_systems": load_company().source_systems(),
        "sla_targets": {"marketing_to_sales": 0.85},
        "company": load_company(),
    }
    queries = {}
    for suite in SUITES.values():
        params = frame_params(suite, config, context)
        for frame in suite.frames:
            for e in frame.expectations:
                params = expectation_params(suite, e, config, params)
            for part in ("sql", "total", "upstream"):
                build = getattr(frame, part)
                if build is not None:
                    queries[f"{suite.name}.{frame.name}.{part}"] = build(params)
    return queries


def test_no_suite_reads_staging_or_intermediate() -> None:
    queries = every_query()
    assert len(queries) > 20
    read = {name: tables_read(sql) for name, sql in queries.items()}
    assert all(read.values()), "every query reads a table"
    for name, tables in read.items():
        schemas = {schema for schema, _ in tables if schema}  # unqualified names are the query's CTEs
        assert not schemas & {"staging", "intermediate"}, (name, tables)
        assert all(s in READABLE or s.startswith("raw_") for s in schemas), (name, tables)
    # the handoff suites read their check models (and marts for upstream counts), never raw data
    for suite in SUITES.values():
        if suite.handoff:
            for frame in suite.frames:
                assert tables_read(queries[f"{suite.name}.{frame.name}.sql"]) == {
                    ("quality", frame.guards.split(".")[1])
                }
    # the test itself sees a staging read when there is one
    assert ("staging", "stg_x") in tables_read("select 1 from staging.stg_x join quality.q using (k)")


def test_staging_ids_model_depends_on_every_staging_model() -> None:
    sql = (PROJECT_DIR / "models" / "quality" / "qc_staging_ids.sql").read_text()
    listed = set(re.findall(r"--\s*depends_on:\s*\{\{\s*ref\('(\w+)'\)\s*\}\}", sql))
    staging = {p.stem for p in (PROJECT_DIR / "models" / "staging").glob("*/stg_*.sql")}
    assert staging and listed == staging
