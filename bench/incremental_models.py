"""Incremental model benchmark: what one incremental run of each selected model costs on a built
warehouse, without changing it. Compiles the models (``dbt compile``, their incremental SQL, vars as
``run_dbt`` gives them) on the build file, then for each one, in a transaction that is rolled back,
creates the run's rows from the compiled SQL and does dbt's delete+insert on the model's
``unique_key`` and, for the models with marker rows, the post-hook's delete (null primary key,
macros/incremental_helpers.sql). Prints the rows and the CPU seconds (user + system of this process:
DuckDB's threads included) of the query and of the write. Work on a copy of the build file: dbt
compile opens it for writing.

    cp data/warehouse/build.duckdb /tmp/copy.duckdb
    .venv/bin/python bench/incremental_models.py /tmp/copy.duckdb fct_pipeline_daily int_customer_months_classified
    .venv/bin/python bench/incremental_models.py /tmp/copy.duckdb --compiled /tmp/target fct_pipeline_daily  # reuse

A staging model's compiled SQL reads the raw rows loaded after its newest ``_loaded_at``, none on a
build that is up to date; ``--staging-last-load`` measures the last load again: inside the rolled-back
transaction the records kept from the last load are deleted and the SQL reads from the load before.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb
from extend import cpu_seconds  # bench/extend.py: the run is `python bench/incremental_models.py`

from revenue_warehouse.dbt import run_dbt

MARKER_KEYS = {  # the models whose post-hook deletes marker rows: their primary key
    "int_opportunity_stage_visits_derived": "stage_visit_id",
    "int_subscription_lines_normalized": "invoice_line_item_id",
    "int_customer_months_classified": "customer_month_id",
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("db", type=Path)
    parser.add_argument("models", nargs="+")
    parser.add_argument("--compiled", type=Path, help="a dbt target folder to compile into (or reuse)")
    parser.add_argument("--staging-last-load", action="store_true")
    args = parser.parse_args()
    target = args.compiled or args.db.parent / "incremental_models_target"
    if not (target / "manifest.json").exists():
        run_dbt(["compile", "--select", *args.models], args.db, target_path=target)
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    con = duckdb.connect(str(args.db))
    for name in args.models:
        node = nodes[name]
        relation = f"{node['schema']}.{node['alias']}"
        key = node["config"]["unique_key"]
        key = ", ".join(key) if isinstance(key, list) else key
        sql = (target / "compiled" / node["package_name"] / node["original_file_path"]).read_text()
        con.execute("begin")
        if args.staging_last_load and node["schema"] == "staging":
            last, before = con.execute(
                f"select max(_loaded_at), max(_loaded_at) filter (where _loaded_at < "
                f"(select max(_loaded_at) from {relation})) from {relation}"
            ).fetchone()
            con.execute(f"delete from {relation} where _loaded_at = ?", [last])
            sql = sql.replace(str(last), str(before))
        start, wall = cpu_seconds(), time.time()
        con.execute(f"create temp table _incremental_rows as ({sql})")
        queried = cpu_seconds()
        rows = con.execute("select count(*) from _incremental_rows").fetchone()[0]
        con.execute(f"delete from {relation} where ({key}) in (select {key} from _incremental_rows)")
        con.execute(f"insert into {relation} select * from _incremental_rows")
        if name in MARKER_KEYS:
            con.execute(f"delete from {relation} where {MARKER_KEYS[name]} is null")
        written = cpu_seconds()
        con.execute("rollback")
        print(
            f"{name:40s} rows {rows:9,d}  query {queried - start:6.2f} CPU s  write {written - queried:6.2f}"
            f"  total {written - start:6.2f}  (wall {time.time() - wall:.2f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
