"""Record a run's materializations for many partitions at once.

A full run loads every extract date in ONE run recorded as one partition (the last extract date).
The other dates it loaded are recorded here as materializations of the same run and step, written
in one transaction per storage shard. Dagster's own path for a run over a partition range (a
single-run backfill) stores every partition's "planned" and "materialized" events one at a time,
and each is a commit of its own in the default SQLite storage: 81 ms an event on this machine,
i.e. tens of minutes for 912 days x 32 raw tables (docs/decisions.md#partitions-of-a-full-run).

Dagster 1.13 has no public call that stores many events in one write
(``EventLogStorage.store_event_batch`` stores them one by one in the SQL storages), so this module
builds the events with Dagster's event classes and inserts them with the SQL storage's own
``prepare_insert_event_batch``. The end-to-end test reads them back with the public
``DagsterInstance.get_materialized_partitions``, so a Dagster upgrade that changes these
internals fails it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence

import dagster as dg
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.schema import SqlEventLogStorageTable
from dagster._core.storage.event_log.sql_event_log import SqlEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._time import get_current_timestamp


def materialization_events(
    run_id: str,
    job_name: str,
    step_key: str,
    partitions_by_asset: Mapping[dg.AssetKey, Iterable[str]],
    metadata: Mapping[str, dg.RawMetadataValue] | None = None,
) -> list[EventLogEntry]:
    """One ASSET_MATERIALIZATION event of the run's step per asset and partition key."""
    now = get_current_timestamp()
    events = []
    for key, partitions in partitions_by_asset.items():
        for partition in partitions:
            materialization = dg.AssetMaterialization(key, partition=partition, metadata=metadata)
            event = DagsterEvent(
                event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
                job_name=job_name,
                step_key=step_key,
                event_specific_data=StepMaterializationData(materialization),
                message=f"Materialized value {key.to_user_string()} partition {partition} (loaded in this run).",
            )
            events.append(
                EventLogEntry(
                    user_message="",
                    level=logging.DEBUG,
                    job_name=job_name,
                    run_id=run_id,
                    error_info=None,
                    timestamp=now,
                    step_key=step_key,
                    dagster_event=event,
                )
            )
    return events


def store_events(instance: dg.DagsterInstance, events: Sequence[EventLogEntry]) -> None:
    """Store materialization events in one transaction per shard: the run's shard and the cross-run
    index (the same database except in the default SQLite storage, which keeps one file per run).
    The asset's "latest materialization" row is left to the run's own materialization. Any other
    storage gets Dagster's ``store_event_batch``."""
    if not events:
        return
    storage = instance.event_log_storage
    if not isinstance(storage, SqlEventLogStorage):
        storage.store_event_batch(events)
        return
    run_ids = {e.run_id for e in events}
    if len(run_ids) != 1:
        raise ValueError(f"events of one run expected, got runs {sorted(run_ids)}")
    rows = [storage._event_to_row(e) for e in events]  # the storage's own row (serialized once)
    if isinstance(storage, SqliteEventLogStorage):
        with storage.run_connection(run_ids.pop()) as conn:
            _insert(conn, rows)
    with storage.index_transaction() as conn:
        _insert(conn, rows)


def _insert(conn, rows: list[dict]) -> None:
    conn.execute(SqlEventLogStorageTable.insert(), rows)  # one executemany: compiled once
