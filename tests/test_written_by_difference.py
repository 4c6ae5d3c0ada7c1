"""Tables written by difference (macros/written_by_difference.sql, docs/decisions.md#incremental-models):
an incremental run computes every row, writes only the rows that are new or differ from the stored
ones and deletes the stored rows no longer computed, so the table equals what the model computes
while the rows that did not change are not written again. The daily increments against a full
refresh, with real changes of persons and journeys, are tests/test_incremental_equivalence.py's."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from materialization_support import relations_named, run_model

pytestmark = pytest.mark.slow  # real dbt runs on the full build

# (schema, model, primary key, a text column to damage); the journeys have no column that is never
# null, the handoffs mart has an enforced contract
MODELS = [
    ("intermediate", "int_person_journeys_assembled", "journey_id", "lead_owner_id"),
    ("funnel", "fct_handoffs", "handoff_instance_id", "status"),
]


@pytest.fixture()
def db(built_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "build.duckdb"
    shutil.copy(built_db, copy)
    return copy


def table_rows(db: Path, table: str, key: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall()


def written_rows(db: Path, compiled: Path) -> dict[str, bool]:
    """What a run's compiled SQL writes on ``db``: key -> withdrawn flag."""
    with duckdb.connect(str(db), read_only=True) as con:
        sql = f"SELECT * FROM ({compiled.read_text()}) AS run"
        names = [d[0] for d in con.execute(f"{sql} LIMIT 0").description]
        return {row[0]: row[names.index("_by_difference_withdrawn")] for row in con.execute(sql).fetchall()}


@pytest.mark.parametrize(("schema", "model", "key", "column"), MODELS, ids=[m[1] for m in MODELS])
def test_only_the_differences_are_written(
    db: Path, tmp_path: Path, schema: str, model: str, key: str, column: str
) -> None:
    table = f"{schema}.{model}"
    built = table_rows(db, table, key)  # the full build's rows: what the model computes
    assert len(built) > 10

    # the stored table damaged three ways: a value changed, a row missing, a row the model does not
    # compute (every column but the key null, as a real journey may be)
    changed_key, missing_key = built[0][0], built[1][0]
    with duckdb.connect(str(db)) as con:
        con.execute(f"UPDATE {table} SET {column} = 'damaged' WHERE {key} = ?", [changed_key])
        con.execute(f"DELETE FROM {table} WHERE {key} = ?", [missing_key])
        con.execute(f"INSERT INTO {table} ({key}) VALUES ('not-a-computed-key')")
    damaged = tmp_path / "damaged" / db.name  # the same file name: the compiled SQL names its catalog
    damaged.parent.mkdir()
    shutil.copy(db, damaged)

    run_model(model, db, tmp_path / "target")
    assert table_rows(db, table, key) == built
    assert relations_named(db, schema, model) == {model: "table"}  # no temporary relation left
    # what the run wrote: the two damaged rows, and the stored row no longer computed withdrawn
    compiled = next((tmp_path / "target" / "compiled").rglob(f"{model}.sql"))
    assert written_rows(damaged, compiled) == {
        changed_key: False,
        missing_key: False,
        "not-a-computed-key": True,
    }
    # and on the repaired table nothing
    assert written_rows(db, compiled) == {}


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (  # the model computes a column the table lacks: dbt's schema check
            "ALTER TABLE {table} DROP COLUMN lead_owner_id",
            "Source columns not in target: [DuckDBColumn(column='lead_owner_id'",
        ),
        (  # the table has a column the model no longer computes: the comparison cannot bind it
            "ALTER TABLE {table} ADD COLUMN extra_column INTEGER",
            'does not have a column named "extra_column"',
        ),
    ],
    ids=["column-more-in-model", "column-more-in-table"],
)
def test_a_column_change_stops_the_run_before_anything_is_written(
    db: Path, tmp_path: Path, change: str, reported: str
) -> None:
    table, key = "intermediate.int_person_journeys_assembled", "journey_id"
    with duckdb.connect(str(db)) as con:
        con.execute(change.format(table=table))
    before = table_rows(db, table, key)

    failed = run_model("int_person_journeys_assembled", db, tmp_path / "target", check=False)
    assert failed.returncode != 0
    assert reported in failed.stdout, failed.stdout[-3000:]
    assert table_rows(db, table, key) == before
