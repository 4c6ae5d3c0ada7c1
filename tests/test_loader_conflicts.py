"""Version conflicts kept per load (``loader_state.version_conflicts``): after each incremental load of
hand-built extracts, the kept count and keys are what the whole-table computation gives and what the
files were shaped to hold (issue 15: per-table audits of a daily load scoped to what it touched)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import duckdb
from test_loader_support import sample_rows, write_extract

from revenue_warehouse.contract import get_table
from revenue_warehouse.loader import load_extracts, recorded_conflicts, version_conflicts

ACCOUNT = get_table("salesforce", "account")
D1, D2, D3 = date(2023, 1, 1), date(2023, 1, 2), date(2023, 1, 3)
T1, T2 = "2023-01-01 10:00:00", "2023-01-02 10:00:00"


def row(base: dict[str, str], record: str, synced: str, name: str) -> dict[str, str]:
    return dict(base, id=record, _fivetran_synced=synced, name=name)


def both(db: Path) -> tuple[tuple[int, list[str]], tuple[int, list[str]]]:
    """(kept by the loader, computed over the whole table)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return recorded_conflicts(con, ACCOUNT), version_conflicts(con, ACCOUNT)


def keys(*records: str) -> tuple[int, list[str]]:
    return len(records), sorted(f"{{'id': {r}}}" for r in records)


def redeliver(extracts: Path, day: date, rows: list[dict[str, str]]) -> None:
    path = write_extract(extracts, "salesforce", "account", day, rows)
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)  # a later modification time: a re-delivery


def test_conflicts_created_and_removed_by_later_files_are_kept_right(tmp_path: Path) -> None:
    base = sample_rows("salesforce", "account", 1)[0]
    extracts, db = tmp_path / "extracts", tmp_path / "b.duckdb"
    # day 1: a-1 in conflict (two names at T1); a-2 one version; a-3 two names at T1 hidden by day 2's
    # newer row; a-4 an exact duplicate (not a conflict)
    write_extract(
        extracts,
        "salesforce",
        "account",
        D1,
        [
            row(base, "a-1", T1, "One"),
            row(base, "a-1", T1, "One bis"),
            row(base, "a-2", T1, "Two"),
            row(base, "a-3", T1, "Three"),
            row(base, "a-3", T1, "Three bis"),
            row(base, "a-4", T1, "Four"),
            row(base, "a-4", T1, "Four"),
        ],
    )
    write_extract(extracts, "salesforce", "account", D2, [row(base, "a-3", T2, "Three later")])
    load_extracts(db, extracts)
    assert both(db) == (keys("a-1"), keys("a-1"))

    # day 3 (a later day's file): a-2 again at the same sync time T1 with another name -> a new conflict
    write_extract(extracts, "salesforce", "account", D3, [row(base, "a-2", T1, "Two other")])
    summary = load_extracts(db, extracts)
    assert [f.status for f in summary.files] == ["skipped_duplicate", "skipped_duplicate", "loaded"]
    assert both(db) == (keys("a-1", "a-2"), keys("a-1", "a-2"))

    # day 1 re-delivered with a-1 in one version only -> its conflict is gone
    redeliver(
        extracts,
        D1,
        [
            row(base, "a-1", T1, "One"),
            row(base, "a-2", T1, "Two"),
            row(base, "a-3", T1, "Three"),
            row(base, "a-3", T1, "Three bis"),
        ],
    )
    summary = load_extracts(db, extracts)
    assert [f.status for f in summary.files] == ["replaced", "skipped_duplicate", "skipped_duplicate"]
    assert both(db) == (keys("a-2"), keys("a-2"))

    # day 2 re-delivered without a-3 -> a-3's latest sync time is T1 again, where it has two names: a
    # conflict of a record with no row in the files loaded now (only the rows the re-delivery removed
    # name it)
    redeliver(extracts, D2, [row(base, "a-5", T2, "Five")])
    summary = load_extracts(db, extracts)
    assert [f.status for f in summary.files] == ["skipped_duplicate", "replaced", "skipped_duplicate"]
    assert both(db) == (keys("a-2", "a-3"), keys("a-2", "a-3"))


def test_a_warehouse_loaded_before_conflicts_were_kept_gets_them_computed_whole(tmp_path: Path) -> None:
    base = sample_rows("salesforce", "account", 1)[0]
    extracts, db = tmp_path / "extracts", tmp_path / "b.duckdb"
    write_extract(
        extracts, "salesforce", "account", D1, [row(base, "a-1", T1, "One"), row(base, "a-1", T1, "Uno")]
    )
    load_extracts(db, extracts)
    with duckdb.connect(str(db)) as con:  # as an older loader left it
        con.execute("DROP TABLE loader_state.version_conflicts")
        con.execute("DROP TABLE loader_state.version_conflict_tables")
        assert recorded_conflicts(con, ACCOUNT) is None
    load_extracts(db, extracts)  # nothing new to load
    assert both(db) == (keys("a-1"), keys("a-1"))


def test_whole_table_conflicts_equal_a_python_count_with_null_keys_and_sync_times(tmp_path: Path) -> None:
    """``version_conflicts`` on rows written straight into raw (NULL keys, NULL sync times, exact
    duplicates, conflicts hidden by a later sync time, a NULL value against a value), against the
    rule computed in Python: per record (NULL a record of its own), among its rows with a sync time,
    those at the latest one; two or more different versions there is a conflict."""
    import random

    from revenue_warehouse.loader.schema import ensure_audit, ensure_raw_table

    rng = random.Random(15)
    times = [None, "2023-01-01 10:00:00", "2023-01-02 10:00:00", "2023-01-03 10:00:00"]
    rows = [
        (
            rng.choice([None, *(f"a-{i}" for i in range(40))]),
            rng.choice(times),
            rng.choice([None, "x", "y"]),
        )
        for _ in range(200)
    ]
    # a NULL key in conflict at the latest time; a record whose rows have no sync time
    rows += [
        (None, "2023-01-04 10:00:00", "x"),
        (None, "2023-01-04 10:00:00", "y"),
        ("b-1", None, "x"),
        ("b-1", None, "y"),
    ]
    with duckdb.connect(str(tmp_path / "b.duckdb")) as con:
        ensure_audit(con)
        ensure_raw_table(con, ACCOUNT)
        con.executemany(
            "INSERT INTO raw_salesforce.account (id, _fivetran_synced, name) VALUES (?, ?::TIMESTAMP, ?)",
            rows,
        )
        got = version_conflicts(con, ACCOUNT, sample=100)
    latest: dict = {}
    for record, synced, _ in rows:
        if synced is not None:
            latest[record] = max(latest.get(record, synced), synced)
    versions: dict = {}
    for record, synced, name in rows:
        if synced is not None and synced == latest[record]:
            versions.setdefault(record, set()).add(name)
    expected = sorted(f"{{'id': {'NULL' if r is None else r}}}" for r, v in versions.items() if len(v) > 1)
    assert got == (len(expected), expected)
    assert "{'id': NULL}" in expected and 0 < len(expected) < len(versions)  # both kinds of record
