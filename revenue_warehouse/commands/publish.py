"""``warehouse publish``: copy the checked marts into the serving file (write-audit-publish)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from revenue_warehouse.paths import build_db_path, serving_db_path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "publish",
        help="Publish the checked build to the read-only serving database.",
        description=(
            "Refuse unless every blocking check passed for the run (default: the latest checked run), then "
            "copy the marts and audit schemas, personal data hashed, into a new serving file that atomically "
            "replaces the served one."
        ),
    )
    parser.add_argument("--db", type=Path, default=None, help="build database (default: WAREHOUSE_BUILD_DB)")
    parser.add_argument(
        "--serving", type=Path, default=None, help="serving file (default: WAREHOUSE_SERVING_DB)"
    )
    parser.add_argument("--run-id", default=None, help="the checked run to publish (default: latest)")
    parser.add_argument(
        "--full",
        action="store_true",
        help="write every table into a new file instead of starting from a copy of the served one",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from revenue_warehouse.build_db import run_lock

    with run_lock(args.db or build_db_path()):  # one run at a time per build file, taken before anything else
        return _handle(args)


def _handle(args: argparse.Namespace) -> int:
    from revenue_warehouse.publish import NotAServingFile, refuse_foreign_serving
    from revenue_warehouse.quality.gate import latest_run_id

    db = args.db or build_db_path()
    serving = args.serving or serving_db_path()
    try:
        refuse_foreign_serving(serving)  # before anything else; publish checks again under its lock
        return _publish_checked(db, serving, args.run_id or latest_run_id(db), full=args.full)
    except NotAServingFile as exc:
        print(f"warehouse publish: error: {exc}", file=sys.stderr)
        return 2


def _publish_checked(db: Path, serving: Path, run_id: str | None, *, full: bool = False) -> int:
    from revenue_warehouse.publish import publish
    from revenue_warehouse.quality.gate import NotChecked, assert_publishable
    from revenue_warehouse.quality.results import CheckFailed

    try:
        assert_publishable(db, run_id)
    except (NotChecked, CheckFailed) as exc:
        print(f"not published, {serving} left as it was: {exc}")
        return 1
    result = publish(db, serving, generation=run_id, full=full)
    print(
        f"published run {run_id} to {result.serving_path}: {len(result.row_counts)} tables, "
        f"{sum(result.row_counts.values())} rows, {len(result.masked_columns)} personal columns hashed "
        f"({result.seconds:.1f} s; {result.summary()})"
    )
    return 0
