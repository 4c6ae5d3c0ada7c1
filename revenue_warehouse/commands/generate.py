"""``warehouse generate``: write simulated HubSpot, Salesforce and Stripe extracts plus their truth."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from revenue_warehouse.commands.args import iso_date, positive_float
from revenue_warehouse.paths import extracts_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="Simulate the company and write raw daily extracts (HubSpot, Salesforce, Stripe) with their truth.",
        description=(
            "Simulate one B2B SaaS company (rates in revenue_warehouse/company_profile.yaml) and write its "
            "daily extracts to OUT/<system>/<table>/<YYYY-MM-DD>.<ext>, plus what the simulation knows in "
            "OUT/_truth/ (docs/sources.md). Same arguments give byte-identical files."
        ),
    )
    parser.add_argument(
        "--scale", type=positive_float, default=1.0, help="1 = about 10,000 leads over 3 years (default 1)"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--out", type=Path, default=None, help="output folder (default: WAREHOUSE_EXTRACTS_DIR)"
    )
    parser.add_argument("--start", type=iso_date, default=date(2023, 1, 1), help="first day (2023-01-01)")
    parser.add_argument("--end", type=iso_date, default=date(2025, 12, 31), help="last day = as-of date")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv", dest="fmt", help="file format")
    parser.add_argument("--no-dirt", action="store_true", help="clean data: set every dirt rate to 0")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from revenue_warehouse.simulator import generate

    out = args.out or extracts_dir()
    summary = generate(
        out, scale=args.scale, seed=args.seed, start=args.start, end=args.end, fmt=args.fmt,
        dirt="off" if args.no_dirt else None, progress=not args.quiet and sys.stderr.isatty(),
    )  # fmt: skip
    if not args.quiet:
        files = sum(summary.files.values())
        print(f"wrote {summary.total_rows:,} rows in {files:,} files to {out} in {summary.elapsed:.1f} s")
        for table, rows in sorted(summary.rows.items()):
            print(f"  {table:40} {rows:>12,}")
        print(f"truth: {out / '_truth'}")
    return 0
