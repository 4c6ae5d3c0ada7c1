"""The whole code location: one ``Definitions`` with the jobs, schedule, sensor, raw and dbt assets
(lineage from dbt sources to the raw load assets), and the sensor's behaviour on new extract files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import dagster as dg
import pytest
from test_loader_support import sample_rows, write_extract

from revenue_warehouse.contract import TABLES
from revenue_warehouse.loader import load_extracts


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    """The code location as ``dagster dev`` loads it, after preparing the dbt manifest (dbt parse)."""
    from orchestration.definitions import defs  # prepares the dbt manifest itself (dbt parse unless fresh)

    return defs


def test_definitions_hold_jobs_schedule_sensor_and_assets(defs: dg.Definitions) -> None:
    repo = defs.get_repository_def()
    assert {"load_raw", "refresh"} <= {j.name for j in repo.get_all_jobs()}
    assert defs.resolve_schedule_def("daily_refresh").job_name == "refresh"
    assert defs.resolve_sensor_def("new_extracts_sensor").job_name == "load_raw"
    keys = set(defs.resolve_all_asset_keys())
    raw_keys = {dg.AssetKey([f"raw_{t.system}", t.name]) for t in TABLES}
    assert raw_keys <= keys
    graph = defs.resolve_asset_graph()
    dbt_keys = {k for k in keys if k not in raw_keys and "dbt" in graph.get(k).kinds}
    assert dbt_keys, "no dbt models found in the code location"
    # lineage: every staging model reads a raw load asset (dbt source -> raw_<system>/<table>)
    staging = [k for k in dbt_keys if k.path[-1].startswith("stg_")]
    assert staging
    for key in staging:
        assert graph.get(key).parent_keys & raw_keys, f"{key} is not connected to a raw load asset"
    # groups by layer and folder: intermediate by concept, the shared dimensions in marts_core
    groups = {k.path[-1]: graph.get(k).group_name for k in dbt_keys}
    assert groups["stg_hubspot__contacts"] == "staging_hubspot"
    assert groups["int_persons_resolved"] == "intermediate_identity"
    assert groups["int_customer_months_classified"] == "intermediate_billing"
    assert groups["int_person_journeys_assembled"] == "intermediate_journeys"
    assert groups["dim_date"] == groups["dim_accounts"] == "marts_core"
    assert groups["fct_leads"] == "marts_marketing"
    assert "default" not in groups.values()
    checks = {c.name for c in graph.asset_check_keys}
    assert "accounting_identity" in checks
    # dbt data tests: one check per tested model, not one per test
    assert "dbt_tests" in checks, "dbt tests are not asset checks"
    assert not any(name.startswith(("unique_", "not_null_", "accepted_values_")) for name in checks)
    refresh = defs.resolve_job_def("refresh")
    assert raw_keys | dbt_keys <= set(refresh.asset_layer.executable_asset_keys)
    assert isinstance(refresh.partitions_def, dg.DailyPartitionsDefinition)


def test_schedule_requests_yesterdays_partition(defs: dg.Definitions) -> None:
    schedule = defs.resolve_schedule_def("daily_refresh")
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2024, 3, 5, 6, 0))
    [request] = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2024-03-04"


def test_sensor_requests_new_extract_dates_once(defs: dg.Definitions, tmp_path: Path) -> None:
    from orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG
    from orchestration.resources import WarehouseResource

    extracts, db = tmp_path / "extracts", tmp_path / "build.duckdb"
    for day in (date(2023, 2, 1), date(2023, 2, 3)):
        write_extract(extracts, "stripe", "invoice", day, sample_rows("stripe", "invoice", 2))
    resources = {"warehouse": WarehouseResource(database=str(db), extracts_dir=str(extracts))}
    new_extracts_sensor = defs.resolve_sensor_def("new_extracts_sensor")

    def tick() -> list[dg.RunRequest]:
        result = new_extracts_sensor(dg.build_sensor_context(resources=resources))
        return list(result.run_requests or [])

    [first] = tick()
    assert (first.tags[RANGE_START_TAG], first.tags[RANGE_END_TAG]) == ("2023-02-01", "2023-02-03")
    load_extracts(db, extracts, run_id="test")
    assert tick() == []
    write_extract(extracts, "hubspot", "contact", date(2023, 2, 4), sample_rows("hubspot", "contact", 1))
    [second] = tick()
    assert (second.tags[RANGE_START_TAG], second.tags[RANGE_END_TAG]) == ("2023-02-04", "2023-02-04")
    assert second.run_key != first.run_key


def test_partitions_end_at_the_last_extract_date(defs: dg.Definitions, tmp_path: Path) -> None:
    """Extracts ending on a past date D: every partitioned job's keys run from the first extract date to D
    (not to today), and a newer extract date is named by the sensor until the code location reloads."""
    from orchestration.location import build_definitions
    from orchestration.resources import WarehouseResource
    from revenue_warehouse.settings import get_settings

    extracts, db = tmp_path / "extracts", tmp_path / "build.duckdb"
    for day in (date(2023, 3, 9), date(2023, 3, 1)):
        write_extract(extracts, "stripe", "invoice", day, sample_rows("stripe", "invoice", 1))
    located = build_definitions(get_settings().replace(extracts_dir=extracts, build_db=db))
    for job in ("load_raw", "refresh"):
        keys = located.resolve_job_def(job).partitions_def.get_partition_keys()
        assert (keys[0], keys[-1], len(keys)) == ("2023-03-01", "2023-03-09", 9)
    write_extract(extracts, "stripe", "invoice", date(2023, 3, 12), sample_rows("stripe", "invoice", 1))
    load_extracts(db, extracts, dates=[date(2023, 3, 1), date(2023, 3, 9)], run_id="test")
    sensor = located.resolve_sensor_def("new_extracts_sensor")
    resources = {"warehouse": WarehouseResource(database=str(db), extracts_dir=str(extracts))}
    result = sensor(dg.build_sensor_context(resources=resources))
    assert not result.run_requests
    assert result.skip_reason.skip_message == (
        "new extract dates 2023-03-12..2023-03-12 after the last partition 2023-03-09: reload the code location"
    )
    reloaded = build_definitions(get_settings().replace(extracts_dir=extracts, build_db=db))
    assert reloaded.resolve_job_def("refresh").partitions_def.get_last_partition_key() == "2023-03-12"
