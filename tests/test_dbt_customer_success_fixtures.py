"""Stripe staging builds over Fivetran's real Stripe fixture tables (../shared/fixtures), loaded by
the real loader: hundreds of undeclared columns, some declared ones missing, metadata that is not
always JSON. Their values are junk, so the test asserts one row per distinct id and parsed metadata."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from revenue_warehouse.contract import tables_for
from revenue_warehouse.dbt import run_dbt
from revenue_warehouse.loader.api import connect, load_file
from revenue_warehouse.loader.models import LoadError
from revenue_warehouse.loader.schema import ensure_raw_table

STAGING = {
    "customer": "stg_stripe__customers",
    "product": "stg_stripe__products",
    "plan": "stg_stripe__plans",
    "coupon": "stg_stripe__coupons",
    "subscription": "stg_stripe__subscriptions",
    "subscription_item": "stg_stripe__subscription_items",
    "discount": "stg_stripe__discounts",
    "invoice": "stg_stripe__invoices",
    "invoice_line_item": "stg_stripe__invoice_line_items",
    "usage_record": "stg_stripe__usage_records",
}


def test_stripe_staging_builds_over_fivetran_fixtures(shared_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "stripe_fixtures.duckdb"
    fixtures = shared_dir / "fixtures" / "fivetran" / "stripe" / "seeds"
    con = connect(db)
    try:
        loaded, rejected = [], {}
        for table in tables_for("stripe"):
            ensure_raw_table(con, table)
            path = fixtures / f"{table.fixture_stem}.csv" if table.fixture_stem else None
            if path is None or not path.exists():
                continue
            try:
                load_file(con, table, path, extract_date=date(2024, 1, 1), run_id="fixtures")
                loaded.append(table.name)
            except LoadError as exc:
                rejected[table.name] = str(exc)
    finally:
        con.close()
    # Every fixture file loads as it is (Fivetran's invoice fixture even lacks `created`).
    assert rejected == {}, rejected
    assert set(STAGING) - set(loaded) == {"usage_record"}
    run_dbt(["run", "--select", "staging.stripe"], db, target_path=tmp_path / "target")
    with duckdb.connect(str(db), read_only=True) as con:
        for raw, model in STAGING.items():
            expected = con.execute(f'select count(distinct id) from raw_stripe."{raw}"').fetchone()[0]
            rows = con.execute(f"select count(*) from staging.{model}").fetchone()[0]
            assert rows == expected, f"{model}: {rows} rows, {expected} distinct ids"
            assert raw not in loaded or rows > 0, f"{model} is empty over a loaded fixture"
        plans = con.execute(
            "select count(*) from staging.stg_stripe__plans where interval_months is null"
        ).fetchone()
        assert plans == (0,), "every fixture plan has a month or year interval"
        amounts = con.execute(
            """select count(*) from staging.stg_stripe__invoice_line_items line
               join raw_stripe.invoice_line_item raw on raw.id = line.invoice_line_item_id
               where line.amount * 100 <> raw.amount"""
        ).fetchone()
        assert amounts == (0,), "amounts are minor units / 100 for the fixtures' two-decimal currencies"
