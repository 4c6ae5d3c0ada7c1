"""``warehouse load``: load extract files into the build database's raw tables (no Dagster)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from revenue_warehouse import paths
from revenue_warehouse.commands.args import existing_dir, iso_date
from revenue_warehouse.contract import SYSTEMS


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "load",
        help="Load extract files into raw_<system> tables (idempotent).",
        description=(
            "Load the extract files of a folder (<system>/<table>/<YYYY-MM-DD>.csv|parquet) into the build "
            "database's raw tables, without Dagster; files already loaded are skipped. Exit 1 if a file failed."
        ),
    )
    p.add_argument(
        "--extracts",
        type=existing_dir,
        default=None,
        help="extracts folder (default: WAREHOUSE_EXTRACTS_DIR)",
    )
    p.add_argument("--db", type=Path, default=None, help="build DuckDB file (default: WAREHOUSE_BUILD_DB)")
    p.add_argument("--from", dest="start", type=iso_date, help="first extract date (YYYY-MM-DD)")
    p.add_argument("--to", dest="end", type=iso_date, help="last extract date (YYYY-MM-DD)")
    p.add_argument("--system", dest="systems", action="append", choices=sorted(SYSTEMS), help="repeatable")
    p.add_argument(
        "--run-id", default="manual", help="run id recorded in audit.load_manifest (default manual)"
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from revenue_warehouse.build_db import run_lock

    with run_lock(
        args.db or paths.build_db_path()
    ):  # one run at a time per build file, taken before anything else
        return _handle(args)


def _handle(args: argparse.Namespace) -> int:
    from revenue_warehouse.loader import list_extracts, load_extracts

    extracts = args.extracts or paths.extracts_dir()
    db = args.db or paths.build_db_path()
    listing = list_extracts(extracts)  # once: the dates of the range and the load use it
    dates = None
    if args.start or args.end:  # the extract dates present in the range (not every calendar day of it)
        start, end = args.start or date.min, args.end or date.max
        dates = [day for day in listing.dates() if start <= day <= end]
    summary = load_extracts(
        db, extracts, dates=dates, systems=args.systems, run_id=args.run_id, listing=listing
    )
    for name, t in summary.table_totals().items():
        print(
            f"{name:<40} files {t['files']:>5}  rows {t['rows_loaded']:>10,}  quarantined {t['rows_quarantined']:>7,}"
            f"  skipped {t['skipped_files']:>5}  failed {t['failed_files']:>3}"
        )
    for path, reason in summary.unknown_paths.items():
        print(f"not loaded ({reason}): {path}")
    for f in summary.failures:
        print(f"FAILED {f.file}: {f.error}")
    print(f"{len(summary.files)} files, {summary.rows_quarantined:,} rows quarantined, into {db}")
    return 1 if summary.failures else 0
