"""Shared by the tests of the project's DuckDB materializations (table and incremental): the relations
a model left in its schema, and one dbt run of the model."""

from __future__ import annotations

from pathlib import Path

import duckdb
from conftest import AS_OF

from revenue_warehouse.dbt import run_dbt


def relations_named(db: Path, schema: str, model: str) -> dict[str, str]:
    """Every relation of ``schema`` whose name starts with ``model`` (its ``__dbt_tmp`` and
    ``__dbt_backup`` leftovers too), with its type."""
    with duckdb.connect(str(db), read_only=True) as con:
        found = con.execute(
            "SELECT table_name, 'table' FROM duckdb_tables() WHERE schema_name = ? AND table_name LIKE ? "
            "UNION ALL SELECT view_name, 'view' FROM duckdb_views() WHERE schema_name = ? AND view_name LIKE ?",
            [schema, f"{model}%", schema, f"{model}%"],
        ).fetchall()
    return dict(found)


def run_model(model: str, db: Path, target: Path, *extra: str, check: bool = True):
    """``dbt run --select model`` on ``db`` as of the fixtures' date."""
    return run_dbt(
        ["run", "--select", model, *extra],
        db,
        dbt_vars={"as_of_date": AS_OF.isoformat()},
        target_path=target,
        check=check,
    )
