"""``warehouse run``: generate sample extracts if there are none, then run the Dagster ``refresh`` job
in process (the same job the daily schedule runs) and print a summary."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from revenue_warehouse import paths
from revenue_warehouse.commands.args import existing_dir, iso_date, positive_float
from revenue_warehouse.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "run",
        help="Generate sample extracts if missing, then run the whole refresh job.",
        description=(
            "Generate sample extracts when the extracts folder holds none, then run the Dagster refresh job "
            "in process: load, dbt build and tests, Great Expectations checks, publish; print a summary."
        ),
    )
    p.add_argument(
        "--extracts",
        type=existing_dir,
        default=None,
        help="an existing extracts folder (default: WAREHOUSE_EXTRACTS_DIR, generated when empty)",
    )
    p.add_argument(
        "--scale", type=positive_float, default=0.1, help="simulator scale when generating (default 0.1)"
    )
    p.add_argument("--seed", type=int, default=1, help="simulator seed when generating (default 1)")
    p.add_argument("--start", type=iso_date, default=date(2023, 1, 1), help="first simulated day")
    p.add_argument("--end", type=iso_date, default=date(2025, 6, 30), help="last simulated day")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from revenue_warehouse.build_db import run_lock

    with run_lock(paths.build_db_path()):  # one run at a time per build file, taken before anything else
        return _handle(args)


def _handle(args: argparse.Namespace) -> int:
    from revenue_warehouse.parse_ahead import ParseAhead
    from revenue_warehouse.publish import NotAServingFile, refuse_foreign_serving
    from revenue_warehouse.run_output import log_path

    extracts = (args.extracts or paths.extracts_dir()).resolve()
    db = paths.build_db_path()
    try:  # the run would end by replacing it: refuse at once, before loading anything
        refuse_foreign_serving(paths.serving_db_path())
    except NotAServingFile as exc:
        print(f"warehouse run: error: {exc}", file=sys.stderr)
        return 2
    log = log_path(get_settings().log_dir)
    print(f"warehouse run: the dbt and Dagster output goes to {log}", flush=True)
    if db.exists():  # a corrupt or locked build file fails here, at once, with what to do
        from revenue_warehouse.build_db import open_build

        open_build(db).close()
    # a build file with no parsed dbt project kept yet has it parsed from now on, in another process, on
    # the core the run's start (listing, imports, Dagster's planning: one core) leaves idle; the refresh
    # job's own parse ahead then finds it under way (revenue_warehouse/parse_ahead.py)
    with ParseAhead(db):
        return _run(args, extracts, db, log)


def _run(args: argparse.Namespace, extracts: Path, db: Path, log: Path) -> int:
    from revenue_warehouse.loader import list_extracts
    from revenue_warehouse.run_output import output_to

    listing = list_extracts(extracts)  # once per run: the dates, the partitions and the loads use it
    dates = listing.dates()
    unfit = [] if dates else _files(extracts)
    if unfit:  # somebody's data in a layout the loader does not know: never mix sample data into it
        shown = ", ".join(p.relative_to(extracts).as_posix() for p in unfit[:3])
        print(
            f"warehouse run: error: {extracts} holds {len(unfit):,} file(s) but no extract file "
            f"(<system>/<table>/<YYYY-MM-DD>.csv|parquet), e.g. {shown}: not generating sample extracts into it; "
            "rename the files to that layout, or pass an empty folder to --extracts",
            file=sys.stderr,
        )
        return 1
    if not dates:
        from revenue_warehouse.simulator import generate

        print(
            f"[1/3] generating sample extracts: scale {args.scale}, seed {args.seed}, {args.start}..{args.end}, "
            f"into {extracts}",
            flush=True,
        )
        with output_to(log):
            generate(extracts, scale=args.scale, seed=args.seed, start=args.start, end=args.end)
        listing = list_extracts(extracts)
        dates = listing.dates()
    else:
        print(f"[1/3] using {len(dates):,} extract dates ({dates[0]}..{dates[-1]}) in {extracts}", flush=True)
    from orchestration.refresh import format_summary, run_refresh
    from revenue_warehouse.dbt import prepare_manifest
    from revenue_warehouse.quality.report import wap_summary

    with output_to(log):
        parsed = prepare_manifest(db)
    print(f"[2/3] dbt manifest: {'parsed (dbt parse)' if parsed else 'fresh, not parsed again'}", flush=True)
    print(f"[3/3] running the refresh job (load, dbt build and tests, checks, publish) on {db}", flush=True)
    started = time.monotonic()
    with output_to(log):
        summary = run_refresh(extracts, db, instance=_instance(), listing=listing)
        print(format_summary(summary))
        print(wap_summary(db, paths.serving_db_path(), summary.run_id))
    print(_summary(summary, db, time.monotonic() - started, log))
    return 0 if summary.success else 1


def _files(folder: Path) -> list[Path]:
    """Every file below ``folder`` (none when it does not exist), sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def _summary(
    summary, db: Path, seconds: float, log: Path
) -> str:  # summary: orchestration.refresh.RefreshSummary
    from revenue_warehouse.publish import current_generation
    from revenue_warehouse.run_output import summary_lines

    serving = paths.serving_db_path()
    state = "succeeded" if summary.success else "FAILED"
    lines = [
        f"refresh run {summary.run_id} {state} in {seconds:.0f}s (extract dates {summary.first_date}..{summary.last_date})"
    ]
    lines += [f"  {line}" for line in summary_lines(db, summary.run_id)]
    lines.append(
        f"  Dagster: {summary.materialized} assets materialized; asset checks (dbt tests, GX suites, load identity) "
        f"{summary.checks_passed} passed, {len(summary.checks_failed)} failed"
    )
    lines += [f"    failed check {name}" for name in summary.checks_failed[:5]]
    lines += [f"    step failed: {error.splitlines()[0] if error else ''}" for error in summary.errors[:3]]
    if serving.exists() and current_generation(serving) == summary.run_id:
        lines.append(f"  warehouse: published to {serving} (read-only; build file {db})")
    else:
        lines.append(
            f"  warehouse: NOT published (blocking checks failed or the run failed); build file {db}"
        )
    lines.append(f"  details (rows per table and mart, check messages, dbt and Dagster output): {log}")
    lines.append("  Dagster UI: make dev, then http://127.0.0.1:3000")
    return "\n".join(lines)


def _instance():  # a persistent instance when DAGSTER_HOME is set (make sets it), so runs show in the UI
    import dagster as dg

    home = get_settings().dagster_home
    if home and home.is_dir():
        return dg.DagsterInstance.from_config(str(home))
    return dg.DagsterInstance.ephemeral()
