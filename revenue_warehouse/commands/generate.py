"""``warehouse generate``: write simulated HubSpot, Salesforce and Stripe extracts plus their truth."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from revenue_warehouse.commands.args import iso_date, positive_float, positive_int
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
        "--scale", type=positive_float, default=None, help="1 = about 10,000 leads over 3 years (default 1)"
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed (default 42)")
    parser.add_argument(
        "--out", type=Path, default=None, help="output folder (default: WAREHOUSE_EXTRACTS_DIR)"
    )
    parser.add_argument("--start", type=iso_date, default=None, help="first day (2023-01-01)")
    parser.add_argument(
        "--end", type=iso_date, default=None,
        help="last day = as-of date (2025-12-31); later than the end of the same world already in OUT: "
        "only the new days are written",
    )  # fmt: skip
    parser.add_argument(
        "--horizon", type=iso_date, default=None,
        help="last day simulated (default: --end); the extracts can later be extended up to it "
        "(--extend-days, or --end later), every earlier file staying byte-identical",
    )  # fmt: skip
    parser.add_argument(
        "--extend-days", type=positive_int, default=None, metavar="N",
        help="extend the extracts already in OUT by N days (same world, read from OUT/_truth/meta.json): "
        "writes only the new days' files and the truth as of the new end",
    )  # fmt: skip
    parser.add_argument(
        "--format", choices=("csv", "parquet"), default=None, dest="fmt", help="file format (csv)"
    )
    parser.add_argument("--no-dirt", action="store_true", help="clean data: set every dirt rate to 0")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    parser.set_defaults(handler=handle)


DEFAULTS = {"seed": 42, "scale": 1.0, "start": date(2023, 1, 1), "end": date(2025, 12, 31), "fmt": "csv"}


def handle(args: argparse.Namespace) -> int:
    from revenue_warehouse.simulator import generate
    from revenue_warehouse.simulator.extend import ExtendError, extend, extension_of

    out = args.out or extracts_dir()
    progress = not args.quiet and sys.stderr.isatty()
    given = {k: getattr(args, k) for k in ("seed", "scale", "start", "fmt", "horizon")}
    dirt = "off" if args.no_dirt else None
    try:
        if args.extend_days is not None:
            if args.end is not None:
                raise ExtendError("--extend-days and --end exclude each other")
            summary = extend(out, args.extend_days, progress=progress, dirt=dirt, **given)
        else:
            full = {k: DEFAULTS[k] if v is None else v for k, v in given.items() if k != "horizon"}
            end = args.end or DEFAULTS["end"]
            if args.horizon is not None and args.horizon < end:
                raise ExtendError(f"--horizon {args.horizon} is before the end {end}")
            plan = extension_of(out, end, {**full, "horizon": args.horizon, "dirt": dirt or {}})
            plan = plan or {**full, "end": end, "horizon": args.horizon, "dirt": dirt}
            summary = generate(out, progress=progress, **plan)
    except ExtendError as exc:
        print(f"warehouse generate: error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        files = sum(summary.files.values())
        print(f"wrote {summary.total_rows:,} rows in {files:,} files to {out} in {summary.elapsed:.1f} s")
        if summary.written_through:
            print(
                f"  (extended: files up to {summary.written_through} were already there and left as they are)"
            )
        for table, rows in sorted(summary.rows.items()):
            print(f"  {table:40} {rows:>12,}")
        print(f"truth: {out / '_truth'}")
    return 0
