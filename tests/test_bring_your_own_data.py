"""Bring your own connector data: staging reads tables a connector landed in another DuckDB database
(attached through the dbt profile), located by the source vars, with custom fields passed through
by a var per table. The connector tables are the project's own fixtures (tests/fixtures/connectors)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import pytest
import yaml
from test_connector_fixtures import fixture_path

from revenue_warehouse.contract import STAGING, SYSTEMS, TABLES
from revenue_warehouse.dbt import dbt_env, dbt_executable
from revenue_warehouse.settings import PROJECT_DIR

# where the "connector" landed each system: Fivetran-style schema names in a database of its own
SCHEMAS = {"hubspot": "hubspot", "salesforce": "salesforce_prod", "stripe": "stripe"}


def land_connector_tables(path: Path) -> None:
    """A connector's database: one typed table per contract table, custom columns included."""
    with duckdb.connect(str(path)) as con:
        for system in SYSTEMS:
            con.execute(f"create schema {SCHEMAS[system]}")
        for table in TABLES:
            path = fixture_path(table.system, table.name)
            header = path.read_text().splitlines()[0].split(",")
            types = {c.name: c.type for c in table.columns if c.name in header}
            con.execute(
                f'create table {SCHEMAS[table.system]}."{table.name}" as '
                "select * from read_csv(?, header = true, types = ?, all_varchar = false, auto_detect = true)",
                [str(path), types],
            )


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("byod")
    land_connector_tables(work / "connector.duckdb")
    profile = {
        "revenue_warehouse": {
            "target": "byod",
            "outputs": {
                "byod": {
                    "type": "duckdb",
                    "path": str(work / "warehouse.duckdb"),
                    "threads": 1,
                    "attach": [
                        {"path": str(work / "connector.duckdb"), "alias": "fivetran", "read_only": True}
                    ],
                }
            },
        }
    }
    (work / "profiles.yml").write_text(yaml.safe_dump(profile))
    dbt_vars: dict = {f"{s}_database": "fivetran" for s in SYSTEMS}
    dbt_vars |= {f"{s}_schema": SCHEMAS[s] for s in SYSTEMS}
    dbt_vars["hubspot_contact_pass_through_columns"] = ["property_favourite_colour"]
    dbt_vars["salesforce_lead_pass_through_columns"] = [
        {"name": "region_c", "alias": "sales_region", "transform_sql": "lower(region_c)"}
    ]
    cmd = [dbt_executable(), "run", "--select", "staging", "--project-dir", str(PROJECT_DIR)]
    cmd += [
        "--profiles-dir",
        str(work),
        "--target-path",
        str(work / "target"),
        "--vars",
        json.dumps(dbt_vars),
    ]
    proc = subprocess.run(
        cmd, cwd=PROJECT_DIR, env=dbt_env(work / "warehouse.duckdb"), capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    return work


def connect(work: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    con.execute(f"attach '{work / 'connector.duckdb'}' as fivetran (read_only)")
    return con


def test_staging_reads_the_attached_connector_tables(staged: Path) -> None:
    with connect(staged) as con:
        raw = con.execute(
            "select count(*) from information_schema.schemata where catalog_name = 'warehouse' and schema_name like 'raw_%'"
        ).fetchone()[0]
        assert raw == 0, "nothing was loaded into the warehouse: staging reads the connector's database"
        for table in TABLES:
            view = STAGING[(table.system, table.name)].name
            assert con.execute(f"select count(*) from staging.{view}").fetchone()[0] == 3, view
        assert con.execute(
            "select contact_id, email, lifecycle_stage from staging.stg_hubspot__contacts order by 1 limit 1"
        ).fetchone() == (101, "ada.lovelace@example.com", "salesqualifiedlead")


def test_custom_fields_pass_through_by_var(staged: Path) -> None:
    with connect(staged) as con:
        assert con.execute(
            "select list(property_favourite_colour order by contact_id) from staging.stg_hubspot__contacts"
        ).fetchone() == (["teal", "amber", "plum"],)
        assert con.execute(
            "select list(sales_region order by lead_id) from staging.stg_salesforce__leads"
        ).fetchone() == (["emea", "amer", "apac"],)
        columns = {
            c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_name = 'stg_salesforce__accounts'"
            ).fetchall()
        }  # fmt: skip
        assert "region_c" not in columns, "only the tables given a pass-through var carry custom fields"
