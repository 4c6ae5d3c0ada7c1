"""orchestration.partition_events: the event-log rows made from one template per asset are exactly the
rows Dagster's SQLite storage makes of each event built on its own, and, stored, read back through
Dagster's public API as the partitions and assets given (a real SQLite instance, no Dagster run)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.event_log.sql_event_log import SqlEventLogStorage

from orchestration import partition_events
from orchestration.partition_events import (
    PLACEHOLDER,
    materialization_events,
    materialization_rows,
    record_materializations,
)

RUN, JOB, STEP = "0b5c2f5e-3c3e-4a4e-9d43-5b1d6f1f0a01", "refresh", "load_hubspot"
METADATA = {"recorded_by": "load of every extract date", "files": dg.MetadataValue.int(3)}
# the dates a load records, and keys that need JSON escaping (a quote, a backslash, non-ASCII)
PARTITIONS = {
    dg.AssetKey(["raw_hubspot", "contact"]): ["2023-01-01", "2024-02-29", "2025-12-31"],
    dg.AssetKey(["raw_hubspot", "deal"]): ['odd "key"', "back\\slash", "café"],
    dg.AssetKey(["raw_hubspot", "owner"]): [],
}


@pytest.fixture
def instance(tmp_path: Path) -> dg.DagsterInstance:
    home = tmp_path / "dagster_home"
    home.mkdir()
    return dg.DagsterInstance.local_temp(str(home))


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways of building the rows read the clock: the same instant for both, so rows compare equal."""
    monkeypatch.setattr(partition_events, "get_current_timestamp", lambda: 1_767_139_200.25)


def test_template_rows_equal_the_storages_rows_of_each_event(
    instance: dg.DagsterInstance, fixed_clock: None
) -> None:
    storage = instance.event_log_storage
    assert isinstance(storage, SqlEventLogStorage)
    expected = [
        storage._event_to_row(e) for e in materialization_events(RUN, JOB, STEP, PARTITIONS, METADATA)
    ]
    rows = materialization_rows(storage, RUN, JOB, STEP, PARTITIONS, METADATA)
    assert len(expected) == 6
    assert rows == expected


def test_a_placeholder_elsewhere_in_the_event_is_refused(
    instance: dg.DagsterInstance, fixed_clock: None
) -> None:
    with pytest.raises(ValueError, match="unexpected event row"):
        materialization_rows(
            instance.event_log_storage, RUN, JOB, STEP, PARTITIONS, {"note": f"says {PLACEHOLDER}"}
        )


def test_recorded_rows_read_back_as_the_partitions_given(instance: dg.DagsterInstance) -> None:
    assert record_materializations(instance, RUN, JOB, STEP, PARTITIONS, METADATA) == 6
    for key, partitions in PARTITIONS.items():
        assert instance.get_materialized_partitions(key) == set(partitions), key
    stored = instance.all_logs(RUN, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    assert sorted((e.dagster_event.asset_key, e.dagster_event.partition) for e in stored) == sorted(
        (key, p) for key, partitions in PARTITIONS.items() for p in partitions
    )
    for e in stored:
        materialization = e.asset_materialization
        assert materialization.partition == e.dagster_event.partition
        assert materialization.metadata["files"] == dg.MetadataValue.int(3)
        assert e.step_key == STEP and e.job_name == JOB
        assert f"partition {materialization.partition} (loaded" in e.dagster_event.message
