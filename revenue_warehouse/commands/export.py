"""``warehouse export``: write the served warehouse as files (Parquet) with a manifest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="Export every published table as Parquet, with a manifest.",
        description=(
            "Read the serving file (read-only) and write DIR/<schema>/<table>.parquet for every published "
            "table, and DIR/manifest.json (publication, tables, row counts, columns, descriptions)."
        ),
    )
    parser.add_argument("out_dir", type=Path, metavar="DIR", help="output folder (created if missing)")
    parser.add_argument("--format", choices=("parquet",), default="parquet", help="file format (parquet)")
    parser.add_argument(
        "--serving", type=Path, default=None, help="serving file (default: WAREHOUSE_SERVING_DB)"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    import duckdb

    from revenue_warehouse.export import export_parquet

    try:
        result = export_parquet(args.out_dir, args.serving)
    except (FileNotFoundError, duckdb.Error) as exc:
        lines = str(exc).strip().splitlines() or [type(exc).__name__]
        print(f"warehouse export: error: {lines[0]}", file=sys.stderr)
        return 1
    print(f"exported {result.tables} tables, {result.rows} rows to {result.out_dir} ({result.manifest_path})")
    return 0
