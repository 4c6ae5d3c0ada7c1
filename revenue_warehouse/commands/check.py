"""``warehouse check``: run the Great Expectations suites on the build database."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Sequence
from pathlib import Path

from revenue_warehouse.commands.args import existing_file, iso_date, suite_name
from revenue_warehouse.paths import build_db_path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="Run the GX handoff and load-completeness checks on the build database.",
        description=(
            "Validate the handoff marts and load completeness with Great Expectations, write "
            "audit.check_results and Data Docs HTML, and exit 1 if a blocking (severity error) check fails."
        ),
    )
    parser.add_argument("--db", type=Path, default=None, help="build database (default: WAREHOUSE_BUILD_DB)")
    parser.add_argument(
        "--suite", action="append", dest="suites", type=suite_name, help="run only this suite (repeatable)"
    )
    parser.add_argument("--run-id", default=None, help="run id recorded with the results (default: new)")
    parser.add_argument("--as-of", type=iso_date, default=None, help="as-of date (default: latest extract)")
    parser.add_argument(
        "--config", type=existing_file, default=None, help="checks.yml (default: WAREHOUSE_CHECKS_CONFIG)"
    )
    parser.set_defaults(handler=handle)


# one label per outcome (quality.results.outcome, the rule the run summaries count by)
LABELS = {
    "passed": "PASS",
    "warned": "WARN",
    "failed": "FAIL",
    "error": "ERR",
    "not_applicable": "N/A",
    "no_records": "NONE",
}


def print_results(results: Sequence) -> None:
    from revenue_warehouse.quality.results import outcome

    for r in results:
        status = LABELS[outcome(r)]
        detail = (
            r.reason or f"{r.failing_record_count} failing of {r.element_count}, observed {r.observed_value}"
        )
        print(f"  {status:4} {r.suite}.{r.expectation}: {detail}")


def handle(args: argparse.Namespace) -> int:
    from revenue_warehouse.build_db import run_lock

    with run_lock(args.db or build_db_path()):  # one run at a time per build file, taken before anything else
        return _handle(args)


def _handle(args: argparse.Namespace) -> int:
    from revenue_warehouse.errors import log_traceback
    from revenue_warehouse.quality.config import load_config
    from revenue_warehouse.quality.results import CheckFailed, raise_on_blocking
    from revenue_warehouse.quality.runner import data_docs_dir, one_line, run_checks

    db = args.db or build_db_path()
    run_id = args.run_id or f"check-{uuid.uuid4().hex[:12]}"
    errors: dict[str, str] = {}  # what could not run ("suite <name>", "Data Docs") -> its error, one line
    logs: set[str] = set()  # where their tracebacks went (the log file), never the terminal

    def on_error(what: str, exc: Exception) -> None:
        log = log_traceback(exc)
        errors[what] = one_line(exc)
        logs.add(str(log) if log else "nowhere: the log file cannot be written")

    results = run_checks(
        db, run_id, args.suites, config=load_config(args.config), as_of=args.as_of, on_error=on_error
    )
    print(f"checks on {db} (run {run_id}):")
    print_results(results)
    if "Data Docs" in errors:  # the results above are written all the same
        print(f"Data Docs: not built: {errors['Data Docs']}")
    else:
        print(f"Data Docs: {data_docs_dir()}")
    if logs:
        print(f"tracebacks: {', '.join(sorted(logs))}")
    try:
        raise_on_blocking(results)
    except CheckFailed as exc:
        print(exc)
        return 1
    return 0
