"""Publishing only what changed: after a series of publishes, each starting from a copy of the served file,
the serving file holds exactly what a fresh full publish of the same build holds (every table's rows, columns
and types, the masking, the catalogue), and a publish that fails midway leaves the served file as it was.

Small synthetic build files (the large table is just above publish_diff.DIFF_MIN_ROWS, so the difference
path runs); each step changes the build in one deliberate way and says which action it expects."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from revenue_warehouse import publish_diff
from revenue_warehouse.publish import current_generation, publish
from revenue_warehouse.settings import reset_settings

BIG = publish_diff.DIFF_MIN_ROWS + 1_000
PERSONAL = {"fct_touches": ("person_id",), "fct_leads": ("email",)}


def build_sql(path: Path, *statements: str) -> None:
    con = duckdb.connect(str(path))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()


def initial_build(path: Path) -> None:
    build_sql(
        path,
        "create schema marketing; create schema sales; create schema reference; create schema audit; "
        "create schema staging",
        f"create table marketing.fct_touches as select i as touch_id, 'person-' || (i % 997) as person_id, "
        f"'channel ' || (i % 5) as channel, (i * 0.25)::decimal(18, 2) as amount, "
        f"date '2025-01-01' + (i % 365)::int as touch_date from range({BIG}) t(i)",
        "create table marketing.fct_leads as select i as lead_id, 'User' || i || '@Example.com' as email, "
        "i % 3 = 0 as is_mql from range(500) t(i)",
        "create table sales.fct_opportunities as select i as opportunity_id, i * 10.0 as amount from range(300) t(i)",
        "create table reference.departments as select * from (values ('marketing', 1), ('sales', 2)) t(name, id)",
        "create table audit.load_manifest as select 'f' || i as file, i as rows_loaded from range(40) t(i)",
        "create table staging.stg_secret as select 'secret@example.com' as email",
    )


def table_contents(path: Path) -> dict[str, tuple[list[tuple[str, str]], list[tuple]]]:
    """schema.table -> (columns with types, sorted rows) of every table except the publication stamp."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = {}
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall():
            if (schema, table) == ("audit", "publication"):
                continue
            columns = con.execute(
                "select column_name, data_type from duckdb_columns() where database_name = current_database() "
                "and schema_name = ? and table_name = ? order by column_index",
                [schema, table],
            ).fetchall()
            rows = con.execute(f'select * from "{schema}"."{table}"').fetchall()
            if (schema, table) == ("audit", "published_tables"):
                rows = [r[1:] for r in rows]  # the generation differs by construction
            found[f"{schema}.{table}"] = (columns, sorted(rows, key=repr))
        schemas = con.execute(
            "select schema_name from duckdb_schemas() where database_name = current_database() and not internal"
        ).fetchall()
        found["<schemas>"] = ([], sorted(schemas))
        return found
    finally:
        con.close()


def publish_and_compare(build: Path, serving: Path, generation: str, **kwargs) -> dict[str, list[str]]:
    """Publish ``build`` over ``serving`` and check the result equals a fresh full publish of it."""
    result = publish(build, serving, generation=generation, personal=PERSONAL, **kwargs)
    fresh = serving.with_name(f"fresh-{generation}.duckdb")
    publish(build, fresh, generation=generation, personal=PERSONAL, full=True)
    got, want = table_contents(serving), table_contents(fresh)
    assert got.keys() == want.keys()
    for name in want:
        assert got[name][0] == want[name][0], f"{name}: columns differ"
        assert got[name][1] == want[name][1], f"{name}: rows differ"
    assert current_generation(serving) == generation
    return result.actions


def test_publishes_by_difference_equal_a_fresh_full_publish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAREHOUSE_PII_SALT", "salt-one")
    reset_settings()
    # this small file soon holds more free blocks than data: keep reusing it until the compaction step below
    monkeypatch.setattr(publish_diff, "MAX_FREE_BLOCK_SHARE", 1.0)
    build, serving = tmp_path / "build.duckdb", tmp_path / "serving.duckdb"
    initial_build(build)
    first = publish_and_compare(build, serving, "g1")
    assert len(first["written"]) == 5 and not first["kept"]

    # nothing changed: every table is kept as the copy holds it
    same = publish_and_compare(build, serving, "g2")
    assert len(same["kept"]) == 5 and not (same["written"] or same["updated"])

    # rows changed, deleted and added in the large table; a small table changed; others unchanged
    build_sql(
        build,
        "update marketing.fct_touches set channel = 'channel x' where touch_id in (7, 70, 700)",
        "delete from marketing.fct_touches where touch_id between 100 and 119",
        f"insert into marketing.fct_touches select i, 'person-new', 'channel 9', 1.5, date '2026-01-01' "
        f"from range({BIG}, {BIG + 40}) t(i)",
        "update sales.fct_opportunities set amount = amount + 1 where opportunity_id = 3",
    )
    rows = publish_and_compare(build, serving, "g3")
    assert rows["updated"] == ["marketing.fct_touches"]
    assert rows["written"] == ["sales.fct_opportunities"]
    assert set(rows["kept"]) == {"marketing.fct_leads", "reference.departments", "audit.load_manifest"}

    # a column added, a column's type changed (same values, same row hashes), a table dropped, a new table,
    # a whole schema gone
    build_sql(
        build,
        "alter table marketing.fct_leads add column lead_source varchar default 'web'",
        "alter table audit.load_manifest alter rows_loaded type integer",
        "drop table sales.fct_opportunities",
        "create table sales.fct_renewals as select 1 as renewal_id",
        "drop schema reference cascade",
    )
    shapes = publish_and_compare(build, serving, "g4")
    assert set(shapes["written"]) == {"marketing.fct_leads", "sales.fct_renewals", "audit.load_manifest"}
    assert set(shapes["dropped"]) == {"sales.fct_opportunities", "reference.departments"}

    # another salt: every masked table is published again (its masked values change)
    monkeypatch.setenv("WAREHOUSE_PII_SALT", "salt-two")
    reset_settings()
    salted = publish_and_compare(build, serving, "g5")
    assert set(salted["written"]) == {"marketing.fct_leads", "marketing.fct_touches"}
    assert set(salted["kept"]) == {"sales.fct_renewals", "audit.load_manifest"}

    # duplicate rows in the large table: the difference cannot express them, the table is written in full
    build_sql(
        build, "insert into marketing.fct_touches select * from marketing.fct_touches where touch_id < 3"
    )
    duplicated = publish_and_compare(build, serving, "g6")
    assert duplicated["written"] == ["marketing.fct_touches"]
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select count(*) from marketing.fct_touches where touch_id = 1").fetchone()[0] == 2
        assert (
            con.execute(
                "select count(*) from marketing.fct_touches where person_id like 'person-%'"
            ).fetchone()[0]
            == 0
        )  # still masked after every kind of update
        tags = con.execute("select tags from duckdb_databases() where database_name = current_database()")
        assert tags.fetchone()[0]["storage_version"].startswith("v1.")

    # a served file that is mostly free blocks is not reused: everything is written into a new, compact file
    with duckdb.connect(str(serving), read_only=True) as con:
        free, total = con.execute("select free_blocks, total_blocks from pragma_database_size()").fetchone()
    monkeypatch.setattr(publish_diff, "MAX_FREE_BLOCK_SHARE", free / total / 2)
    build_sql(build, "delete from marketing.fct_touches where touch_id = 5")
    compacted = publish_and_compare(build, serving, "g7")
    assert len(compacted["written"]) == 4 and not (compacted["kept"] or compacted["updated"])


