"""The project's DuckDB ``table`` materialization (macros/table_materialization.sql,
docs/decisions.md#the-duckdb-table-materialization): a rebuild replaces the table in place with the same
rows and leaves no temporary or backup relation; an enforced contract still stops a bad rebuild, which
then leaves the old table as it was; a view in the table's place is replaced by the table."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from materialization_support import relations_named, run_model

pytestmark = pytest.mark.slow  # real dbt runs on the full build

MODEL = "dim_sales_reps"  # contract enforced, sales_rep_id not null (models/marts/sales/_sales__models.yml)


def rows(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"SELECT * FROM sales.{MODEL} ORDER BY sales_rep_id").fetchall()


def test_table_rebuilds_in_place_and_a_contract_violation_keeps_the_old_table(
    built_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "build.duckdb"
    shutil.copy(built_db, db)
    before = rows(db)
    assert before

    run_model(MODEL, db, tmp_path / "target")
    assert rows(db) == before
    assert relations_named(db, "sales", MODEL) == {MODEL: "table"}  # no __dbt_tmp / __dbt_backup left
    compiled = next((tmp_path / "target" / "run").rglob(f"{MODEL}.sql")).read_text()
    assert "create or replace table" in compiled.lower()  # the project's materialization ran

    # a user without an id reaches the model: the contract's not-null constraint fails the insert
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO staging.stg_salesforce__users BY NAME SELECT NULL AS user_id")
    failed = run_model(MODEL, db, tmp_path / "target-bad", check=False)
    assert failed.returncode != 0
    assert "NOT NULL constraint failed" in failed.stdout, failed.stdout[-3000:]
    assert rows(db) == before  # rolled back: the old table, whole
    assert relations_named(db, "sales", MODEL) == {MODEL: "table"}

    # a view where the table goes (e.g. the model was a view before) is replaced by the table
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM staging.stg_salesforce__users WHERE user_id IS NULL")
        con.execute(f"DROP TABLE sales.{MODEL}")
        con.execute(f"CREATE VIEW sales.{MODEL} AS SELECT 1 AS sales_rep_id")
    run_model(MODEL, db, tmp_path / "target-view")
    assert relations_named(db, "sales", MODEL) == {MODEL: "table"}
    assert rows(db) == before
