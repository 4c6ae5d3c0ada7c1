"""The project's DuckDB ``incremental`` materialization (macros/incremental_materialization.sql,
docs/decisions.md#the-duckdb-incremental-materialization): an incremental run keeps the rows and leaves
no temporary or backup relation; on_schema_change='fail' still stops a run whose query's columns differ
from the stored table's (a column more, a column less, another type) before anything is written; a
full refresh, a first build and a view in the table's place build the table with one
``create or replace table``. The daily increments against a full refresh are
tests/test_incremental_equivalence.py's."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from materialization_support import relations_named, run_model

pytestmark = pytest.mark.slow  # real dbt runs on the full build

MODEL = "stg_hubspot__owners"  # incremental, delete+insert on owner_id, on_schema_change='fail'
TABLE = f"staging.{MODEL}"
COLUMNS = "owner_id, email, first_name, last_name, owner_type, _source_row_number"


def rows(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"SELECT {COLUMNS} FROM {TABLE} ORDER BY owner_id").fetchall()


def compiled_run(target: Path) -> str:
    return next((target / "run").rglob(f"{MODEL}.sql")).read_text().lower()


@pytest.fixture()
def db(built_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "build.duckdb"
    shutil.copy(built_db, copy)
    return copy


def test_incremental_run_full_refresh_and_first_build_keep_the_rows(db: Path, tmp_path: Path) -> None:
    before = rows(db)
    assert before

    run_model(MODEL, db, tmp_path / "target")
    assert rows(db) == before
    assert relations_named(db, "staging", MODEL) == {MODEL: "table"}  # no __dbt_tmp / __dbt_backup left
    assert "delete from" in compiled_run(tmp_path / "target")  # delete+insert

    run_model(MODEL, db, tmp_path / "target-full", "--full-refresh")
    # the project's materialization
    assert "create or replace table" in compiled_run(tmp_path / "target-full")
    assert rows(db) == before
    assert relations_named(db, "staging", MODEL) == {MODEL: "table"}

    with duckdb.connect(str(db)) as con:  # a first build
        con.execute(f"DROP TABLE {TABLE}")
    run_model(MODEL, db, tmp_path / "target-first")
    assert rows(db) == before
    assert relations_named(db, "staging", MODEL) == {MODEL: "table"}

    with duckdb.connect(str(db)) as con:  # a view where the table goes: replaced by the table
        con.execute(f"DROP TABLE {TABLE}")
        con.execute(f"CREATE VIEW {TABLE} AS SELECT 1 AS owner_id")
    run_model(MODEL, db, tmp_path / "target-view")
    assert relations_named(db, "staging", MODEL) == {MODEL: "table"}
    assert rows(db) == before


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (
            f"ALTER TABLE {TABLE} ADD COLUMN extra_column INTEGER",
            "Target columns not in source: [DuckDBColumn(column='extra_column'",
        ),
        (
            f"ALTER TABLE {TABLE} DROP COLUMN created_at",
            "Source columns not in target: [DuckDBColumn(column='created_at'",
        ),
        (f"ALTER TABLE {TABLE} ALTER _source_row_number TYPE INTEGER", "'column_name': '_source_row_number'"),
    ],
    ids=["column-more", "column-less", "other-type"],
)
def test_a_schema_change_fails_the_incremental_run(
    db: Path, tmp_path: Path, change: str, reported: str
) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute(change)
    before = rows(db)

    failed = run_model(MODEL, db, tmp_path / "target", check=False)
    assert failed.returncode != 0
    assert "The source and target schemas on this incremental model are out of sync!" in failed.stdout, (
        failed.stdout[-3000:]
    )
    assert reported in failed.stdout, failed.stdout[-3000:]
    assert rows(db) == before
