"""The project's own connector-layout fixtures (tests/fixtures/connectors) through the real loader
and real dbt staging. Every expected value is worked out by hand from those small files."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.contract import STAGING, TABLES
from revenue_warehouse.dbt import run_dbt
from revenue_warehouse.loader.api import connect, load_file
from revenue_warehouse.loader.schema import ensure_raw_table

FIXTURES = Path(__file__).parent / "fixtures" / "connectors"
CUSTOM = {"hubspot": "property_favourite_colour", "salesforce": "region_c", "stripe": "tax_exempt"}
# (system, table) -> rows in the file: three records each, plus a later sync of one record
RESYNCED = {("hubspot", "contact"), ("salesforce", "opportunity"), ("stripe", "subscription")}


def fixture_path(system: str, table: str) -> Path:
    return FIXTURES / system / f"{table}.csv"


def load_connector_fixtures(db: Path) -> dict[str, tuple[int, int, int]]:
    """Load every fixture file into raw_<system>.<table>; (rows in file, loaded, quarantined) per table."""
    outcome = {}
    con = connect(db)
    try:
        for table in TABLES:
            ensure_raw_table(con, table)
            path = fixture_path(table.system, table.name)
            result = load_file(con, table, path, extract_date=date(2024, 6, 1), run_id="fixtures")
            outcome[table.qualified_name] = (result.rows_in_file, result.rows_loaded, result.rows_quarantined)
    finally:
        con.close()
    return outcome


def test_every_contract_table_has_a_fixture_with_the_connector_layout() -> None:
    for table in TABLES:
        path = fixture_path(table.system, table.name)
        assert path.is_file(), f"missing fixture {path}"
        with path.open(newline="") as fh:
            header = next(csv.reader(fh))
        assert set(table.required_columns) <= set(header), path
        assert CUSTOM[table.system] in header, path


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    db = tmp_path_factory.mktemp("connector_fixtures") / "build.duckdb"
    return db, load_connector_fixtures(db)


def test_fixtures_load_whole_through_the_loader(fixture_db: tuple[Path, dict]) -> None:
    db, outcome = fixture_db
    for table in TABLES:
        rows = 4 if (table.system, table.name) in RESYNCED else 3
        assert outcome[table.qualified_name] == (rows, rows, 0), table.qualified_name
    with duckdb.connect(str(db), read_only=True) as con:
        # the custom field is kept as text, the left-out declared column exists and is NULL
        assert con.execute("select list(region_c order by id) from raw_salesforce.lead").fetchone() == (
            ["EMEA", "AMER", "APAC"],
        )
        assert con.execute("select count(*), count(due_date) from raw_stripe.invoice").fetchone() == (3, 0)
        # typed per the contract: Salesforce's CRLF file with true/false booleans
        assert con.execute(
            "select typeof(is_won), count(*) filter (where is_won) from raw_salesforce.opportunity group by 1"
        ).fetchall() == [("BOOLEAN", 2)]


@pytest.fixture(scope="module")
def staged_db(fixture_db: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    db, _ = fixture_db
    run_dbt(["run", "--select", "staging"], db, target_path=tmp_path_factory.mktemp("target"))
    return db


def test_staging_keeps_one_row_per_record_over_the_fixtures(staged_db: Path) -> None:
    """Every raw key reaches the staging view the contract names (STAGING), once; three records each."""
    with duckdb.connect(str(staged_db), read_only=True) as con:
        views = {
            n
            for (n,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'staging'"
            ).fetchall()
        }
        assert views == {m.name for m in STAGING.values()}
        for table in TABLES:
            staging = STAGING[(table.system, table.name)]
            raw_key = ", ".join(f'"{c}"' for c in table.primary_key)
            stg_key = ", ".join(staging.key)
            rows, distinct = con.execute(
                f"select count(*), count(distinct ({stg_key})) from staging.{staging.name}"
            ).fetchone()
            missing = con.execute(
                f"select count(*) from (select {raw_key} from {table.qualified_name} except select {stg_key} from staging.{staging.name})"
            ).fetchone()[0]
            assert (rows, distinct, missing) == (3, 3, 0), (
                f"{staging.name}: {rows} rows, {distinct} keys, {missing} raw keys missing"
            )


def test_staging_values_over_the_fixtures(staged_db: Path) -> None:
    with duckdb.connect(str(staged_db), read_only=True) as con:

        def rows(sql: str) -> list[tuple]:
            return con.execute(sql).fetchall()

        # the later sync wins; e-mail trimmed and lower-cased; blank lead ids are null
        assert rows(
            "select contact_id, email, lifecycle_stage, salesforce_lead_id, is_deleted "
            "from staging.stg_hubspot__contacts order by 1"
        ) == [
            (101, "ada.lovelace@example.com", "salesqualifiedlead", "00Q000000000001", False),
            (102, "grace@hopper.io", "lead", None, False),
            (103, "alan@turing.dev", "subscriber", None, True),
        ]
        assert rows(
            "select opportunity_id, amount from staging.stg_salesforce__opportunities order by 1"
        ) == [
            ("00601", 15000),
            ("00602", 8000),
            ("00603", 5000),
        ]
        assert rows("select account_id, website_domain from staging.stg_salesforce__accounts order by 1") == [
            ("00101", "example.com"),
            ("00102", "hopper.io"),
            ("00103", "turing.dev"),
        ]
        # Stripe minor units: 6250 cents = 62.50; a 3-month plan is 3 months, a yearly one 12
        assert rows(
            "select invoice_line_item_id, amount, discount_amount "
            "from staging.stg_stripe__invoice_line_items order by 1"
        ) == [("il_1", 62.5, 6.25), ("il_2", 120.0, 24.0), ("il_3", 60.0, 30.0)]
        assert rows(
            "select plan_id, unit_amount, interval_months from staging.stg_stripe__plans order by 1"
        ) == [
            ("plan_m", 12.5, 1),
            ("plan_q", 30.0, 3),
            ("plan_y", 120.0, 12),
        ]
        assert rows("select subscription_id, status from staging.stg_stripe__subscriptions order by 1") == [
            ("sub_1", "canceled"),
            ("sub_2", "canceled"),
            ("sub_3", "past_due"),
        ]
