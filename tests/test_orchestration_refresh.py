"""The jobs end to end, in process, on simulated extracts (dirt on): ``load_raw`` as a single-run
backfill over every extract date, then ``refresh`` (loads + dbt build + checks) as ``warehouse run``
runs it. Row counts are checked against the files, read independently with Python's csv module."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.contract import TABLES
from revenue_warehouse.settings import reset_settings

pytestmark = pytest.mark.slow  # whole Dagster refresh runs (load, dbt build, checks)

SIM = {"scale": 0.05, "seed": 3, "start": date(2023, 1, 1), "end": date(2023, 2, 28)}


@pytest.fixture(scope="module")
def sim_extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from revenue_warehouse.simulator import generate

    out = tmp_path_factory.mktemp("sim")
    generate(out, **SIM)
    return out


def file_rows(extracts: Path) -> dict[str, int]:
    counts = {}
    for t in TABLES:
        n = 0
        for path in (extracts / t.system / t.name).glob("*.csv"):
            with path.open(encoding="utf-8-sig", newline="") as fh:
                n += max(sum(1 for _ in csv.reader(fh)) - 1, 0)
        counts[t.qualified_name] = n
    return counts


def table_state(db: Path) -> dict[str, tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            t.qualified_name: con.execute(
                f"SELECT count(*), sum(hash(COLUMNS(* EXCLUDE (_loaded_at, _run_id)))) FROM {t.qualified_name}"
            ).fetchone()
            for t in TABLES
        }


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> None:
    from revenue_warehouse.dbt import prepare_manifest

    prepare_manifest()  # the settings' build file, as the code location prepares it


def test_load_raw_backfill_counts_and_rerun(sim_extracts: Path, tmp_path: Path, prepared: None) -> None:
    from orchestration.refresh import run_refresh

    db = tmp_path / "build.duckdb"
    first = run_refresh(sim_extracts, db, job_name="load_raw", one_partition=False)
    assert first.success, first.errors
    assert (first.first_date, first.last_date) == ("2023-01-01", "2023-02-28")
    expected = file_rows(sim_extracts)
    state = table_state(db)
    assert {name: s[0] for name, s in state.items()} == expected
    assert first.checks_failed == [] and first.checks_passed == 2 * len(
        TABLES
    )  # accounting_identity, files_loaded
    second = run_refresh(sim_extracts, db, job_name="load_raw", one_partition=False)
    assert second.success
    assert table_state(db) == state
    with duckdb.connect(str(db), read_only=True) as con:
        statuses = con.execute(
            "SELECT status, count(*) FROM audit.load_manifest WHERE run_id = ? GROUP BY 1", [second.run_id]
        ).fetchall()
        files = con.execute(
            "SELECT count(*) FROM audit.load_manifest WHERE run_id = ?", [first.run_id]
        ).fetchone()[0]
        unchanged = con.execute(
            "SELECT sum(files_unchanged) FROM audit.load_runs WHERE run_id = ?", [second.run_id]
        ).fetchone()[0]
    # every file skipped unchanged: counted per table in audit.load_runs, no manifest row each
    assert (statuses, unchanged) == ([], files)


def test_refresh_job_loads_and_builds_dbt(
    sim_extracts: Path, tmp_path: Path, prepared: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration import dbt_assets
    from orchestration.refresh import run_refresh

    monkeypatch.setenv("WAREHOUSE_SERVING_DB", str(tmp_path / "serving.duckdb"))
    reset_settings()  # settings are read once per process: take the changed environment
    db = tmp_path / "build.duckdb"
    preloads: list[bool] = []  # the dbt step starts the GX import once dbt is running (not the loads)
    preload = dbt_assets.preload_gx
    monkeypatch.setattr(dbt_assets, "preload_gx", lambda: preloads.append(True) or preload())
    summary = run_refresh(sim_extracts, db)
    assert preloads == [True]
    load_and_dbt_errors = [e for e in summary.errors if e.startswith(("load_", "warehouse_dbt_models"))]
    assert load_and_dbt_errors == []
    assert summary.raw_rows == file_rows(sim_extracts)
    with duckdb.connect(str(db), read_only=True) as con:
        staging = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'staging'"
        ).fetchone()[0]
        assert staging > 0
        # the as-of date the dbt build received: the last extract date loaded
        assert con.execute("SELECT max(extract_date) FROM audit.load_manifest").fetchone()[0] == SIM["end"]
    # dbt's data tests come back as one check per tested model, carrying every test it ran
    assert summary.dbt_tests == data_tests_per_model()


def data_tests_per_model() -> dict[str, int]:
    """Data tests (not unit tests) a production build runs per model or seed in the manifest, attached as dbt
    attaches them: a generic test to its ``attached_node``, a singular test to its only dependency. The
    column tests run inside their model's ``column_tests`` test (macros/column_tests.sql), counted once."""
    import json

    from orchestration.dbt_assets import manifest_path
    from revenue_warehouse.dbt import COLUMN_TEST_KINDS

    manifest = json.loads(manifest_path().read_text())
    counts: dict[str, int] = {}
    for node in manifest["nodes"].values():
        if (
            node["resource_type"] != "test"
            or (node.get("test_metadata") or {}).get("name") in COLUMN_TEST_KINDS
        ):
            continue
        deps = node["depends_on"]["nodes"]
        attached = node.get("attached_node") or (deps[0] if len(deps) == 1 else None)
        if attached and attached.startswith(("model.", "seed.")):
            model = manifest["nodes"][attached]
            key = "/".join(p for p in (model["config"].get("schema"), model["name"]) if p)
            counts[key] = counts.get(key, 0) + 1
    return counts


