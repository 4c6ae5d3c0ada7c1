"""``warehouse engines``: hand the loader's validated raw layer to another engine (docs/scaling.md):
``export`` writes it as Parquet per table, ``to-postgres`` bulk-copies an export into the PostgreSQL
server of the ``postgres`` dbt target (WAREHOUSE_PG_*), ``to-spark`` registers an export as Spark
tables in the ``spark`` target's metastore (WAREHOUSE_SPARK_DIR). Then build with
``WAREHOUSE_DBT_TARGET=postgres|spark dbt build``."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from revenue_warehouse import paths
from revenue_warehouse.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "engines",
        help="Export the loaded raw layer as Parquet and hand it to PostgreSQL or Spark.",
        description=(
            "The raw layer for another engine (docs/scaling.md): export the loaded raw and audit tables as "
            "Parquet, bulk-copy an export into the postgres dbt target, or register it in the spark target; "
            "then build with WAREHOUSE_DBT_TARGET=postgres|spark dbt build."
        ),
    )
    actions = parser.add_subparsers(
        dest="action", metavar="ACTION", required=True, help="export, to-postgres or to-spark"
    )
    export = actions.add_parser("export", help="raw_<system>.* and audit manifest/quarantine -> Parquet")
    export.add_argument(
        "--db", type=Path, default=None, help="loaded DuckDB file (default: WAREHOUSE_BUILD_DB)"
    )
    export.add_argument("--out", type=Path, default=None, help="folder (default: <data>/raw_layer)")
    to_pg = actions.add_parser("to-postgres", help="bulk-copy an export into the postgres target")
    to_spark = actions.add_parser("to-spark", help="register an export as tables of the spark target")
    for p in (to_pg, to_spark):
        p.add_argument("--raw", type=Path, default=None, help="exported folder (default: <data>/raw_layer)")
    parser.set_defaults(handler=handle)


def _default_raw() -> Path:
    return paths.data_dir() / "raw_layer"


def handle(args: argparse.Namespace) -> int:
    if args.action == "export":
        from revenue_warehouse.engines.raw_layer import export_raw_layer

        tables = export_raw_layer(args.db or paths.build_db_path(), args.out or _default_raw())
    elif args.action == "to-postgres":
        from revenue_warehouse.engines.postgres import PostgresTarget, copy_raw_layer

        target = PostgresTarget(**dataclasses.asdict(get_settings().postgres))
        tables = copy_raw_layer(target, args.raw or _default_raw())
    else:
        from revenue_warehouse.engines.spark import SparkTarget, register_raw_layer, session

        with session(SparkTarget(get_settings().spark_dir)) as spark:
            tables = register_raw_layer(spark, args.raw or _default_raw())
    for t in tables:
        print(f"  {t.qualified_name}: {t.rows} rows")
    print(f"{args.action}: {len(tables)} tables, {sum(t.rows for t in tables)} rows")
    return 0
