"""orchestration.event_storage.kept_open on a real SQLite Dagster instance: while it holds the run's and
the index's event-log files, Dagster's own writes leave the WAL in place (no checkpoint on every
connection close), every event is stored and readable, also by another instance on the same home
(as the UI reads it); on exit the WAL is checkpointed away. A run that never started leaves no file."""

import os
import uuid
from pathlib import Path

import dagster as dg
import pytest

from orchestration.event_storage import kept_open


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "dagster_home"
    path.mkdir()
    return path


def _wal(path: Path) -> Path:
    return Path(f"{path}-wal")


@dg.asset(partitions_def=dg.StaticPartitionsDefinition(["a", "b"]))
def tiny(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    context.log.info("materializing")
    return dg.MaterializeResult(metadata={"rows": 3})


def _job() -> dg.JobDefinition:
    return dg.Definitions(assets=[tiny], jobs=[dg.define_asset_job("tiny_job")]).resolve_job_def("tiny_job")


def test_a_run_inside_writes_every_event_without_checkpointing_each(home: Path) -> None:
    instance = dg.DagsterInstance.local_temp(str(home))
    plain = _job().execute_in_process(instance=instance, partition_key="b")  # the same run without it
    run_id = str(uuid.uuid4())
    with kept_open(instance, run_id) as held:
        index, run_file = held
        assert run_file.name == f"{run_id}.db" and index.name == "index.db"
        result = _job().execute_in_process(instance=instance, run_id=run_id, partition_key="a")
        assert result.success
        # Dagster's connections closed after each commit, none of them the last one: the WAL stays
        assert _wal(run_file).stat().st_size > 0 and _wal(index).stat().st_size > 0
        other = dg.DagsterInstance.from_ref(instance.get_ref())  # another reader of the same files
        assert other.get_materialized_partitions(tiny.key) == {"a", "b"}
        logged = [e.user_message for e in other.all_logs(run_id) if not e.is_dagster_event]
        assert "materializing" in logged
    assert not _wal(run_file).exists() and not _wal(index).exists()  # checkpointed once, at the end
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS

    def types(run: str) -> list[str | None]:
        return [e.dagster_event_type for e in instance.all_logs(run)]

    assert len(types(run_id)) > 10 and types(run_id) == types(plain.run_id)
    assert instance.get_materialized_partitions(tiny.key) == {"a", "b"}


def test_without_it_each_write_checkpoints(home: Path) -> None:
    """What ``kept_open`` avoids: Dagster closing the only connection removes the WAL after each write."""
    instance = dg.DagsterInstance.local_temp(str(home))
    result = _job().execute_in_process(instance=instance, partition_key="b")
    run_file = Path(instance.event_log_storage.path_for_shard(result.run_id))
    assert result.success and run_file.exists() and not _wal(run_file).exists()


def test_a_run_that_never_started_leaves_no_file(home: Path) -> None:
    instance = dg.DagsterInstance.local_temp(str(home))
    run_id = str(uuid.uuid4())
    with pytest.raises(dg.DagsterInvalidConfigError), kept_open(instance, run_id) as held:
        _job().execute_in_process(
            instance=instance, run_id=run_id, partition_key="a", run_config={"ops": {"nope": {}}}
        )
    assert held and not any(p.name.startswith(run_id) for p in held[1].parent.iterdir())
    assert instance.get_run_by_id(run_id) is None


def test_other_storages_are_left_alone() -> None:
    with kept_open(dg.DagsterInstance.ephemeral(), str(uuid.uuid4())) as held:
        assert held == []


# ------------------------------------------------------------------ synchronous=NORMAL while held

FULL, NORMAL = 2, 1


def _synchronous(connection) -> int:
    return connection.exec_driver_sql("PRAGMA synchronous").scalar()


def test_dagster_connections_to_the_held_files_skip_the_fsync_per_commit_and_share_an_engine(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside, the storage's own connections to the run's file and the index (the ones ``store_event``
    opens for every event) have synchronous NORMAL and are one SQLite connection per file; its connections
    to another run's file and the run storage's keep SQLite's FULL and Dagster's engine per connection,
    and so do the same files' connections after; on exit the WAL of both files is fsynced, so what the
    run wrote is on disk as it would be with FULL."""
    instance = dg.DagsterInstance.local_temp(str(home))
    other = _job().execute_in_process(instance=instance, partition_key="b").run_id
    storage = instance.event_log_storage
    seen: dict[str, int] = {}
    engines: dict[str, list] = {"run": [], "index": [], "other run": []}
    sqlite: dict[str, list] = {"run": [], "index": [], "other run": []}  # the SQLite connections

    @dg.asset(partitions_def=dg.StaticPartitionsDefinition(["a", "b"]), name="tiny")
    def probe(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        for _ in range(2):
            with storage.run_connection(context.run.run_id) as conn:
                seen["run"] = _synchronous(conn)
                engines["run"].append(conn.engine)
                sqlite["run"].append(conn.connection.dbapi_connection)
            with storage.index_connection() as conn:
                seen["index"] = _synchronous(conn)
                engines["index"].append(conn.engine)
                sqlite["index"].append(conn.connection.dbapi_connection)
            with storage.run_connection(other) as conn:
                seen["other run"] = _synchronous(conn)
                engines["other run"].append(conn.engine)
                sqlite["other run"].append(conn.connection.dbapi_connection)
        with instance.run_storage.connect() as conn:
            seen["runs.db"] = _synchronous(conn)
        return dg.MaterializeResult(metadata={"rows": 3})

    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    run_id = str(uuid.uuid4())
    job = dg.Definitions(assets=[probe], jobs=[dg.define_asset_job("tiny_job")]).resolve_job_def("tiny_job")
    with kept_open(instance, run_id) as held:
        assert job.execute_in_process(instance=instance, run_id=run_id, partition_key="a").success
        with storage.run_connection(run_id) as conn:  # Dagster's connections, as it writes the events
            assert _synchronous(conn) == NORMAL
        monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.undo()
    assert seen == {"run": NORMAL, "index": NORMAL, "other run": FULL, "runs.db": FULL}
    # one engine per held file for the run (each statement compiled once); Dagster's new one per
    # connection elsewhere and after
    (run_1, run_2), (index_1, index_2), (other_1, other_2) = engines.values()
    assert run_1 is run_2 and index_1 is index_2 and other_1 is not other_2
    # and one SQLite connection per held file for the run (none opened, and its file's schema read,
    # per event); Dagster's new connection per use elsewhere
    (run_1, run_2), (index_1, index_2), (other_1, other_2) = sqlite.values()
    assert run_1 is run_2 and index_1 is index_2 and other_1 is not other_2
    with storage.run_connection(run_id) as after:  # (one at a time: the storage's lock)
        assert after.engine is not run_1
    with storage.index_connection() as after:
        assert after.engine is not index_1
    assert sorted(synced) == sorted(f"{p}-wal" for p in held)  # before the held connections closed
    for shard in (run_id, other):
        with storage.run_connection(shard) as conn:
            assert _synchronous(conn) == FULL
    with storage.index_connection() as conn:
        assert _synchronous(conn) == FULL
    assert instance.get_materialized_partitions(tiny.key) == {"a", "b"}
