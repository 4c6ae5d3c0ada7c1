"""Time the production ``dbt build`` as the Dagster dbt step runs it, without and with the step's own flags
(``orchestration.dbt_assets.build_flags``: no artifacts, no file log), alternated on fresh copies of a
built warehouse: dbt's JSON log format, its target and log folders a fresh folder (as dagster-dbt sets
them), partial parsing warm (a first, untimed build parses the project once), the step's vars and
exclusions. Prints one JSON line with each run's wall and CPU seconds (user + system of the dbt process).

usage: .venv/bin/python bench/dbt_step.py <build.duckdb> <work dir> [--pairs 3]   (work dir emptied first)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestration.dbt_assets import NO_FILE_LOG, NOTHING_TO_KEEP  # noqa: E402
from revenue_warehouse.dbt import PRODUCTION_EXCLUDE, dbt_env, dbt_executable, dbt_invocation  # noqa: E402


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def one_build(build: Path, work: Path, flags: list[str], parsed: Path | None) -> dict[str, Any]:
    """``dbt build`` on a fresh copy of ``build``; returns wall and CPU seconds and what dbt left."""
    shutil.rmtree(work, ignore_errors=True)
    target = work / "target"
    target.mkdir(parents=True)
    db = work / "build.duckdb"
    shutil.copy(build, db)
    if parsed is not None:
        shutil.copy(parsed, target / "partial_parse.msgpack")
    dbt_vars, _ = dbt_invocation(db)
    cmd = [dbt_executable(), "--no-use-colors", "build", "--vars", json.dumps(dbt_vars)]
    cmd += ["--exclude", *PRODUCTION_EXCLUDE, *flags]
    env = dbt_env(db, {"DBT_LOG_FORMAT": "json", "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)})
    env.pop("DBT_LOG_LEVEL_FILE", None)
    cpu, wall = children_cpu(), time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"dbt build failed (exit {proc.returncode}): {proc.stdout[-2000:]}")
    return {
        "wall_s": round(time.monotonic() - wall, 2),
        "cpu_s": round(children_cpu() - cpu, 2),
        "left_in_target": sorted(p.name for p in target.iterdir()),
    }


def main(build: Path, work: Path, pairs: int) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    one_build(build, work / "warm", [], None)
    parsed = work / "partial_parse.msgpack"
    shutil.copy(work / "warm" / "target" / "partial_parse.msgpack", parsed)
    runs: dict[str, list[dict[str, Any]]] = {"without_flags": [], "with_flags": []}
    for _ in range(pairs):
        runs["without_flags"].append(one_build(build, work / "run", [], parsed))
        runs["with_flags"].append(one_build(build, work / "run", [*NOTHING_TO_KEEP, *NO_FILE_LOG], parsed))
    return {"build": str(build), "os_cpus": os.cpu_count(), "pairs": pairs, **runs}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("build", type=Path, help="a built warehouse (build.duckdb)")
    parser.add_argument("work", type=Path, help="a work directory (emptied first)")
    parser.add_argument("--pairs", type=int, default=3, help="alternated pairs (default 3)")
    args = parser.parse_args()
    print(json.dumps(main(args.build.resolve(), args.work.resolve(), args.pairs)))
