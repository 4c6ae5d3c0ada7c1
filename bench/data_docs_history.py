"""Time the Data Docs build against the history the site holds: one check run (``run_checks``, every
suite) on a copy of a built warehouse makes a site; its validation results and pages are copied as
``--runs`` earlier runs (run ``history-k``, k days earlier); then a second check run is timed, whole and
its Data Docs build alone, in CPU seconds (user + system), with Great Expectations imported beforehand.
Run it with ``WAREHOUSE_DATA_DOCS_RUNS`` set to compare index limits (0 lists every run).

usage: .venv/bin/python bench/data_docs_history.py <build.duckdb> <work dir> --runs 100
(the work dir is emptied first; prints one JSON line)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

RUN_TIME = re.compile(r"\d{8}T\d{6}\.\d{6}Z")  # GX's folder of one run's results, under the run name
RUN_TIME_FORMAT = "%Y%m%dT%H%M%S.%fZ"


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def copy_as_earlier_runs(store: Path, runs: int) -> None:
    """Every run-time folder under ``store`` copied ``runs`` times as run ``history-k``, k days earlier."""
    originals = [p for p in store.rglob("*") if p.is_dir() and RUN_TIME.fullmatch(p.name)]
    for k in range(1, runs + 1):
        for folder in originals:
            earlier = datetime.strptime(folder.name, RUN_TIME_FORMAT) - timedelta(days=k)
            shutil.copytree(folder, folder.parent.parent / f"history-{k}" / earlier.strftime(RUN_TIME_FORMAT))


def main(build: Path, work: Path, runs: int) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "build.duckdb"
    shutil.copy(build, db)
    os.environ["WAREHOUSE_DATA_DOCS_DIR"] = str(work / "docs")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

    import great_expectations  # noqa: F401  (preloaded, as in a run)

    from revenue_warehouse.quality import runner
    from revenue_warehouse.settings import get_settings

    runner.run_checks(db, "bench-seed", write=False)
    site = work / "docs" / "all"
    for store in (site / ".validation_results", site / "validations"):
        copy_as_earlier_runs(store, runs)

    spent: dict[str, float] = {}
    build_docs = runner.build_docs

    def timed(context: Any, validated: Any) -> None:
        start = cpu_seconds()
        build_docs(context, validated)
        spent["build_docs"] = cpu_seconds() - start

    runner.build_docs = timed
    cpu, wall = cpu_seconds(), time.monotonic()
    runner.run_checks(db, f"bench-{uuid.uuid4().hex[:8]}", write=False)
    return {
        "earlier_runs": runs,
        "index_runs_setting": get_settings().data_docs_runs,
        "validation_results_stored": len(list((site / ".validation_results").rglob("*.json"))),
        "run_checks_cpu_s": round(cpu_seconds() - cpu, 2),
        "run_checks_wall_s": round(time.monotonic() - wall, 2),
        "build_docs_cpu_s": round(spent["build_docs"], 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("build", type=Path, help="a built warehouse (build.duckdb)")
    parser.add_argument("work", type=Path, help="a work directory (emptied first)")
    parser.add_argument("--runs", type=int, default=100, help="earlier runs the site holds (default 100)")
    args = parser.parse_args()
    print(json.dumps(main(args.build.resolve(), args.work.resolve(), args.runs)))
