"""The raw load assets materialised with Dagster's own utilities on hand-written extracts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from test_loader_support import csv_text, rows_in_csv, sample_rows, write_extract

from orchestration.partitions import extract_partitions, range_tags
from orchestration.raw_assets import IDENTITY_CHECK, LOADED_CHECK, build_raw_assets
from orchestration.resources import WarehouseResource
from revenue_warehouse.company import Company
from revenue_warehouse.contract import TABLES
from revenue_warehouse.quality.runner import run_checks

DATES = [date(2023, 1, 1), date(2023, 1, 2), date(2023, 1, 3)]
RAW_ASSETS = build_raw_assets(extract_partitions(DATES[0]))
MARKETING_ONLY = Company(frozenset({"marketing"}), frozenset({"marketing", "sales"}), "test")


@pytest.fixture
def extracts(tmp_path: Path) -> Path:
    root = tmp_path / "extracts"
    for k, day in enumerate(DATES):
        for i, t in enumerate(TABLES):
            write_extract(
                root, t.system, t.name, day, sample_rows(t.system, t.name, 1 + (i + k) % 4, start=10 * k)
            )
    return root


def run(extracts: Path, db: Path, first: date, last: date) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        RAW_ASSETS,
        resources={"warehouse": WarehouseResource(database=str(db), extracts_dir=str(extracts))},
        tags=range_tags(first.isoformat(), last.isoformat()),
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def counts(db: Path) -> dict[str, tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            t.qualified_name: con.execute(
                f"SELECT count(*), sum(hash(COLUMNS(* EXCLUDE (_loaded_at, _run_id)))) FROM {t.qualified_name}"
            ).fetchone()
            for t in TABLES
        }


def file_rows(extracts: Path) -> dict[str, int]:
    return {
        t.qualified_name: sum(rows_in_csv(p) for p in (extracts / t.system / t.name).glob("*.csv"))
        for t in TABLES
    }


def materializations(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    return {
        "/".join(m.asset_key.path): {k: v.value for k, v in m.metadata.items()}
        for m in result.asset_materializations_for_node("load_hubspot")
        + result.asset_materializations_for_node("load_salesforce")
        + result.asset_materializations_for_node("load_stripe")
    }


def test_backfill_loads_every_table_in_one_run_and_is_idempotent(extracts: Path, tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    first = run(extracts, db, DATES[0], DATES[-1])
    assert first.success
    expected = file_rows(extracts)
    got = counts(db)
    assert {name: c[0] for name, c in got.items()} == expected
    meta = materializations(first)
    assert len(meta) == len(TABLES)
    assert meta["raw_stripe/invoice"]["rows_loaded"] == expected["raw_stripe.invoice"]
    assert meta["raw_stripe/invoice"]["files"] == 3
    checks = first.get_asset_check_evaluations()
    assert sorted((c.asset_key.to_user_string(), c.check_name) for c in checks) == sorted(
        (f"raw_{t.system}/{t.name}", name) for t in TABLES for name in (IDENTITY_CHECK, LOADED_CHECK)
    )
    assert all(c.passed for c in checks)
    # one run for the whole range (single-run backfill): every file carries this run's id
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT DISTINCT run_id FROM audit.load_manifest").fetchall() == [(first.run_id,)]

    second = run(extracts, db, DATES[0], DATES[-1])
    assert second.success
    assert counts(db) == got
    assert {m["files_skipped_duplicate"] for m in materializations(second).values()} == {3}


def test_single_partition_loads_only_its_date(extracts: Path, tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    result = dg.materialize(
        RAW_ASSETS,
        resources={"warehouse": WarehouseResource(database=str(db), extracts_dir=str(extracts))},
        partition_key="2023-01-02",
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT DISTINCT _extract_date FROM raw_stripe.invoice").fetchall() == [
            (DATES[1],)
        ]


def test_bad_files_fail_their_partition_named_while_everything_else_loads(
    extracts: Path, tmp_path: Path
) -> None:
    rows = sample_rows("salesforce", "lead", 3, start=50)
    write_extract(
        extracts, "salesforce", "lead", DATES[1], csv_text(rows, [c for c in rows[0] if c != "created_date"])
    )
    opp = sample_rows("stripe", "invoice", 3, start=60)
    opp[1]["created"] = "yesterday"
    write_extract(extracts, "stripe", "invoice", DATES[2], opp, bom=True)
    write_extract(extracts, "hubspot", "web_session", DATES[0], "")
    db = tmp_path / "build.duckdb"
    result = run(extracts, db, DATES[0], DATES[-1])
    # the failed file is its table's files_loaded check failing (severity ERROR), not a failed step: the
    # step materializes what loaded, so downstream steps still run for everything else
    assert result.success
    assert [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"] == []
    evaluations = result.get_asset_check_evaluations()
    failed = [e for e in evaluations if not e.passed]
    assert [(e.asset_key.to_user_string(), e.check_name) for e in failed] == [
        ("raw_salesforce/lead", LOADED_CHECK)
    ]
    assert failed[0].severity == dg.AssetCheckSeverity.ERROR
    message = failed[0].description
    assert "salesforce/lead/2023-01-03.csv" not in message and "salesforce/lead/2023-01-02.csv" in message
    assert "missing required column 'created_date'" in message
    assert failed[0].metadata["failed_files"].value == ["salesforce/lead/2023-01-02.csv"]
    assert len(evaluations) == 2 * len(TABLES)  # files_loaded and accounting_identity on every table
    meta = materializations(result)
    assert len(meta) == len(TABLES)
    assert (meta["raw_salesforce/lead"]["files"], meta["raw_salesforce/lead"]["files_failed"]) == (3, 1)
    assert "salesforce/lead/2023-01-02.csv" in meta["raw_salesforce/lead"]["failures"]
    assert meta["raw_stripe/invoice"]["rows_quarantined"] == 1
    expected = file_rows(extracts)
    got = {name: c[0] for name, c in counts(db).items()}
    lead_rows = sum(rows_in_csv(extracts / "salesforce" / "lead" / f"{d}.csv") for d in (DATES[0], DATES[2]))
    assert got.pop("raw_salesforce.lead") == lead_rows
    expected.pop("raw_salesforce.lead")
    expected["raw_stripe.invoice"] -= 1
    assert got == expected
    with duckdb.connect(str(db), read_only=True) as con:
        quarantined = con.execute("SELECT file, row_number, column_name FROM audit.quarantine").fetchall()
        assert quarantined == [("stripe/invoice/2023-01-03.csv", 2, "created")]
    assert all(c.passed for c in evaluations if c.check_name == IDENTITY_CHECK)


def test_raw_asset_check_and_gx_suite_report_the_same_lost_row(extracts: Path, tmp_path: Path) -> None:
    """File accounting is defined once (loader.audit.file_accounting_sql): after a row of one file
    disappears from raw, the Dagster accounting check and the GX load-completeness suite name the same
    file with the same count, and a record quarantined for two reasons counts once for both."""
    db = tmp_path / "build.duckdb"
    assert run(extracts, db, DATES[0], DATES[-1]).success
    lost = "hubspot/contact/2023-01-02.csv"
    with duckdb.connect(str(db)) as con:
        con.execute(
            "DELETE FROM raw_hubspot.contact WHERE _source_file = ? AND _source_row_number = "
            "(SELECT min(_source_row_number) FROM raw_hubspot.contact WHERE _source_file = ?)",
            [lost, lost],
        )
        # a record of another file moved to quarantine with two reasons: accounted, as one record
        con.execute(
            """CREATE TEMP TABLE moved AS SELECT _source_file AS file, _source_row_number AS n, _extract_date AS d
            FROM raw_stripe.invoice WHERE _extract_date = '2023-01-03' LIMIT 1"""
        )
        con.execute(
            """INSERT INTO audit.quarantine (run_id, system, table_name, extract_date, file, row_number,
                   column_name, error_type, reason, quarantined_at)
            SELECT 'hand', 'stripe', 'invoice', d, file, n, c, 'cast', 'hand-made', now()
            FROM moved, (VALUES ('created'), ('amount_due')) AS reasons(c)"""
        )
        con.execute(
            "DELETE FROM raw_stripe.invoice WHERE (_source_file, _source_row_number) IN (SELECT (file, n) FROM moved)"
        )
        # the raw_to_staging frame reads this dbt model; no dbt build here
        con.execute(
            "CREATE SCHEMA quality; CREATE TABLE quality.qc_staging_ids (staging_model VARCHAR, "
            "source_schema VARCHAR, source_table VARCHAR, key_column VARCHAR, staging_ids BIGINT)"
        )

    rerun = run(extracts, db, DATES[0], DATES[-1])  # every file unchanged: skipped, then checked
    checks = {
        "/".join(c.asset_key.path): c
        for c in rerun.get_asset_check_evaluations()
        if c.check_name == IDENTITY_CHECK
    }
    failed = {key: c for key, c in checks.items() if not c.passed}
    assert list(failed) == ["raw_hubspot/contact"]
    violations = failed["raw_hubspot/contact"].metadata["violations"].value
    assert [(v["file"], v["unaccounted_rows"]) for v in violations] == [(lost, 1)]

    results = {
        r.expectation: r
        for r in run_checks(db, "run-1", ["load_completeness"], docs_dir=None, company=MARKETING_ONLY)
    }
    accounted = results["file_rows_accounted"]
    assert not accounted.success
    assert (accounted.failing_record_count, accounted.sample_failing_keys) == (1, [lost])
    assert results["file_loaded"].success


def test_a_run_given_a_listing_loads_what_it_lists_without_listing_again(
    extracts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``warehouse run`` lists the extracts folder once and passes the listing to the loads
    (``build_raw_assets(partitions, listing)``): the loads do not list the folder again, and a file
    that appears after the listing is loaded by the next run, not this one."""
    from revenue_warehouse.contract import SYSTEMS
    from revenue_warehouse.loader import discovery, list_extracts

    listing = list_extracts(extracts)
    late_day = write_extract(  # a new day's file, after the listing
        extracts, "stripe", "invoice", date(2023, 1, 4), sample_rows("stripe", "invoice", 4, start=40)
    )
    listed: list[Path] = []
    candidates = discovery._candidates
    monkeypatch.setattr(discovery, "_candidates", lambda d: listed.append(d) or candidates(d))
    config = {"ops": {f"load_{s}": {"config": {"all_extract_dates": True}} for s in SYSTEMS}}
    db = tmp_path / "build.duckdb"
    resources = {"warehouse": WarehouseResource(database=str(db), extracts_dir=str(extracts))}
    result = dg.materialize(
        build_raw_assets(extract_partitions(DATES[0], DATES[-1]), listing),
        resources=resources,
        partition_key=DATES[-1].isoformat(),
        run_config=config,
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success and listed == []
    loaded = materializations(result)
    assert loaded["raw_stripe/invoice"]["files"] == 3  # not the 4th day's file
    assert {m["files"] for m in loaded.values()} == {3}
    # the next run without a listing (a long-lived code location) lists each folder itself: the new file
    again = dg.materialize(
        build_raw_assets(extract_partitions(DATES[0], DATES[-1])),
        resources=resources,
        partition_key=DATES[-1].isoformat(),
        run_config=config,
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert again.success and len(listed) == 3 * len(SYSTEMS)
    assert materializations(again)["raw_stripe/invoice"]["files"] == 4
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM raw_stripe.invoice WHERE _extract_date = '2023-01-04'"
        ).fetchone()[0] == rows_in_csv(late_day)


def test_the_load_steps_leave_the_gx_import_to_the_dbt_step(
    extracts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loads of a job that has GX checks do not import GX: that import (about 3 s of Python holding
    the GIL) slowed the loader's threads by about 2.5 s at scale 10. The dbt step starts it instead
    (tests/test_orchestration_refresh.py), while dbt runs in its own process."""
    from orchestration import quality

    monkeypatch.setattr(quality, "_PRELOAD", [])  # the process's preload, whoever starts it
    first = TABLES[0]

    @dg.asset_check(asset=dg.AssetKey([f"raw_{first.system}", first.name]), name="gx_probe")
    def gx_probe() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=True)

    resources = {
        "warehouse": WarehouseResource(database=str(tmp_path / "a.duckdb"), extracts_dir=str(extracts))
    }
    tags = range_tags(DATES[0].isoformat(), DATES[-1].isoformat())
    checked = dg.materialize(
        [*RAW_ASSETS, gx_probe], resources=resources, tags=tags, instance=dg.DagsterInstance.ephemeral()
    )
    assert checked.success and quality._PRELOAD == []
