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

Usage: ``.venv/bin/python bench/run_timeline.py --extracts /path/to/extracts [--pairs 2] [--keep]
<checkout> [<checkout> ...]`` (default checkout: this one).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
STEP_EVENTS = {"STEP_START": "start", "STEP_SUCCESS": "end", "STEP_FAILURE": "end"}


def run_once(checkout: Path, extracts: Path, work: Path) -> dict:
    home = work / "dagster_home"
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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--extracts", type=Path, required=True)
    parser.add_argument("--pairs", type=int, default=2, help="rounds of the checkouts in turn (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the work folders")
    parser.add_argument("checkouts", type=Path, nargs="*", default=[PROJECT_DIR])
    args = parser.parse_args()
    for _ in range(args.pairs):
        for checkout in args.checkouts:
            work = Path(tempfile.mkdtemp(prefix="bench-timeline-"))
            try:
                result = run_once(checkout.resolve(), args.extracts.resolve(), work)
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
