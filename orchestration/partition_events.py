"""Record a run's materializations for many partitions at once.

A full run loads every extract date in ONE run recorded as one partition (the last extract date).
The other dates it loaded are recorded here as materializations of the same run and step, written
in one transaction per storage shard. Dagster's own path for a run over a partition range (a
single-run backfill) stores every partition's "planned" and "materialized" events one at a time,
and each is a commit of its own in the default SQLite storage: 81 ms an event on this machine,
i.e. tens of minutes for 912 days x 32 raw tables (docs/decisions.md#partitions-of-a-full-run).

Dagster 1.13 has no public call that stores many events in one write
(``EventLogStorage.store_event_batch`` stores them one by one in the SQL storages), so this module
builds the events with Dagster's event classes and inserts the SQL storage's own rows of them
(``_event_to_row``) into its events table. The end-to-end test reads them back with the public
``DagsterInstance.get_materialized_partitions``, so a Dagster upgrade that changes these
internals fails it.

The events of one asset differ only in their partition key, so the storage's row (the serialized
event, about 0.15 ms of serdes each, 35,040 of them for three years of 32 tables) is made once per
asset, for a placeholder partition, and the key is put in its place in that text
(``materialization_rows``); tests/test_orchestration_partition_events.py checks the rows equal the
storage's own for the same events.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping

import dagster as dg
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.schema import SqlEventLogStorageTable
from dagster._core.storage.event_log.sql_event_log import SqlEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._time import get_current_timestamp

# stands for the partition key in an asset's row template: JSON needs no escaping for it, and
# ``_row_template`` refuses a template where it occurs anywhere but in the partition's places
PLACEHOLDER = "@@warehouse-partition-key@@"


def _event(
    run_id: str,
    job_name: str,
    step_key: str,
    key: dg.AssetKey,
    partition: str,
    metadata: Mapping[str, dg.RawMetadataValue] | None,
    timestamp: float,
) -> EventLogEntry:
    """The run's step's ASSET_MATERIALIZATION event of ``key``'s ``partition``."""
    materialization = dg.AssetMaterialization(key, partition=partition, metadata=metadata)
    event = DagsterEvent(
        event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
        job_name=job_name,
        step_key=step_key,
        event_specific_data=StepMaterializationData(materialization),
        message=f"Materialized value {key.to_user_string()} partition {partition} (loaded in this run).",
    )
    return EventLogEntry(
        user_message="",
        level=logging.DEBUG,
        job_name=job_name,
        run_id=run_id,
        error_info=None,
        timestamp=timestamp,
        step_key=step_key,
        dagster_event=event,
    )


def materialization_events(
    run_id: str,
    job_name: str,
    step_key: str,
    partitions_by_asset: Mapping[dg.AssetKey, Iterable[str]],
    metadata: Mapping[str, dg.RawMetadataValue] | None = None,
) -> list[EventLogEntry]:
    """One ASSET_MATERIALIZATION event of the run's step per asset and partition key."""
    now = get_current_timestamp()
    return [
        _event(run_id, job_name, step_key, key, partition, metadata, now)
        for key, partitions in partitions_by_asset.items()
        for partition in partitions
    ]


def _row_template(storage: SqlEventLogStorage, event: EventLogEntry) -> tuple[dict, list[str]]:
    """The storage's row of ``event`` (made for the placeholder partition) and its serialized event
    split at the placeholder, which must be exactly where the partition key goes: the partition field
    and the message."""
    row = storage._event_to_row(event)  # the storage's own row (serialized once)
    parts = row["event"].split(PLACEHOLDER)
    if row["partition"] != PLACEHOLDER or len(parts) != 3:
        raise ValueError(f"unexpected event row for {event.dagster_event.asset_key}: {row['event'][:200]}")
    return row, parts


def materialization_rows(
    storage: SqlEventLogStorage,
    run_id: str,
    job_name: str,
    step_key: str,
    partitions_by_asset: Mapping[dg.AssetKey, Iterable[str]],
    metadata: Mapping[str, dg.RawMetadataValue] | None = None,
) -> list[dict]:
    """The event-log rows of ``materialization_events``: the storage's row of each asset's event is made
    once, for the placeholder partition, and each partition key (JSON-escaped) replaces it there."""
    now = get_current_timestamp()
    rows = []
    for key, partitions in partitions_by_asset.items():
        keys = list(partitions)
        if not keys:
            continue
        template, parts = _row_template(
            storage, _event(run_id, job_name, step_key, key, PLACEHOLDER, metadata, now)
        )
        for partition in keys:
            escaped = json.dumps(partition)[1:-1]
            rows.append({**template, "event": escaped.join(parts), "partition": partition})
    return rows


def record_materializations(
    instance: dg.DagsterInstance,
    run_id: str,
    job_name: str,
    step_key: str,
    partitions_by_asset: Mapping[dg.AssetKey, Iterable[str]],
    metadata: Mapping[str, dg.RawMetadataValue] | None = None,
) -> int:
    """Store the run's step's materialization of every asset and partition in ``partitions_by_asset``
    in one transaction per shard: the run's shard and the cross-run index (the same database except in
    the default SQLite storage, which keeps one file per run). The asset's "latest materialization" row
    is left to the run's own materialization. Any other storage gets Dagster's ``store_event_batch``.
    Returns the number of events stored."""
    storage = instance.event_log_storage
    if not isinstance(storage, SqlEventLogStorage):
        events = materialization_events(run_id, job_name, step_key, partitions_by_asset, metadata)
        if events:
            storage.store_event_batch(events)
        return len(events)
    rows = materialization_rows(storage, run_id, job_name, step_key, partitions_by_asset, metadata)
    if not rows:
        return 0
    if isinstance(storage, SqliteEventLogStorage):
        with storage.run_connection(run_id) as conn:
            _insert(conn, rows)
    with storage.index_transaction() as conn:
        _insert(conn, rows)
    return len(rows)


def _insert(conn, rows: list[dict]) -> None:
    conn.execute(SqlEventLogStorageTable.insert(), rows)  # one executemany: compiled once
