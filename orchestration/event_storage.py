"""Keep the run's SQLite event-log files open while ``warehouse run``'s one run executes.

Dagster's default storage (a ``DAGSTER_HOME`` without a storage block) writes each event of a run
to the run's own SQLite file and mirrors asset and check events into ``index.db``, opening a new
connection for every write and closing it after the commit. Those files are in WAL mode, and SQLite
checkpoints the WAL into the database and deletes it whenever the LAST connection to a file closes:
with nobody else holding the file, every event paid a checkpoint (a database write and fsyncs) on
top of its commit, about 900 events and 2,800 connections in a scale-10 run.

``kept_open`` holds one idle connection to each of the two files for the run (no transaction, no
lock beyond WAL's shared read mark), so Dagster's own connections are never the last one: each event
is a WAL append and commit, and SQLite's automatic checkpoint (every 1,000 WAL pages) still keeps the
WAL bounded. Closing the held connections at the end checkpoints once.

While it holds them, Dagster's connections to those two files (and only those) run with
``synchronous=NORMAL``: a commit no longer waits for an fsync of the WAL and its directory; SQLite
syncs the WAL before each checkpoint, and on exit both WAL files are fsynced, so only a power loss
DURING the run can lose that run's last events (the files stay consistent). Nothing the warehouse
decides depends on them; the dates a lost materialization leaves unrecorded are recorded by the next
run. Dagster's writes, rows and files are unchanged; other processes (the UI, the daemon) read and
write them as before, with SQLite's defaults (docs/decisions.md#dagster-event-storage). Any other
storage (in-memory, PostgreSQL, Dagster+) is left alone.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import dagster as dg
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

# Dagster's own busy timeout for these files (seconds): a held connection never waits on it, as it
# takes no lock, but the same value keeps it from failing fast if SQLite must recover a WAL on open
BUSY_TIMEOUT_SECONDS = SQLITE_BUSY_TIMEOUT_SECONDS


def _hold(path: Path) -> sqlite3.Connection:
    """An idle connection to ``path`` that has read it once: from then on it holds the file's WAL shared
    memory open, so another connection's close is not the last one and does not checkpoint."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    conn.execute("SELECT count(*) FROM sqlite_master").fetchall()  # no transaction stays open
    return conn


@contextmanager
def _synchronous_normal(paths: list[Path]) -> Iterator[None]:
    """While inside, every new SQLAlchemy connection to one of ``paths`` (Dagster's: it opens one per
    write, through a new engine) runs ``PRAGMA synchronous=NORMAL``: in WAL mode a commit is then a WAL
    append without an fsync; SQLite syncs the WAL before each checkpoint. A per-connection setting: the
    files, other connections and other files are unaffected. On exit the listener is removed and the
    WAL files are fsynced, so every commit made inside is as durable as with FULL once this returns."""
    targets = {os.path.realpath(p) for p in paths}

    def on_connect(dbapi_connection: object, _record: object) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        # the main database's file as SQLite opened it (absolute, symbolic links resolved)
        names = dbapi_connection.execute("PRAGMA database_list").fetchall()
        if any(name == "main" and file and os.path.realpath(file) in targets for _, name, file in names):
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    event.listen(Engine, "connect", on_connect)  # the "connect" event of every engine's pool
    try:
        yield
    finally:
        event.remove(Engine, "connect", on_connect)
        for path in targets:
            _fsync(f"{path}-wal")


def _fsync(path: str) -> None:
    """fsync ``path`` if it exists: the file's data written through any descriptor reaches the disk."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _one_engine_per_file(storage: SqliteEventLogStorage, shards: list[str]) -> Iterator[None]:
    """While inside, ``storage``'s connections to ``shards`` are one SQLite connection per shard, through
    one SQLAlchemy engine per shard (``StaticPool``), each use in its own transaction under the storage's
    lock (which serializes every use, so the connection may serve any thread), instead of Dagster's new
    engine and new SQLite connection (opened, its file's schema read, closed) for every use: the dialect
    is initialised once, each statement compiled once, and no connection opened per event. Connections
    to any other shard are Dagster's own. Restored (and the connections closed) on exit."""
    engines = {
        shard: create_engine(
            storage.conn_string_for_shard(shard),
            poolclass=StaticPool,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        for shard in shards
    }
    dagster_connect = storage._connect

    @contextmanager
    def connect(shard: str) -> Iterator[Connection]:
        engine = engines.get(shard)
        if engine is None:
            with dagster_connect(shard) as conn:
                yield conn
            return
        with storage._db_lock, engine.connect() as conn, conn.begin():
            yield conn

    storage._connect = connect  # this storage object only: run_connection and index_connection use it
    try:
        yield
    finally:
        del storage._connect
        for engine in engines.values():
            engine.dispose()


@contextmanager
def kept_open(instance: dg.DagsterInstance, run_id: str) -> Iterator[list[Path]]:
    """While inside, hold the run's event-log file and the index file of ``instance``'s SQLite event
    storage open (the run's file created the way Dagster creates it, through the storage's own
    ``run_connection``); yields the files held (none for another storage). A run that never started
    leaves no file of its own behind."""
    storage = instance.event_log_storage
    if not isinstance(storage, SqliteEventLogStorage):
        yield []
        return
    # Dagster's own creation of each file (schema, WAL mode), as its first write would do it
    with storage.index_connection():
        pass
    with storage.run_connection(run_id):
        pass
    paths = [Path(storage.path_for_shard(shard)) for shard in (INDEX_SHARD_NAME, run_id)]
    try:
        with ExitStack() as stack:
            for path in paths:
                stack.callback(_hold(path).close)
            stack.enter_context(_synchronous_normal(paths))  # left (WAL synced) before the holds close
            stack.enter_context(_one_engine_per_file(storage, [INDEX_SHARD_NAME, run_id]))
            yield paths
    finally:
        if instance.get_run_by_id(run_id) is None:  # not started (e.g. bad config): no stray file
            for suffix in ("", "-wal", "-shm"):
                Path(f"{paths[1]}{suffix}").unlink(missing_ok=True)
