"""HubSpot and Salesforce staging build over Fivetran's real fixture tables (../shared/fixtures),
which carry hundreds of columns we do not declare and lack some we do. Their values are junk, so
the test asserts the views build and keep one row per distinct primary key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from revenue_warehouse.contract import tables_for
from revenue_warehouse.dbt import run_dbt
from revenue_warehouse.loader.api import connect, load_file
from revenue_warehouse.loader.models import LoadError
from revenue_warehouse.loader.schema import ensure_raw_table

# staging model -> raw table it stages
MODELS = {
    "stg_hubspot__contacts": ("hubspot", "contact"),
    "stg_hubspot__companies": ("hubspot", "company"),
    "stg_hubspot__forms": ("hubspot", "form"),
    "stg_hubspot__form_submissions": ("hubspot", "contact_form_submission"),
    "stg_hubspot__email_campaigns": ("hubspot", "email_campaign"),
    "stg_hubspot__email_events": ("hubspot", "email_event"),
    "stg_hubspot__email_event_clicks": ("hubspot", "email_event_click"),
    "stg_hubspot__owners": ("hubspot", "owner"),
    "stg_salesforce__user_roles": ("salesforce", "user_role"),
    "stg_salesforce__users": ("salesforce", "user"),
    "stg_salesforce__accounts": ("salesforce", "account"),
    "stg_salesforce__leads": ("salesforce", "lead"),
    "stg_salesforce__contacts": ("salesforce", "contact"),
    "stg_salesforce__opportunities": ("salesforce", "opportunity"),
    "stg_salesforce__opportunity_stage_changes": ("salesforce", "opportunity_history"),
    "stg_salesforce__products": ("salesforce", "product_2"),
    "stg_salesforce__opportunity_line_items": ("salesforce", "opportunity_line_item"),
    "stg_salesforce__tasks": ("salesforce", "task"),
    "stg_salesforce__events": ("salesforce", "event"),
}


def _load_fixtures(db: Path, shared_dir: Path) -> dict[str, str]:
    """Load every fixture file the contract names; tables without a usable fixture exist empty."""
    outcome: dict[str, str] = {}
    con = connect(db)
    try:
        for system in ("hubspot", "salesforce"):
            for table in tables_for(system):
                ensure_raw_table(con, table)
                if not table.fixture_stem:
                    outcome[table.name] = "no fixture"
                    continue
                path = shared_dir / "fixtures" / "fivetran" / system / "seeds" / f"{table.fixture_stem}.csv"
                try:
                    load_file(con, table, path, extract_date=date(2024, 1, 1), run_id="fixtures")
                    outcome[table.name] = "loaded"
                except LoadError as exc:
                    outcome[table.name] = f"rejected: {exc}"
    finally:
        con.close()
    return outcome


def test_staging_builds_over_fivetran_fixtures(shared_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "fixtures.duckdb"
    outcome = _load_fixtures(db, shared_dir)
    loaded = {name for name, status in outcome.items() if status == "loaded"}
    assert {raw for _, raw in MODELS.values()} <= loaded, outcome
    run_dbt(["run", "--select", "staging.hubspot", "staging.salesforce"], db, target_path=tmp_path / "target")
    with duckdb.connect(str(db), read_only=True) as con:
        undeclared = 0
        for system in ("hubspot", "salesforce"):
            for table in tables_for(system):
                columns = {
                    c for (c,) in con.execute(
                        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                        [f"raw_{system}", table.name],
                    ).fetchall()
                }  # fmt: skip
                undeclared += len({c for c in columns if not c.startswith("_")} - set(table.column_names))
        assert undeclared > 50, "the fixtures should bring many columns the contract does not declare"
        for model, (system, raw) in MODELS.items():
            table = next(t for t in tables_for(system) if t.name == raw)
            key = ", ".join(f'"{c}"' for c in table.primary_key)
            expected = con.execute(f'select count(distinct ({key})) from raw_{system}."{raw}"').fetchone()[0]
            rows = con.execute(f"select count(*) from staging.{model}").fetchone()[0]
            assert rows == expected, f"{model}: {rows} rows, {expected} distinct {raw} keys"
            assert raw not in loaded or rows > 0, f"{model} is empty over a loaded fixture"