def test_a_publish_failing_midway_leaves_the_served_generation_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build, serving = tmp_path / "build.duckdb", tmp_path / "serving.duckdb"
    initial_build(build)
    publish(build, serving, generation="g1", personal=PERSONAL)
    before = serving.read_bytes()
    build_sql(
        build,
        "delete from marketing.fct_touches where touch_id < 10",
        "update audit.load_manifest set rows_loaded = 0",
    )
    real = publish_diff.publish_table
    seen: list[str] = []

    def failing(con, source, previous):  # the large table is updated by difference, then the next one fails
        seen.append(source.table)
        if len(seen) == 3:
            raise RuntimeError("disk full")
        return real(con, source, previous)

    monkeypatch.setattr(publish_diff, "publish_table", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        publish(build, serving, generation="g2", personal=PERSONAL)
    assert "fct_touches" in seen[:2]
    assert serving.read_bytes() == before
    assert current_generation(serving) == "g1"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    monkeypatch.setattr(publish_diff, "publish_table", real)
    result = publish(build, serving, generation="g2", personal=PERSONAL)
    assert result.from_previous and "marketing.fct_touches" in result.actions["updated"]


def test_a_changed_storage_version_publishes_everything_into_a_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build, serving = tmp_path / "build.duckdb", tmp_path / "serving.duckdb"
    initial_build(build)
    publish(build, serving, generation="g1", personal=PERSONAL)
    assert publish(build, serving, generation="g2", personal=PERSONAL).from_previous
    monkeypatch.setenv("WAREHOUSE_SERVING_STORAGE_VERSION", "v1.2.0")
    reset_settings()
    result = publish(build, serving, generation="g3", personal=PERSONAL)
    assert not result.from_previous and len(result.actions["written"]) == 5
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select storage_version from audit.publication").fetchone()[0] == "v1.2.0"


def test_a_large_view_is_served_as_a_table_and_updated_by_difference(tmp_path: Path) -> None:
    """A build may define a large mart as a view (over an incremental table): publish still serves it as a
    table, keeps it while unchanged and updates it by difference (a view has no rowid: its rows are found by
    hash), with the same result as a fresh full publish."""
    build, serving = tmp_path / "build.duckdb", tmp_path / "serving.duckdb"
    initial_build(build)
    publish_and_compare(build, serving, "g1")
    build_sql(
        build,
        "create schema intermediate",
        "create table intermediate.touches as select * from marketing.fct_touches",
        "drop table marketing.fct_touches",
        "create view marketing.fct_touches as select * from intermediate.touches",
    )
    unchanged = publish_and_compare(build, serving, "g2")
    assert "marketing.fct_touches" in unchanged["kept"]
    build_sql(
        build,
        "update intermediate.touches set channel = 'channel y' where touch_id in (3, 30)",
        "delete from intermediate.touches where touch_id between 200 and 204",
        "insert into intermediate.touches select i, 'person-view', 'channel 8', 2.5, date '2026-02-01' "
        f"from range({BIG}, {BIG + 7}) t(i)",
    )
    changed = publish_and_compare(build, serving, "g3")
    assert changed["updated"] == ["marketing.fct_touches"]
    # an added row that duplicates a served one cannot be expressed by difference: written in full
    build_sql(build, "insert into intermediate.touches select * from intermediate.touches where touch_id = 1")
    duplicated = publish_and_compare(build, serving, "g4")
    assert duplicated["written"] == ["marketing.fct_touches"]
    with duckdb.connect(str(serving), read_only=True) as con:
        kind = con.execute(
            "select table_type from information_schema.tables where table_name = 'fct_touches'"
        ).fetchone()[0]
        assert kind == "BASE TABLE"
        assert con.execute("select count(*) from marketing.fct_touches where touch_id = 1").fetchone()[0] == 2
