"""Write-audit-publish, the publish step: copy the marts and ``audit`` out of the build database into a
brand-new serving file, masking personal data, then atomically swap it in with ``os.replace``.

Why this shape (DuckDB 2.0's locking): a DuckDB file open read-write cannot be
opened by anyone else, and a file open read-only by readers cannot be opened by a writer. So the served
file is never opened for writing: a new file is written beside it, checkpointed, closed and fsynced, and
then renamed over the served one. Readers holding the old file keep reading it undisturbed; a reader
that (re)connects after the rename sees the new one; no connection can see a mix. A publisher killed at
any moment leaves the served file untouched (only a stray temporary file, removed by the next publish).

Raw, staging and intermediate schemas hold unmasked personal data and never leave the build file.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from revenue_warehouse import duckdb_limits, publish_diff, publish_metadata
from revenue_warehouse.build_db import explain
from revenue_warehouse.paths import serving_db_path
from revenue_warehouse.personal import declared_mart_columns, personal_source_tables, pii_salt
from revenue_warehouse.sql_quoting import identifier as _quote
from revenue_warehouse.sql_quoting import literal as _sql_literal

# `quality`: the handoff check models (one row per record checked), so leaks are published as data.
# `reference`: the seeds analysts need beside the marts (departments, SLAs, stages, tiers, channels).
PUBLISHED_SCHEMAS: tuple[str, ...] = (
    "marketing",
    "sales",
    "customer_success",
    "funnel",
    "core",
    "quality",
    "reference",
    "audit",
)

# A DuckDB database file carries these bytes at offset 8 (after its header's checksum).
DUCKDB_MAGIC, DUCKDB_MAGIC_OFFSET = b"DUCK", 8

HASH_PREFIX = "pii_"
HASH_HEX_CHARS = 20
TMP_MARKER = ".tmp-"
# The temporary table of every personal value published and its masked value (one publish's connection).
MASK_MAP = "_publish_masks"


@dataclass(frozen=True)
class PublishResult:
    serving_path: Path
    generation: str
    published_at: datetime
    row_counts: dict[str, int]
    masked_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # tables by what publish did to them: kept, updated (by difference), written, dropped
    actions: dict[str, list[str]] = field(default_factory=dict)
    from_previous: bool = False  # the new file started as a copy of the served one

    def summary(self) -> str:
        """What publish did, e.g. "from the served file: 30 tables kept, 5 updated by difference, 14 written"."""
        counts = ", ".join(
            f"{len(self.actions.get(action, []))} {label}"
            for action, label in (
                ("kept", "kept"),
                ("updated", "updated by difference"),
                ("written", "written"),
                ("dropped", "dropped"),
            )
            if self.actions.get(action)
        )
        return f"{'from the served file' if self.from_previous else 'new file'}: {counts or 'no tables'}"


def mask_value(column: str, salt: str) -> str:
    """SQL for the stable hash of a personal value (case and surrounding spaces ignored)."""
    col = _quote(column)
    digest = f"sha256({_sql_literal(salt + '|')} || lower(trim(cast({col} as varchar))))"
    return f"case when {col} is null then null else {_sql_literal(HASH_PREFIX)} || left({digest}, {HASH_HEX_CHARS}) end"


def mask_expression(column: str, salt: str) -> str:
    """:func:`mask_value` named as the column."""
    return f"{mask_value(column, salt)} as {_quote(column)}"


def _tables(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = ? and table_schema = ? order by table_name",
        [catalog, schema],
    ).fetchall()
    return [r[0] for r in rows]


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list[tuple[str, str]]:
    """(name, data type) of every column, in order."""
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
        [catalog, schema, table],
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def _is_base_table(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> bool:
    return con.execute(
        "select table_type = 'BASE TABLE' from information_schema.tables "
        "where table_catalog = ? and table_schema = ? and table_name = ?",
        [catalog, schema, table],
    ).fetchone()[0]


class NotAServingFile(ValueError):
    """The serving path holds something publish did not write: it is never replaced."""


def _foreign_reason(path: Path) -> str | None:
    """Why the existing ``path`` is not a serving warehouse this project wrote (a DuckDB file with
    ``audit.publication``), or None when it is one."""
    if not path.is_file():
        return "not a regular file"
    with path.open("rb") as handle:
        head = handle.read(DUCKDB_MAGIC_OFFSET + len(DUCKDB_MAGIC))
    if head[DUCKDB_MAGIC_OFFSET:] != DUCKDB_MAGIC:
        return "not a DuckDB file"
    try:
        con = duckdb_limits.connect(path, read_only=True)
    except duckdb.Error as exc:
        return f"DuckDB cannot open it: {str(exc).splitlines()[0]}"
    try:
        found = con.execute(
            "select count(*) from information_schema.columns where table_catalog = current_database() "
            "and table_schema = 'audit' and table_name = 'publication' and column_name = 'generation'"
        ).fetchone()[0]
    finally:
        con.close()
    return None if found else "a DuckDB file without audit.publication"


def refuse_foreign_serving(serving: Path) -> None:
    """Raise :class:`NotAServingFile` when ``serving`` exists and is not a serving warehouse this
    project published; nothing there yet, or an earlier publication, is fine."""
    if not (serving.exists() or serving.is_symlink()):
        return
    reason = _foreign_reason(serving)
    if reason:
        raise NotAServingFile(
            f"{serving} is not a serving warehouse this project wrote ({reason}): left as it is; "
            "move it away or choose another serving path (--serving / WAREHOUSE_SERVING_DB)"
        )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _publish_lock(serving: Path) -> Iterator[None]:
    """One publisher at a time per serving file (released by the OS if the process dies)."""
    lock_path = serving.with_name(serving.name + ".publish.lock")
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_temporaries(serving: Path) -> None:
    for stale in serving.parent.glob(f".{serving.name}{TMP_MARKER}*"):
        stale.unlink(missing_ok=True)


def _raw_line_value(personal_sources: frozenset[tuple[str, str]]) -> str:
    """``audit.quarantine.raw_line``, NULL for tables that hold personal data (the build keeps it)."""
    if not personal_sources:
        return '"raw_line"'
    keys = ", ".join(f"({_sql_literal(s)}, {_sql_literal(t)})" for s, t in sorted(personal_sources))
    return f'case when (system, table_name) in ({keys}) then null else "raw_line" end'


def _source(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    salt: str,
    personal: Mapping[str, Collection[str]],
    masked: list[str],
) -> publish_diff.Source:
    """What publishing ``schema.table`` means: its columns and the expressions (masking) that publish them;
    a masked column is read from the mask map (:func:`_create_mask_map`), the same value found once per
    distinct value instead of hashed on every row."""
    columns, types, expressions, values, joins = [], [], [], [], []
    alias = publish_diff.BUILD_ALIAS
    for column, data_type in _columns(con, "build", schema, table):
        if column in personal.get(table, ()):
            expressions.append(mask_value(column, salt))
            masked.append(f"{schema}.{table}.{column}")
            lookup = f"_publish_m{len(joins)}"
            joins.append(
                f"left join temp.{MASK_MAP} as {lookup} "
                f"on {lookup}.value = cast({alias}.{_quote(column)} as varchar)"
            )
            values.append(f"{lookup}.masked")
        elif (schema, table, column) == ("audit", "quarantine", "raw_line"):
            expressions.append(_raw_line_value(personal_source_tables()))
            values.append(expressions[-1])
        else:
            expressions.append(_quote(column))
            values.append(f"{alias}.{_quote(column)}")
        columns.append(column)
        types.append(data_type)
    return publish_diff.Source(
        schema,
        table,
        tuple(columns),
        tuple(expressions),
        tuple(types),
        _is_base_table(con, "build", schema, table),
        tuple(values) if joins else None,
        " ".join(joins),
    )


def _create_mask_map(
    con: duckdb.DuckDBPyConnection,
    schemas: Sequence[str],
    salt: str,
    personal: Mapping[str, Collection[str]],
) -> None:
    """``temp.<MASK_MAP>``: every distinct personal value of the published tables (as text) and its masked
    value. A person's id is in many rows of many tables (10 M touches of 1 M people at scale 100): each is
    hashed once here, not once per row and table."""
    reads = [
        f"select cast({_quote(column)} as varchar) as value from build.{_quote(schema)}.{_quote(table)}"
        for schema in schemas
        for table in _tables(con, "build", schema)
        for column, _ in _columns(con, "build", schema, table)
        if column in personal.get(table, ())
    ]
    distinct = " union ".join(reads) if reads else "select null::varchar as value"
    con.execute(
        f"create or replace temp table {MASK_MAP} as select value, {mask_value('value', salt)} as masked "
        f"from ({distinct}) where value is not null"
    )


def _publish_schemas(
    con: duckdb.DuckDBPyConnection,
    schemas: Sequence[str],
    previous: Mapping[tuple[str, str], publish_diff.Previous],
    salt: str,
    personal: Mapping[str, Collection[str]],
) -> tuple[dict[str, tuple[publish_diff.Fingerprint, str]], list[str], dict[str, list[str]]]:
    """Publish every table of ``schemas`` into the new file (which holds the previous publication when
    ``previous`` is not empty) and drop what the build no longer has. Returns the fingerprints, the masked
    columns and the tables by action (kept, updated, written, dropped)."""
    published: dict[str, tuple[publish_diff.Fingerprint, str]] = {}
    masked: list[str] = []
    actions: dict[str, list[str]] = {"kept": [], "updated": [], "written": [], "dropped": []}
    _create_mask_map(con, schemas, salt, personal)
    for schema in schemas:
        con.execute(f"create schema if not exists {_quote(schema)}")
        for table in _tables(con, "build", schema):
            source = _source(con, schema, table, salt, personal, masked)
            action, fingerprint = publish_diff.publish_table(con, source, previous.get((schema, table)))
            published[f"{schema}.{table}"] = (fingerprint, source.signature())
            actions[action].append(f"{schema}.{table}")
    con.execute(f"drop table temp.{MASK_MAP}")
    for schema in _schemas(con, "main"):
        kept = set(_tables(con, "build", schema)) if schema in schemas else set()
        if schema == "audit":
            kept |= {"publication", "published_tables"}
        for table in sorted(set(_tables(con, current_catalog(con), schema)) - kept):
            con.execute(f"drop table {_quote(schema)}.{_quote(table)}")
            actions["dropped"].append(f"{schema}.{table}")
        if schema not in schemas and schema != "main":
            con.execute(f"drop schema {_quote(schema)}")
    return published, masked, actions


def current_catalog(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_database()").fetchone()[0]


def _schemas(con: duckdb.DuckDBPyConnection, exclude: str) -> list[str]:
    rows = con.execute(
        "select schema_name from duckdb_schemas() where database_name = current_database() "
        "and not internal and schema_name <> ? order by 1",
        [exclude],
    ).fetchall()
    return [r[0] for r in rows]


def _write_publication(
    con: duckdb.DuckDBPyConnection,
    generation: str,
    published_at: datetime,
    build_db: Path,
    published: Mapping[str, tuple[publish_diff.Fingerprint, str]],
) -> None:
    con.execute("create schema if not exists audit")
    con.execute(
        "create or replace table audit.publication (generation varchar, published_at timestamp, "
        "build_file varchar, tables integer, total_rows bigint, storage_version varchar)"
    )
    con.execute(
        "insert into audit.publication values (?, ?, ?, ?, ?, ?)",
        [
            generation,
            published_at.replace(tzinfo=None),
            str(build_db),
            len(published),
            sum(f.rows for f, _ in published.values()),
            publish_metadata.storage_version(),
        ],
    )
    con.execute(
        "create or replace table audit.published_tables (generation varchar, table_schema varchar, "
        "table_name varchar, row_count bigint, content_hash hugeint, signature varchar)"
    )
    rows = [
        [generation, *name.split(".", 1), f.rows, f.content_hash, signature]
        for name, (f, signature) in sorted(published.items())
    ]
    if rows:
        con.executemany("insert into audit.published_tables values (?, ?, ?, ?, ?, ?)", rows)


def _verify(tmp: Path, counts: dict[str, int]) -> None:
    """Re-open the closed file read-only and check every table is there with its rows."""
    con = duckdb_limits.connect(tmp, read_only=True)
    try:
        for name, expected in counts.items():
            schema, table = name.split(".", 1)
            got = con.execute(f"select count(*) from {_quote(schema)}.{_quote(table)}").fetchone()[0]
            if got != expected:
                raise RuntimeError(f"publish verification failed: {name} has {got} rows, expected {expected}")
    finally:
        con.close()


def publish(
    build_db: Path | str,
    serving_db: Path | str | None = None,
    *,
    generation: str | None = None,
    schemas: Sequence[str] = PUBLISHED_SCHEMAS,
    personal: Mapping[str, Collection[str]] | None = None,
    full: bool = False,
) -> PublishResult:
    """Copy ``schemas`` from ``build_db`` into a new file and atomically replace ``serving_db`` with it.

    ``personal`` (table name -> columns) is what gets masked; by default the columns declared personal
    in the dbt YAML (``revenue_warehouse.personal``).

    The new file starts as a copy of the served one when that one recorded its tables' fingerprints in the
    configured storage version (``publish_diff.reusable_base``); then only changed tables are written, large
    ones by difference. ``full=True`` writes every table into an empty file (as the first publish does).

    The build file is attached read-only and must not be open read-write by another process.
    Schemas missing from the build are skipped (the served file then simply lacks them). A file at
    ``serving_db`` that an earlier publish did not write is never replaced (:class:`NotAServingFile`).
    """
    started = time.monotonic()
    build = Path(build_db).resolve()
    if not build.exists():
        raise FileNotFoundError(f"build database {build} does not exist: build before publishing")
    serving = Path(serving_db).resolve() if serving_db else serving_db_path()
    if serving == build:
        raise ValueError(f"the serving file must not be the build file ({build})")
    refuse_foreign_serving(serving)
    serving.parent.mkdir(parents=True, exist_ok=True)
    generation = generation or uuid.uuid4().hex
    published_at = datetime.now(UTC)
    salt = pii_salt(build)
    personal = declared_mart_columns() if personal is None else personal
    with _publish_lock(serving):
        _remove_stale_temporaries(serving)
        tmp = serving.with_name(f".{serving.name}{TMP_MARKER}{uuid.uuid4().hex}")
        try:
            # start from a copy of the served file when it can be reused: only what changed is written
            previous = (
                None if full else publish_diff.reusable_base(serving, publish_metadata.storage_version())
            )
            if previous is not None:
                shutil.copyfile(serving, tmp)
            con = duckdb_limits.connect(tmp, config=publish_metadata.serving_config())
            try:
                try:
                    con.execute(f"attach {_sql_literal(str(build))} as build (read_only)")
                except duckdb.Error as exc:
                    explained = explain(exc, build)
                    if explained is None:
                        raise
                    raise explained from exc
                present = {
                    r[0]
                    for r in con.execute(
                        "select schema_name from information_schema.schemata where catalog_name = 'build'"
                    ).fetchall()
                }
                # one transaction for everything written into the new file: committed once, not once per
                # statement (the ~550 COMMENT ONs alone took 2.3 s of commits at scale 100, 0.3 s in one)
                con.execute("begin transaction")
                published, masked, actions = _publish_schemas(
                    con, [s for s in schemas if s in present], previous or {}, salt, personal
                )
                counts = {name: f.rows for name, (f, _) in published.items()}
                _write_publication(con, generation, published_at, build, published)
                publish_metadata.describe(con)
                con.execute("commit")
                con.execute("detach build")
                con.execute("checkpoint")
            finally:
                con.close()
            _verify(tmp, counts)
            _fsync(tmp)
            os.replace(tmp, serving)
            _fsync(serving.parent)
        finally:
            tmp.unlink(missing_ok=True)
            tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
    return PublishResult(
        serving,
        generation,
        published_at,
        counts,
        masked,
        time.monotonic() - started,
        actions,
        previous is not None,
    )


def connect_serving(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the served warehouse. Close it (and every other connection to the
    file in this process) before reconnecting to see a newer publication."""
    return duckdb_limits.connect(path or serving_db_path(), read_only=True)


def current_generation(path: Path | str | None = None) -> str | None:
    """The generation of the served warehouse, or None when nothing has been published yet."""
    target = Path(path) if path else serving_db_path()
    if not target.exists():
        return None
    con = connect_serving(target)
    try:
        return con.execute("select generation from audit.publication").fetchone()[0]
    finally:
        con.close()
