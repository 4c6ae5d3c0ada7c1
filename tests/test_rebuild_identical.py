"""Two full builds (load + dbt build) of the same extracts give byte-identical marts: a checksum of
every mart table's rows, each value in full precision (a double that differs in its last bit, such as
0.9999999999999998 against 1.0000000000000002, changes the checksum). Issue 14, item 11."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF

from revenue_warehouse.dbt import run_dbt
from revenue_warehouse.loader import load_extracts

pytestmark = pytest.mark.slow

MART_SCHEMAS = ("marketing", "sales", "customer_success", "funnel", "core", "quality")


def mart_checksums(db: Path) -> dict[str, tuple[int, str]]:
    """Per mart table: (rows, md5 of its rows as text, in a fixed order)."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in (select unnest(?)) and table_type = 'BASE TABLE' order by 1, 2",
            [list(MART_SCHEMAS)],
        ).fetchall()
        sums = {}
        for schema, table in tables:
            rows, digest = con.execute(
                f"""select count(*), md5(coalesce(string_agg(r, chr(10) order by r), ''))
                from (select cast(t as varchar) as r from "{schema}"."{table}" as t)"""
            ).fetchone()
            sums[f"{schema}.{table}"] = (rows, digest)
    return sums


def test_two_full_builds_of_the_same_extracts_are_identical(
    small_extracts: Path, built_db: Path, tmp_path: Path
) -> None:
    second = tmp_path / "build.duckdb"
    load_extracts(second, small_extracts, run_id="second-build")
    run_dbt(["build"], second, dbt_vars={"as_of_date": AS_OF.isoformat()}, target_path=tmp_path / "target")
    first_sums, second_sums = mart_checksums(built_db), mart_checksums(second)
    marts = {name: rows for name, (rows, _) in first_sums.items() if not name.startswith("quality.")}
    assert len(marts) >= 20 and all(rows > 0 for rows in marts.values()), marts
    differing = sorted(name for name in first_sums if first_sums[name] != second_sums.get(name))
    assert set(first_sums) == set(second_sums)
    assert differing == []
