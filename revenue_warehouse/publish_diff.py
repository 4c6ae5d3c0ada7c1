"""Publishing by difference: which published tables changed since the last publication, and writing only those.

``publish.py`` starts the new serving file as a byte copy of the served one (when that one is reusable, see
:func:`reusable_base`) and calls :func:`publish_table` for every table it publishes. Each table's content is
identified by a fingerprint of exactly what is published (personal columns already masked): the row count and
the sum of DuckDB's 64-bit ``hash`` of every row (as a 128-bit integer, so the sum never wraps), plus a
signature of its columns, their types and the expressions that publish them. ``audit.published_tables``
keeps both; a table whose signature and fingerprint are unchanged is left as the copy holds it, a large table
that changed is updated by the difference of its row hashes, anything else is written again. Why this is
sound, and its collision odds, are in docs/decisions.md ("Publishing: only what changed").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from revenue_warehouse import duckdb_limits
from revenue_warehouse.sql_quoting import identifier as _quote

# Tables smaller than this are written again when they changed (cheaper than diffing them).
DIFF_MIN_ROWS = 50_000
# A copied serving file with more free blocks than this share is not reused: a full publish compacts it.
MAX_FREE_BLOCK_SHARE = 0.5
FINGERPRINT_COLUMNS = ("content_hash", "signature")
# The build table's alias in ``Source.relation``.
BUILD_ALIAS = "_publish_b"


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    content_hash: int


@dataclass(frozen=True)
class Previous:
    """What ``audit.published_tables`` of the copied serving file says of one table."""

    signature: str
    fingerprint: Fingerprint


@dataclass(frozen=True)
class Source:
    """One table to publish: its build-side name, the published columns' names and the SQL expressions that
    define them (masking included; the signature is of these), and how they are read: ``values`` over
    ``relation`` (default: the expressions over the build table). Publish reads each masked value from a map of
    the distinct values (``publish.MASK_MAP``) instead of hashing it on every row; the result is the same."""

    schema: str
    table: str
    columns: tuple[str, ...]
    expressions: tuple[str, ...]
    column_types: tuple[str, ...]
    is_table: bool
    values: tuple[str, ...] | None = None
    joins: str = ""  # joined to the build table (aliased BUILD_ALIAS) to read ``values``

    @property
    def target(self) -> str:
        return f"{_quote(self.schema)}.{_quote(self.table)}"

    @property
    def build(self) -> str:
        return f"build.{self.target}"

    @property
    def relation(self) -> str:
        """The FROM clause ``values`` are read over."""
        return f"{self.build} as {BUILD_ALIAS} {self.joins}".rstrip()

    @property
    def read(self) -> tuple[str, ...]:
        return self.values or self.expressions

    @property
    def select_list(self) -> str:
        return ", ".join(
            expr if expr == _quote(col) else f"{expr} as {_quote(col)}"
            for col, expr in zip(self.columns, self.read, strict=True)
        )

    def signature(self) -> str:
        """Digest of the columns, types and publishing expressions (the salt is in the masking expressions,
        so it changes with the salt without the salt being readable from it)."""
        text = "\n".join(
            f"{c}\t{t}\t{e}"
            for c, t, e in zip(self.columns, self.column_types, self.expressions, strict=True)
        )
        return hashlib.sha256(text.encode()).hexdigest()


def _row_hash(expressions: tuple[str, ...] | list[str]) -> str:
    return f"hash({', '.join(expressions)})"


def fingerprint(
    con: duckdb.DuckDBPyConnection, relation: str, expressions: tuple[str, ...] | list[str]
) -> Fingerprint:
    rows, total = con.execute(
        f"select count(*), coalesce(sum({_row_hash(expressions)}::hugeint), 0) from {relation}"
    ).fetchone()
    return Fingerprint(int(rows), int(total))


def _quoted(columns: tuple[str, ...]) -> list[str]:
    return [_quote(c) for c in columns]


def reusable_base(serving: Path, storage_version: str) -> dict[tuple[str, str], Previous] | None:
    """The served file's fingerprints when a new publication may start as its copy: it records fingerprints,
    was written in ``storage_version`` and is not mostly free blocks. None means a full publish."""
    if not serving.is_file():
        return None
    try:
        return _recorded(serving, storage_version)
    except duckdb.Error:  # a served file DuckDB cannot read in full is replaced by a full publish, not copied
        return None


def _recorded(serving: Path, storage_version: str) -> dict[tuple[str, str], Previous] | None:
    con = duckdb_limits.connect(serving, read_only=True)
    try:
        columns = {
            (t, c)
            for t, c in con.execute(
                "select table_name, column_name from information_schema.columns "
                "where table_catalog = current_database() and table_schema = 'audit' "
                "and table_name in ('publication', 'published_tables')"
            ).fetchall()
        }
        wanted = {("publication", "storage_version")} | {("published_tables", c) for c in FINGERPRINT_COLUMNS}
        if not wanted <= columns:
            return None
        if con.execute("select storage_version from audit.publication").fetchone()[0] != storage_version:
            return None
        free, total = con.execute("select free_blocks, total_blocks from pragma_database_size()").fetchone()
        if total and free > total * MAX_FREE_BLOCK_SHARE:
            return None
        return {
            (schema, table): Previous(signature, Fingerprint(int(rows), int(content)))
            for schema, table, rows, content, signature in con.execute(
                "select table_schema, table_name, row_count, content_hash, signature from audit.published_tables"
            ).fetchall()
        }
    finally:
        con.close()


def write_table(con: duckdb.DuckDBPyConnection, source: Source) -> Fingerprint:
    """Write ``source`` in full (replacing what the copy held) and return its fingerprint."""
    con.execute(f"drop table if exists {source.target}")
    con.execute(f"create table {source.target} as select {source.select_list} from {source.relation}")
    return fingerprint(con, source.target, _quoted(source.columns))


def _update_by_difference(
    con: duckdb.DuckDBPyConnection, source: Source, previous: Fingerprint
) -> tuple[str, Fingerprint]:
    """Bring the copied table to the build's content by deleting the rows whose hash the build lacks and
    inserting the build rows whose hash the copy lacks. Falls back to writing it in full when the result's
    fingerprint is not the build's (duplicate rows) or most of the table changed.

    A build table's added rows are found again by ``rowid``; a view (no ``rowid``) is read a second time and
    its rows selected by hash. The copy's removed rows are deleted by ``rowid`` (the copy is not changed
    between the hashing and the delete), so its rows are hashed once."""
    build_hash = _row_hash(source.read)
    build_key = f"{BUILD_ALIAS}.rowid" if source.is_table else build_hash
    con.execute(
        f"create or replace temp table _publish_build as select {build_key} as r, {build_hash} as h "
        f"from {source.relation}"
    )
    new = _temp_fingerprint(con, "_publish_build")
    if new == previous:
        _drop_temps(con)
        return "kept", new
    columns = _quoted(source.columns)
    con.execute(
        f"create or replace temp table _publish_served as select rowid as r, {_row_hash(columns)} as h "
        f"from {source.target}"
    )
    if _temp_fingerprint(con, "_publish_served") != previous:  # the copy is not what was recorded
        _drop_temps(con)
        return "written", write_table(con, source)
    # one full join finds both sides' rows whose hash the other side lacks (cheaper than two anti joins)
    con.execute(
        "create or replace temp table _publish_changes as select b.r as added, s.r as removed, "
        "coalesce(b.h, s.h) as h from _publish_build b full join _publish_served s on b.h = s.h "
        "where b.r is null or s.r is null"
    )
    added, removed = (
        _temp_fingerprint(con, "_publish_changes", f"{side} is not null") for side in ("added", "removed")
    )
    if added.rows + removed.rows > previous.rows // 2:
        _drop_temps(con)
        return "written", write_table(con, source)
    if removed.rows:
        con.execute(
            f"delete from {source.target} where rowid in "
            "(select removed from _publish_changes where removed is not null)"
        )
    if added.rows:
        con.execute(
            f"insert into {source.target} select {source.select_list} from {source.relation} "
            f"where {build_key} in (select added from _publish_changes where added is not null)"
        )
    _drop_temps(con)
    result = Fingerprint(
        previous.rows - removed.rows + added.rows,
        previous.content_hash - removed.content_hash + added.content_hash,
    )
    if result != new:
        return "written", write_table(con, source)
    return "updated", result


def _temp_fingerprint(con: duckdb.DuckDBPyConnection, temp: str, where: str = "true") -> Fingerprint:
    rows, total = con.execute(
        f"select count(*), coalesce(sum(h::hugeint), 0) from {temp} where {where}"
    ).fetchone()
    return Fingerprint(int(rows), int(total))


def _drop_temps(con: duckdb.DuckDBPyConnection) -> None:
    for temp in ("_publish_build", "_publish_served", "_publish_changes"):
        con.execute(f"drop table if exists temp.{temp}")


def publish_table(
    con: duckdb.DuckDBPyConnection, source: Source, previous: Previous | None
) -> tuple[str, Fingerprint]:
    """Publish one table into the new file: ``kept`` (unchanged), ``updated`` (by difference) or ``written``.

    ``previous`` is what the copied serving file recorded for it (None: not there, or a full publish)."""
    if previous is None or previous.signature != source.signature():
        return "written", write_table(con, source)
    if previous.fingerprint.rows >= DIFF_MIN_ROWS:
        return _update_by_difference(con, source, previous.fingerprint)
    new = fingerprint(con, source.relation, source.read)
    if new == previous.fingerprint:
        return "kept", new
    return "written", write_table(con, source)
