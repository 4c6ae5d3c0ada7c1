"""Fivetran's real fixture files (../shared/fixtures/fivetran) through the same loader: CRLF endings,
hundreds of extra columns, TRUE/FALSE booleans, JSON in fields, a header-only file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
from test_loader_support import rows_in_csv

from revenue_warehouse.contract import TABLES
from revenue_warehouse.loader import load_file

FIXTURE_TABLES = [t for t in TABLES if t.fixture_stem]


def test_every_system_has_fixture_tables() -> None:
    assert {t.system for t in FIXTURE_TABLES} == {"hubspot", "salesforce", "stripe"}


def test_all_fixture_files_load_through_the_loader(shared_dir: Path, tmp_path: Path) -> None:
    seeds = shared_dir / "fixtures" / "fivetran"
    loaded: dict[str, int] = {}
    with duckdb.connect(str(tmp_path / "fixtures.duckdb")) as con:
        for table in FIXTURE_TABLES:
            path = seeds / table.system / "seeds" / f"{table.fixture_stem}.csv"
            assert path.is_file(), f"fixture file missing: {path}"
            result = load_file(con, table, path, extract_date=date(2024, 1, 1), run_id="fixtures")
            expected = rows_in_csv(path)
            assert (result.rows_in_file, result.rows_loaded, result.rows_quarantined) == (
                expected,
                expected,
                0,
            ), path
            count = con.execute(f"SELECT count(*) FROM {table.qualified_name}").fetchone()[0]
            assert count == expected
            loaded[table.qualified_name] = count
        # typed per the contract: Fivetran's TRUE/FALSE booleans and ISO timestamps
        assert con.execute(
            "SELECT typeof(is_deleted), count(*) FROM raw_salesforce.opportunity GROUP BY 1"
        ).fetchall() == [("BOOLEAN", 10)]
        # hundreds of undeclared Salesforce columns kept as VARCHAR
        extra = con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'raw_salesforce' AND table_name = 'lead'"
        ).fetchone()[0]
        assert extra > 300
        # JSON in a field survives as text
        metadata = con.execute("SELECT metadata FROM raw_stripe.subscription LIMIT 1").fetchone()[0]
        assert metadata.startswith("{") and "external_id" in metadata
        bad = con.execute(
            "SELECT count(*) FROM audit.load_manifest WHERE rows_in_file <> rows_loaded + rows_quarantined"
        )
        assert bad.fetchone()[0] == 0
    assert len(loaded) == len(FIXTURE_TABLES)
    assert {name.split(".")[0] for name in loaded} == {"raw_hubspot", "raw_salesforce", "raw_stripe"}
