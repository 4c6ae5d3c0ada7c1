"""BI access to the serving file, each route in a throwaway environment made with uv from the registry:
an older DuckDB engine (1.1, what BI tools bundle) opens every table, SQLAlchemy + duckdb-engine reflects
schemas, tables and columns and runs a query, and every code block in docs/connect-bi.md runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from throwaway_env import make_env

from revenue_warehouse.paths import PROJECT_DIR

pytestmark = pytest.mark.slow

# The engines BI tools bundle: DuckDB 1.1 (the oldest able to read the serving file's storage format) with
# the SQLAlchemy dialect. SQLAlchemy 2.0.36: later 2.0.x reflect columns through pg_catalog.pg_collation,
# which DuckDB 1.1 lacks, and 2.1 fails column reflection with duckdb-engine 0.17 (docs/connect-bi.md).
BI_PACKAGES = ("duckdb==1.1.3", "sqlalchemy==2.0.36", "duckdb-engine==0.17.0", "duckdb-cli==1.5.6")
OLD_DUCKDB = "1.1.3"


@pytest.fixture(scope="session")
def bi_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_env(tmp_path_factory.mktemp("bi-env") / "venv", BI_PACKAGES)


def run_python(bin_dir: Path, code: str, *args: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(
        [str(bin_dir / "python"), "-c", code, *args], capture_output=True, text=True, cwd=cwd
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def catalogue(path: Path) -> dict[str, dict]:
    """schema.table -> {rows, columns, comment} as DuckDB 2.0 (the project's engine) sees the file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        found: dict[str, dict] = {}
        tables = con.execute(
            "select schema_name, table_name, comment from duckdb_tables() where database_name = current_database()"
        ).fetchall()
        for schema, table, comment in tables:
            columns = [
                r[0]
                for r in con.execute(
                    "select column_name from duckdb_columns() where database_name = current_database() "
                    "and schema_name = ? and table_name = ? order by column_index",
                    [schema, table],
                ).fetchall()
            ]
            rows = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            found[f"{schema}.{table}"] = {"rows": rows, "columns": columns, "comment": comment}
        return found
    finally:
        con.close()


OLD_ENGINE_SCRIPT = """
import duckdb, json, sys
con = duckdb.connect(sys.argv[1], read_only=True)
out = {"version": duckdb.__version__, "tables": {}}
for schema, table, comment in con.execute(
    "select schema_name, table_name, comment from duckdb_tables() where database_name = current_database()"
).fetchall():
    rel = f'"{schema}"."{table}"'
    rows = con.execute(f"select * from {rel}").fetchall()
    columns = [d[0] for d in con.execute(f"select * from {rel} limit 0").description]
    out["tables"][f"{schema}.{table}"] = {"rows": len(rows), "columns": columns, "comment": comment}
print(json.dumps(out))
"""


def test_duckdb_1_1_opens_the_serving_file_and_reads_every_table(bi_bin: Path, served_db: Path) -> None:
    seen = json.loads(run_python(bi_bin, OLD_ENGINE_SCRIPT, str(served_db)))
    assert seen["version"] == OLD_DUCKDB
    assert seen["tables"] == catalogue(served_db)
    assert seen["tables"]["marketing.fct_leads"]["rows"] > 0


def test_duckdb_1_1_opens_a_serving_file_published_by_difference(bi_bin: Path, tmp_path: Path) -> None:
    """A publication that started as a copy of the served file (opened read-write by DuckDB 2.0, tables
    kept, updated by difference, written and dropped) stays in the storage format old engines read."""
    from test_publish_diff import BIG, PERSONAL, build_sql, initial_build

    from revenue_warehouse.publish import publish

    build, serving = tmp_path / "build.duckdb", tmp_path / "serving.duckdb"
    initial_build(build)
    publish(build, serving, generation="g1", personal=PERSONAL)
    build_sql(
        build,
        "delete from marketing.fct_touches where touch_id < 10",
        f"insert into marketing.fct_touches select i, 'p', 'c', 1, date '2026-01-01' from range({BIG}, {BIG + 9}) t(i)",
        "update sales.fct_opportunities set amount = 0 where opportunity_id = 1",
        "drop table reference.departments",
    )
    result = publish(build, serving, generation="g2", personal=PERSONAL)
    assert result.from_previous and result.actions["updated"] == ["marketing.fct_touches"]
    assert result.actions["dropped"] == ["reference.departments"]
    seen = json.loads(run_python(bi_bin, OLD_ENGINE_SCRIPT, str(serving)))
    assert seen["version"] == OLD_DUCKDB
    assert seen["tables"] == catalogue(serving)
    assert seen["tables"]["marketing.fct_touches"]["rows"] == BIG - 1


SQLALCHEMY_SCRIPT = """
import json, sys
import sqlalchemy as sa
engine = sa.create_engine("duckdb:///" + sys.argv[1], connect_args={"read_only": True})
inspector = sa.inspect(engine)
out = {"schemas": inspector.get_schema_names(), "tables": {}}
for schema in sys.argv[2].split(","):
    for table in inspector.get_table_names(schema=schema):
        out["tables"][f"{schema}.{table}"] = {
            "columns": [c["name"] for c in inspector.get_columns(table, schema=schema)],
            "comment": inspector.get_table_comment(table, schema=schema)["text"],
        }
with engine.connect() as con:
    out["leads"] = con.execute(sa.text("select count(*) from marketing.fct_leads")).scalar()
print(json.dumps(out))
"""


def test_sqlalchemy_duckdb_engine_reflects_schemas_tables_columns_and_queries(
    bi_bin: Path, served_db: Path
) -> None:
    expected = catalogue(served_db)
    schemas = sorted({name.split(".")[0] for name in expected})
    seen = json.loads(run_python(bi_bin, SQLALCHEMY_SCRIPT, str(served_db), ",".join(schemas)))
    assert {f"serving.{s}" for s in schemas} <= set(seen["schemas"])
    assert seen["tables"] == {
        name: {"columns": info["columns"], "comment": info["comment"]} for name, info in expected.items()
    }
    assert seen["leads"] == expected["marketing.fct_leads"]["rows"]


def doc_blocks(path: Path) -> list[tuple[str, str]]:
    """(language, code) of every fenced sh/python block in a Markdown file."""
    return re.findall(r"```(sh|python)\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def test_every_code_block_in_connect_bi_runs(bi_bin: Path, served_db: Path, tmp_path: Path) -> None:
    """Blocks run in order in a folder laid out like the project: data/warehouse/serving.duckdb and
    .venv (the project's, for `warehouse export`); the BI environment's duckdb CLI and python first on PATH."""
    (tmp_path / "data" / "warehouse").mkdir(parents=True)
    shutil.copy(served_db, tmp_path / "data" / "warehouse" / "serving.duckdb")
    (tmp_path / ".venv").symlink_to(PROJECT_DIR / ".venv")
    env = {**os.environ, "PATH": f"{bi_bin}{os.pathsep}{os.environ['PATH']}"}
    env.pop("WAREHOUSE_SERVING_DB", None)
    env.pop("WAREHOUSE_DATA_DIR", None)
    blocks = doc_blocks(PROJECT_DIR / "docs" / "connect-bi.md")
    assert {lang for lang, _ in blocks} == {"sh", "python"} and len(blocks) >= 5
    leads = str(catalogue(served_db)["marketing.fct_leads"]["rows"])
    outputs = []
    for lang, code in blocks:
        cmd = (
            ["bash", "-euo", "pipefail", "-c", code] if lang == "sh" else [str(bi_bin / "python"), "-c", code]
        )
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, env=env)
        assert proc.returncode == 0, f"{lang} block failed:\n{code}\n{proc.stdout}{proc.stderr}"
        outputs.append(proc.stdout)
    # each route that counts the leads gets the published count
    assert sum(leads in out for out in outputs) >= 4, outputs
