"""Time the production ``dbt build`` as the Dagster dbt step runs it, without and with the step's own flags
(``orchestration.dbt_assets.build_flags``: no artifacts, no file log), alternated on fresh copies of a
built warehouse: dbt's JSON log format, its target and log folders a fresh folder (as dagster-dbt sets
them), partial parsing warm (a first, untimed build parses the project once), the step's vars and
exclusions. Prints one JSON line with each run's wall and CPU seconds (user + system of the dbt process).

``--against <dir>``: instead, this checkout's dbt project against another's (e.g. a ``git worktree`` of an
earlier commit: its models, macros and ``dbt_project.yml``, run by this checkout's dbt), both with the step's
flags, alternated, each with its own warm parse. For the daily increment, ``build`` is a warehouse built
without the last day with that day loaded (``warehouse run`` then ``warehouse load``).

usage: .venv/bin/python bench/dbt_step.py <build.duckdb> <work dir> [--pairs 3] [--against <dir>]
       (work dir emptied first)
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


def one_build(
    build: Path, work: Path, flags: list[str], parsed: Path | None, project: Path = ROOT
) -> dict[str, Any]:
    """``dbt build`` of ``project`` on a fresh copy of ``build``; returns wall and CPU seconds and what
    dbt left."""
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
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"dbt build failed (exit {proc.returncode}): {proc.stdout[-2000:]}")
    return {
        "wall_s": round(time.monotonic() - wall, 2),
        "cpu_s": round(children_cpu() - cpu, 2),
        "left_in_target": sorted(p.name for p in target.iterdir()),
    }


def warm_parse(build: Path, work: Path, project: Path, name: str) -> Path:
    """A first, untimed build of ``project`` parses it; returns a copy of what dbt parsed, to start the
    timed builds from."""
    one_build(build, work / "warm", [], None, project)
    parsed = work / f"partial_parse_{name}.msgpack"
    shutil.copy(work / "warm" / "target" / "partial_parse.msgpack", parsed)
    return parsed


def against(build: Path, work: Path, pairs: int, other: Path) -> dict[str, Any]:
    """This checkout's dbt project and ``other``'s alternated, the step's flags on both."""
    shutil.rmtree(work, ignore_errors=True)
    projects = {"this": ROOT, "against": other}
    flags = [*NOTHING_TO_KEEP, *NO_FILE_LOG]
    parsed = {name: warm_parse(build, work, project, name) for name, project in projects.items()}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in projects}
    for _ in range(pairs):
        for name, project in projects.items():
            runs[name].append(one_build(build, work / "run", flags, parsed[name], project))
    return {
        "build": str(build),
        "against_checkout": str(other),
        "os_cpus": os.cpu_count(),
        "pairs": pairs,
        **runs,
    }


def main(build: Path, work: Path, pairs: int) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    parsed = warm_parse(build, work, ROOT, "this")
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
    parser.add_argument("--against", type=Path, help="another checkout's dbt project to alternate with")
    args = parser.parse_args()
    if args.against:
        print(
            json.dumps(against(args.build.resolve(), args.work.resolve(), args.pairs, args.against.resolve()))
        )
    else:
        print(json.dumps(main(args.build.resolve(), args.work.resolve(), args.pairs)))