def test_a_failed_load_leaves_unrelated_marts_built_and_checked(
    sim_extracts: Path, tmp_path: Path, prepared: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CRM file missing a required column: the table's files_loaded check fails and no step fails; the
    dbt models downstream of that table (read from the dbt manifest) are not built and their checks not
    executed, every other model is built with its dbt tests executed; nothing is published."""
    import json
    import shutil

    import dagster as dg

    from orchestration.dbt_assets import manifest_path
    from orchestration.refresh import run_refresh

    serving = tmp_path / "serving.duckdb"
    monkeypatch.setenv("WAREHOUSE_SERVING_DB", str(serving))
    reset_settings()
    extracts = tmp_path / "extracts"
    shutil.copytree(sim_extracts, extracts)
    broken = sorted((extracts / "salesforce" / "opportunity").glob("*.csv"))[0]
    with broken.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    columns = [c for c in rows[0] if c != "created_date"]
    with broken.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    instance = dg.DagsterInstance.ephemeral()
    summary = run_refresh(extracts, tmp_path / "build.duckdb", instance=instance)
    assert not summary.success
    assert [f for f, _ in summary.failed_files] == [f"salesforce/opportunity/{broken.name}"]
    assert "missing required column 'created_date'" in summary.failed_files[0][1]
    # the failed file's date is not recorded as materialized for its table; it is for the others
    broken_key = dg.AssetKey(["raw_salesforce", "opportunity"])
    days = {p.stem for p in extracts.glob("*/*/*.csv")}  # every day of SIM has a file of some table
    assert len(days) == (SIM["end"] - SIM["start"]).days + 1
    assert instance.get_materialized_partitions(broken_key) == days - {broken.stem}
    assert instance.get_materialized_partitions(dg.AssetKey(["raw_salesforce", "account"])) == days
    steps_failed = [e.split(":")[0] for e in summary.errors]
    assert not [s for s in steps_failed if s.startswith(("load_", "warehouse_dbt_models"))], summary.errors

    # the models downstream of the broken table, from the dbt manifest's graph (not from the run)
    manifest = json.loads(manifest_path().read_text())
    downstream, todo = set(), ["source.revenue_warehouse.salesforce.opportunity"]
    while todo:
        for child in manifest["child_map"][todo.pop()]:
            if child not in downstream:
                downstream.add(child)
                todo.append(child)

    def key(node: dict) -> str:
        return "/".join(p for p in (node["config"].get("schema"), node["name"]) if p)

    models = {key(n): uid for uid, n in manifest["nodes"].items() if n["resource_type"] in ("model", "seed")}
    affected = {k for k, uid in models.items() if uid in downstream}
    unaffected = set(models) - affected
    assert affected and unaffected

    events = [e.dagster_event for e in instance.all_logs(summary.run_id) if e.dagster_event]
    materialized = {
        e.event_specific_data.materialization.asset_key.to_user_string()
        for e in events
        if e.event_type_value == "ASSET_MATERIALIZATION"
    }
    evaluated = {
        (
            e.event_specific_data.asset_key.to_user_string(),
            e.event_specific_data.check_name,
        ): e.event_specific_data
        for e in events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert materialized & affected == set()
    assert unaffected <= materialized, sorted(unaffected - materialized)
    assert "serving/warehouse" not in materialized and not serving.exists()
    tested = set(data_tests_per_model())
    assert {(k, "dbt_tests") for k in tested & unaffected} <= set(evaluated)
    assert not {(k, "dbt_tests") for k in affected} & set(evaluated)
    failed_raw = [k for k, e in evaluated.items() if k[0].startswith("raw_") and not e.passed]
    assert failed_raw == [("raw_salesforce/opportunity", "files_loaded")]
    # no step failed, so the Dagster run succeeded: the UI shows the checks that did not execute as skipped,
    # not "execution failed"
    assert instance.get_run_by_id(summary.run_id).status == dg.DagsterRunStatus.SUCCESS


def test_a_full_run_records_every_extract_date_it_loaded_and_a_daily_run_its_day(
    tmp_path: Path, prepared: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``warehouse run``'s way of running (one run, the last date's partition, the loads told to take
    every date present), after which a persistent (SQLite) Dagster instance shows every raw table
    materialized for every day from the first to the last extract file (read from the file names), none
    of the code location's partitions missing, and the run's own partition (the last date) as the latest
    materialization, with the load's metadata. A daily run of a later day, after the code location
    reloads with it, records that day too. The loads record the dates, so the ``load_raw`` job shows it
    without a dbt build on the persistent instance; the failed-load test covers the ``refresh`` job."""
    import shutil
    from datetime import timedelta

    import dagster as dg

    from orchestration.location import build_definitions
    from orchestration.refresh import run_refresh
    from revenue_warehouse.settings import get_settings
    from revenue_warehouse.simulator import generate

    sim_extracts = tmp_path / "sim"
    generate(sim_extracts, **{**SIM, "end": date(2023, 1, 11)})
    held = tmp_path / "held"  # the 11th day arrives after the full run
    for path in sorted(sim_extracts.glob("*/*/2023-01-11.csv")):
        (held / path.parent.relative_to(sim_extracts)).mkdir(parents=True)
        shutil.move(path, held / path.relative_to(sim_extracts))

    monkeypatch.setenv("WAREHOUSE_SERVING_DB", str(tmp_path / "serving.duckdb"))
    reset_settings()
    days = sorted({p.stem for p in sim_extracts.glob("*/*/*.csv")})
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    expected = {(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)}
    assert len(expected) == 10 and last == date(2023, 1, 10)
    (tmp_path / "dagster_home").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster_home"))
    db = tmp_path / "build.duckdb"
    summary = run_refresh(sim_extracts, db, instance=instance, job_name="load_raw")
    assert summary.success, summary.errors
    assert len(instance.get_runs()) == 1
    keys = [dg.AssetKey([f"raw_{t.system}", t.name]) for t in TABLES]
    partitions = build_definitions(get_settings().replace(extracts_dir=sim_extracts, build_db=db))
    all_keys = set(partitions.resolve_job_def("refresh").partitions_def.get_partition_keys())
    assert all_keys == expected
    for key in keys:
        assert instance.get_materialized_partitions(key) == expected, key
        latest = instance.get_latest_materialization_event(key)
        assert latest.run_id == summary.run_id and latest.dagster_event.partition == last.isoformat(), key
        assert "rows_loaded" in latest.asset_materialization.metadata, key

    def recorded_by(run_id: str) -> dict[str, set[str]]:
        """The partitions each raw asset was recorded materialized for by run ``run_id``."""
        events = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        out: dict[str, set[str]] = {}
        for e in events:
            out.setdefault(e.dagster_event.asset_key.to_user_string(), set()).add(e.dagster_event.partition)
        return out

    # the same full run again on the same instance: nothing new, so only its own partition is recorded
    # (the other dates are on the instance already); a re-delivered file's date is recorded again
    redelivered = next(
        p for p in sorted(sim_extracts.glob("*/*/2023-01-05.csv")) if len(p.read_text().splitlines()) > 2
    )
    lines = redelivered.read_text().splitlines(keepends=True)
    redelivered.write_text("".join(lines[:-1]))  # one row fewer: re-delivered
    redelivered_key = f"raw_{redelivered.parent.parent.name}/{redelivered.parent.name}"
    again = run_refresh(sim_extracts, db, instance=instance, job_name="load_raw")
    assert again.success, again.errors
    own = {key.to_user_string(): {last.isoformat()} for key in keys}
    assert recorded_by(again.run_id) == {
        **own,
        redelivered_key: {last.isoformat(), redelivered.stem},
    }
    for key in keys:
        assert instance.get_materialized_partitions(key) == expected, key
    # a fresh instance (a new DAGSTER_HOME) over the loaded warehouse: every date is recorded
    (tmp_path / "fresh_home").mkdir()
    fresh = dg.DagsterInstance.local_temp(str(tmp_path / "fresh_home"))
    assert run_refresh(sim_extracts, db, instance=fresh, job_name="load_raw").success
    for key in keys:
        assert fresh.get_materialized_partitions(key) == expected, key

    for path in sorted(held.glob("*/*/*.csv")):  # the new day arrives; the code location reloads
        shutil.move(path, sim_extracts / path.relative_to(held))
    defs = build_definitions(get_settings().replace(extracts_dir=sim_extracts, build_db=db))
    daily = defs.resolve_job_def("load_raw").execute_in_process(partition_key="2023-01-11", instance=instance)
    assert daily.success
    for key in keys:
        assert instance.get_materialized_partitions(key) == expected | {"2023-01-11"}, key
        assert instance.get_latest_materialization_event(key).run_id == daily.run_id, key
    # a full run after the daily one: the new day is recorded already, nothing else is new
    after = run_refresh(sim_extracts, db, instance=instance, job_name="load_raw")
    assert after.success, after.errors
    assert recorded_by(after.run_id) == {key.to_user_string(): {"2023-01-11"} for key in keys}
    for key in keys:
        assert instance.get_materialized_partitions(key) == expected | {"2023-01-11"}, key
