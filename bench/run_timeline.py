"""Where a fresh ``warehouse run`` spends its wall time: one JSON line per run, alternating checkouts.

For each checkout given (a working copy of this project with its own ``.venv``; the first is usually a
baseline, e.g. a ``git worktree`` of an earlier commit), ``--pairs`` times in turn: ``warehouse run`` of
the extracts into a new work folder (new build file, serving file, data folder and ``DAGSTER_HOME``,
as a first run on a laptop), timed with ``wait4`` (wall, CPU of the process tree, peak RSS). From the
run's Dagster event log it then reads, relative to the start of the process:

* ``planned_s``: the first event (Dagster creates the run: everything before is start-up, imports, the
  listing of the extracts, the code location);
* ``started_s``: the run's start (between the two: Dagster planning the run, its planned events);
* ``steps_s``: each step's duration; ``succeeded_s``: the run's end (after it: the summary, exit).

``--increment``: a daily increment instead. The run above goes over the extracts without their last
day (a tree of hard links in the work folder, or copies where it is on another file system; the
extracts folder is not touched); then the last day's files are added and ``warehouse run`` runs again
on the same build file, serving file and ``DAGSTER_HOME``, as the next day's run would. One JSON line
per checkout and pair: ``full`` and ``increment`` (each as above) and ``increment_vs_full`` (increment
wall / full wall). DuckDB's memory limit and the other settings come from the environment
(``WAREHOUSE_DUCKDB_MEMORY_LIMIT=3GB``).

Usage: ``.venv/bin/python bench/run_timeline.py --extracts /path/to/extracts [--pairs 2] [--keep]
[--increment] <checkout> [<checkout> ...]`` (default checkout: this one).
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
STEP_EVENTS = {"STEP_START": "start", "STEP_SUCCESS": "end", "STEP_FAILURE": "end"}


def run_once(checkout: Path, extracts: Path, work: Path) -> dict:
    """``warehouse run`` of ``extracts`` in ``work`` (its build file, data folder and ``DAGSTER_HOME``
    made on the first run there, kept for the next)."""
    home = work / "dagster_home"
    if not home.exists():
        home.mkdir(parents=True)
        shutil.copy(checkout / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    env = dict(os.environ)
    env.update(
        WAREHOUSE_DATA_DIR=str(work / "data"),
        WAREHOUSE_EXTRACTS_DIR=str(extracts),
        WAREHOUSE_BUILD_DB=str(work / "build.duckdb"),
        WAREHOUSE_SERVING_DB=str(work / "serving.duckdb"),
        DAGSTER_HOME=str(home),
        DO_NOT_TRACK="1",
    )
    cmd = [str(checkout / ".venv" / "bin" / "warehouse"), "run", "--extracts", str(extracts)]
    with (work / "run.log").open("w") as log:
        started = time.time()
        proc = subprocess.Popen(cmd, cwd=checkout, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.time() - started
    result = {
        "checkout": str(checkout),
        "exit": os.waitstatus_to_exitcode(status),
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
    }
    result.update(timeline(home, started))
    return result


def timeline(home: Path, started: float) -> dict:
    """The run's landmarks and step durations from its event-log file (seconds from the process start)."""
    runs = sorted((home / "history" / "runs").glob("*.db"), key=lambda p: p.stat().st_mtime)
    runs = [p for p in runs if p.name != "index.db"]
    if not runs:
        return {}
    steps: dict[str, dict[str, float]] = {}
    out: dict = {}
    with sqlite3.connect(runs[-1]) as con:
        for (text,) in con.execute("SELECT event FROM event_logs ORDER BY id"):
            event = json.loads(text)
            at = event["timestamp"] - started
            kind = (event.get("dagster_event") or {}).get("event_type_value")
            out.setdefault("planned_s", round(at, 2))
            if kind in ("PIPELINE_START", "RUN_START"):
                out["started_s"] = round(at, 2)
            elif kind in ("PIPELINE_SUCCESS", "RUN_SUCCESS", "PIPELINE_FAILURE", "RUN_FAILURE"):
                out["succeeded_s"] = round(at, 2)
            elif kind in STEP_EVENTS:
                steps.setdefault(event["step_key"], {})[STEP_EVENTS[kind]] = at
    out["steps_s"] = {k: round(v["end"] - v["start"], 2) for k, v in steps.items() if len(v) == 2}
    return out


def _extract_day(path: Path) -> str | None:
    """The extract date a file is for (``<system>/<table>/<YYYY-MM-DD>.<ext>``), or None."""
    stem = path.name.split(".")[0]
    try:
        return date.fromisoformat(stem).isoformat()
    except ValueError:
        return None


def link_extracts(extracts: Path, into: Path, last_day: bool) -> str:
    """Hard links of the extract files in ``into`` (same layout): every file but the last day's (files
    not named for a date included), or only the last day's. Returns the last day, e.g. ``2025-12-31``."""
    files = [p for p in extracts.rglob("*") if p.is_file() and "_truth" not in p.relative_to(extracts).parts]
    days = {path: _extract_day(path) for path in files}
    dated = [day for day in days.values() if day is not None]
    if not dated:
        raise SystemExit(f"no extract files named for a date under {extracts}")
    last = max(dated)
    for path, day in days.items():
        if (day == last) == last_day:
            _link_or_copy(path, into / path.relative_to(extracts))
    return last


def _link_or_copy(source: Path, destination: Path) -> None:
    """A hard link, or a copy keeping the modification time when the work folder is on another file
    system than the extracts (a tmpfs ``/tmp``): the loader sees the same files either way."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, destination)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.copy2(source, destination)


def increment_once(checkout: Path, extracts: Path, work: Path) -> dict:
    """A full run without the last extract day, then that day's run on the same warehouse."""
    held = work / "extracts"
    last = link_extracts(extracts, held, last_day=False)
    full = run_once(checkout, held, work)
    link_extracts(extracts, held, last_day=True)
    increment = run_once(checkout, held, work)
    ratio = round(increment["wall_s"] / full["wall_s"], 3) if full["wall_s"] else None
    return {"checkout": str(checkout), "last_day": last, "full": full, "increment": increment,
            "increment_vs_full": ratio}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--extracts", type=Path, required=True)
    parser.add_argument("--pairs", type=int, default=2, help="rounds of the checkouts in turn (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the work folders")
    parser.add_argument(
        "--increment", action="store_true", help="a full run without the last day, then that day's run"
    )
    parser.add_argument("checkouts", type=Path, nargs="*", default=[PROJECT_DIR])
    args = parser.parse_args()
    for _ in range(args.pairs):
        for checkout in args.checkouts:
            work = Path(tempfile.mkdtemp(prefix="bench-timeline-"))
            try:
                measure = increment_once if args.increment else run_once
                result = measure(checkout.resolve(), args.extracts.resolve(), work)
                result["load_average"] = round(os.getloadavg()[0], 1)
                print(json.dumps(result), flush=True)
            finally:
                if args.keep:
                    print(f"# kept {work}", file=sys.stderr)
                else:
                    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
