"""Pipeline benchmark: the whole ``warehouse run`` and each of its stages against an engine-only lower
bound, on the same generated extracts, in fresh database files. Prints one JSON line per scale.

* ``warehouse_run``: ``warehouse run`` (dbt parse if needed, Dagster refresh job: loads, dbt build,
  GX asset checks, publish) in a subprocess, with a fresh Dagster home.
* ``stages``: the same work step by step on another build file, each stage in its own subprocess:
  ``load`` (``warehouse load``), ``dbt_models`` (``dbt seed`` + ``dbt run``), ``dbt_tests``
  (``dbt test``, the tests a production build runs), ``gx`` (``warehouse check``), ``publish``
  (``warehouse publish``); ``framework_overhead`` = ``warehouse run`` minus the sum of the stages
  (Dagster, events, dbt parse, process start-ups).
* ``engine_only``: no dbt, Dagster or GX: ``load`` = one ``CREATE TABLE AS SELECT * FROM
  read_csv([files])`` per table; ``models`` = every model's compiled SQL (``dbt compile``, untimed)
  executed in dependency order in one DuckDB connection on a copy of the loaded raw tables and seeds;
  ``publish`` = the published schemas copied into a new file.
* ``ratio_wall`` / ``ratio_cpu`` = ``warehouse run`` / engine-only. CPU is user + system time of the
  process tree (the steadier figure on a shared machine); peak RSS is the largest process's.
* ``--incremental``: the last extract day is held back for the runs above, then put in place and
  ``warehouse run`` measured again on the same warehouse (a daily increment); ``increment_vs_full``
  = increment wall / full ``warehouse run`` wall. ``increment_stages``: the increment's ``load`` and
  ``dbt_models`` (``dbt run``) on the staged build; ``increment_vs_full_dbt_models_cpu`` = its dbt
  models CPU / the full build's.

    .venv/bin/python bench/pipeline.py --scale 1
    .venv/bin/python bench/pipeline.py --scale 1 --scale 10 --incremental
    .venv/bin/python bench/pipeline.py --extracts data/extracts   # reuse extracts
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

import duckdb  # noqa: E402

from revenue_warehouse.dbt import dbt_env, dbt_executable  # noqa: E402
from revenue_warehouse.duckdb_limits import connect, dbt_limits  # noqa: E402
from revenue_warehouse.publish import PUBLISHED_SCHEMAS  # noqa: E402

BIN = Path(sys.executable).parent
RUN_ID = "bench"


# ---------------------------------------------------------------- measuring a subprocess


def measure(name: str, cmd: Sequence[str], env: dict[str, str], logs: Path) -> dict:
    """Run ``cmd``; wall seconds, CPU seconds and peak RSS of its process tree (``wait4``)."""
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    with log.open("w") as fh:
        started = time.perf_counter()
        proc = subprocess.Popen(list(cmd), env=env, cwd=PROJECT_DIR, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise SystemExit(f"{name} failed (exit {proc.returncode}), log {log}:\n{tail}")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
    }


def combine(*parts: dict) -> dict:
    return {
        "wall_s": round(sum(p["wall_s"] for p in parts), 2),
        "cpu_s": round(sum(p["cpu_s"] for p in parts), 2),
        "peak_rss_mib": max(p["peak_rss_mib"] for p in parts),
    }


def base_env(work: Path, extracts: Path, build: Path, serving: Path) -> dict[str, str]:
    env = dbt_env(build)
    env.update(
        WAREHOUSE_DATA_DIR=str(work / "data"),
        WAREHOUSE_EXTRACTS_DIR=str(extracts),
        WAREHOUSE_BUILD_DB=str(build),
        WAREHOUSE_SERVING_DB=str(serving),
        DAGSTER_HOME=str(work / "dagster_home"),
        DO_NOT_TRACK="1",
    )
    (work / "dagster_home").mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_DIR / "orchestration" / "dagster.yaml", work / "dagster_home" / "dagster.yaml")
    return env


def dbt(args: Sequence[str], target: Path, db: Path, as_of: str) -> list[str]:
    """A dbt command line as the pipeline runs it (as-of date and DuckDB limits as vars)."""
    dbt_vars = json.dumps({**dbt_limits(db), "as_of_date": as_of})
    return [dbt_executable(), *args, "--vars", dbt_vars, "--project-dir", str(PROJECT_DIR),
            "--profiles-dir", str(PROJECT_DIR), "--target-path", str(target)]  # fmt: skip


def last_extract_date(extracts: Path) -> str:
    from revenue_warehouse.loader import extract_dates

    return extract_dates(extracts)[-1].isoformat()


# ---------------------------------------------------------------- the measured pipelines


def warehouse_run(work: Path, extracts: Path, label: str) -> dict:
    env = base_env(work, extracts, work / "build.duckdb", work / "serving.duckdb")
    return measure(label, [str(BIN / "warehouse"), "run", "--extracts", str(extracts)], env, work / "logs")


def staged(work: Path, extracts: Path) -> dict:
    build = work / "build.duckdb"
    env = base_env(work, extracts, build, work / "serving.duckdb")
    logs, target = work / "logs", work / "target"
    wh = str(BIN / "warehouse")
    as_of = last_extract_date(extracts)
    stages = {
        "load": measure("load", [wh, "load", "--extracts", str(extracts), "--db", str(build)], env, logs)
    }
    stages["dbt_models"] = combine(
        measure("dbt_seed", dbt(["seed"], target, build, as_of), env, logs),
        measure("dbt_run", dbt(["run"], target, build, as_of), env, logs),
    )
    test_args = ["test", *production_test_selection()]
    stages["dbt_tests"] = measure("dbt_test", dbt(test_args, target, build, as_of), env, logs)
    stages["gx"] = measure("gx", [wh, "check", "--db", str(build), "--run-id", RUN_ID], env, logs)
    publish = [
        wh,
        "publish",
        "--db",
        str(build),
        "--serving",
        str(work / "serving.duckdb"),
        "--run-id",
        RUN_ID,
    ]
    stages["publish"] = measure("publish", publish, env, logs)
    return stages


def staged_increment(work: Path, extracts: Path) -> dict:
    """The increment step by step on the staged build: ``load`` (the new day) and ``dbt_models``
    (``dbt run``: incremental models merge what changed, the others are rebuilt)."""
    build = work / "build.duckdb"
    env = base_env(work, extracts, build, work / "serving.duckdb")
    logs, target = work / "logs", work / "target"
    load = [str(BIN / "warehouse"), "load", "--extracts", str(extracts), "--db", str(build)]
    run = dbt(["run"], target, build, last_extract_date(extracts))
    return {
        "load": measure("increment_load", load, env, logs),
        "dbt_models": measure("increment_dbt_run", run, env, logs),
    }


def production_test_selection() -> list[str]:
    """The dbt selection arguments a production build uses (unit tests run in CI only, if so)."""
    try:
        from revenue_warehouse.dbt import PRODUCTION_EXCLUDE
    except ImportError:
        return []
    return ["--exclude", *PRODUCTION_EXCLUDE]


def engine_only(work: Path, extracts: Path, staged_build: Path) -> dict:
    """Set up untimed (compile, copy raw tables and seeds), then time the three engine-only steps."""
    engine = work / "engine"
    engine.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    as_of = last_extract_date(extracts)
    target = engine / "target"
    db = engine / "build.duckdb"  # same file name, so compiled "build"."schema"."table" names resolve
    measure(
        "engine_compile",
        dbt(["compile", "--full-refresh"], target, staged_build, as_of),
        dbt_env(staged_build),
        engine,
    )
    me = [sys.executable, str(Path(__file__).resolve())]
    measure(
        "engine_setup",
        [*me, "--step", "setup", str(target / "manifest.json"), str(staged_build), str(db)],
        env,
        engine,
    )
    steps = {
        "load": measure("engine_load", [*me, "--step", "load", str(extracts), str(engine / "ctas.duckdb")], env, engine),
        "models": measure("engine_models", [*me, "--step", "models", str(target / "manifest.json"), str(db)], env, engine),
        "publish": measure("engine_publish", [*me, "--step", "publish", str(db), str(engine / "published.duckdb")], env, engine),
    }  # fmt: skip
    steps["total"] = combine(*steps.values())
    return steps


# ---------------------------------------------------------------- engine-only steps (child processes)


def step_setup(manifest_path: str, staged_build: str, db: str) -> None:
    """Copy the raw tables, the audit schema and the seeds of a loaded build into a fresh file."""
    manifest = json.loads(Path(manifest_path).read_text())
    seeds = {(n["schema"], n["alias"]) for n in manifest["nodes"].values() if n["resource_type"] == "seed"}
    with connect(db) as con:
        con.execute(f"ATTACH '{staged_build}' AS src (READ_ONLY)")
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'src'"
        ).fetchall()
        for schema, name in tables:
            if schema.startswith("raw_") or schema == "audit" or (schema, name) in seeds:
                con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                con.execute(f'CREATE TABLE "{schema}"."{name}" AS SELECT * FROM src."{schema}"."{name}"')


def step_load(extracts: str, db: str) -> None:
    from revenue_warehouse.contract import TABLES

    with connect(db) as con:
        for t in TABLES:
            folder = Path(extracts) / t.system / t.name
            files = sorted(str(p) for p in folder.glob("*.csv") if p.stat().st_size)
            if not files:
                continue
            name = f'"{t.system}__{t.name}"'
            try:  # types sniffed from the first file, as plain DuckDB does
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv({files})")
            except duckdb.Error:  # a later file does not fit the first one's types: sniff every file
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv({files}, union_by_name = true)")


def model_order(manifest: dict) -> list[dict]:
    """Models that create a relation, dependencies first."""
    nodes = manifest["nodes"]
    models = {k: n for k, n in nodes.items() if n["resource_type"] == "model"}
    order: list[dict] = []
    done: set[str] = set()

    def visit(key: str) -> None:
        if key in done or key not in models:
            return
        done.add(key)
        for dep in models[key]["depends_on"]["nodes"]:
            visit(dep)
        if models[key]["config"]["materialized"] != "ephemeral":
            order.append(models[key])

    for key in sorted(models):
        visit(key)
    return order


def step_models(manifest_path: str, db: str) -> None:
    manifest = json.loads(Path(manifest_path).read_text())
    with connect(db) as con:
        for node in model_order(manifest):
            kind = "VIEW" if node["config"]["materialized"] == "view" else "TABLE"
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{node["schema"]}"')
            con.execute(f"CREATE OR REPLACE {kind} {node['relation_name']} AS {node['compiled_code']}")


def step_publish(db: str, out: str) -> None:
    with connect(db) as con:
        con.execute(f"ATTACH '{out}' AS pub")
        for schema in PUBLISHED_SCHEMAS:
            tables = con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'build' AND schema_name = ?",
                [schema],
            ).fetchall()
            con.execute(f'CREATE SCHEMA IF NOT EXISTS pub."{schema}"')
            for (name,) in tables:
                con.execute(f'CREATE TABLE pub."{schema}"."{name}" AS SELECT * FROM "{schema}"."{name}"')
        con.execute("DETACH pub")


STEPS = {"setup": step_setup, "load": step_load, "models": step_models, "publish": step_publish}


# ---------------------------------------------------------------- one scale


def hold_back_last_day(extracts: Path, held: Path) -> list[tuple[Path, Path]]:
    day = last_extract_date(extracts)
    moved = []
    for path in sorted(extracts.glob(f"*/*/{day}.*")):
        dest = held / path.relative_to(extracts)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, dest)
        moved.append((dest, path))
    return moved


def bench(extracts: Path, work: Path, label: str, incremental: bool) -> dict:
    raw_files = [
        p for p in extracts.rglob("*") if p.is_file() and not p.relative_to(extracts).parts[0].startswith("_")
    ]
    load_before = os.getloadavg()[0]
    result: dict = {
        "run": label,
        "files": len(raw_files),
        "mib": round(sum(p.stat().st_size for p in raw_files) / 2**20, 1),
    }
    held = hold_back_last_day(extracts, work / "held") if incremental else []
    run = warehouse_run(work / "run", extracts, "warehouse_run")
    stages = staged(work / "staged", extracts)
    stages["framework_overhead"] = {
        "wall_s": round(run["wall_s"] - sum(s["wall_s"] for s in stages.values()), 2)
    }
    with duckdb.connect(str(work / "staged" / "build.duckdb"), read_only=True) as con:
        result["raw_rows"] = con.execute("SELECT sum(rows_loaded) FROM audit.load_manifest").fetchone()[0]
    engine = engine_only(work, extracts, work / "staged" / "build.duckdb")
    result |= {
        "warehouse_run": run,
        "stages": stages,
        "engine_only": engine,
        "ratio_wall": round(run["wall_s"] / engine["total"]["wall_s"], 2),
        "ratio_cpu": round(run["cpu_s"] / engine["total"]["cpu_s"], 2),
    }
    if incremental:
        for src, dest in held:
            shutil.move(src, dest)
        result["increment"] = warehouse_run(work / "run", extracts, "warehouse_run_increment")
        result["increment_vs_full"] = round(result["increment"]["wall_s"] / run["wall_s"], 3)
        result["increment_stages"] = staged_increment(work / "staged", extracts)
        result["increment_vs_full_dbt_models_cpu"] = round(
            result["increment_stages"]["dbt_models"]["cpu_s"] / stages["dbt_models"]["cpu_s"], 3
        )
    result["load_average"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    return result


def generate(out: Path, scale: float, seed: int) -> None:
    cmd = [
        str(BIN / "warehouse"),
        "generate",
        "--scale",
        str(scale),
        "--seed",
        str(seed),
        "--out",
        str(out),
        "--quiet",
    ]
    subprocess.run(cmd, check=True, cwd=PROJECT_DIR)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, action="append", help="scale to generate (repeatable; default 1)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--extracts", type=Path, help="measure a copy of these extracts instead of generating"
    )
    parser.add_argument("--incremental", action="store_true", help="also measure a one-day increment")
    parser.add_argument("--keep", action="store_true", help="keep the work folders (logs, databases)")
    parser.add_argument("--memory-limit", help="DuckDB memory_limit of every connection, both sides (1GB)")
    parser.add_argument("--threads", type=int, help="DuckDB threads for every connection of both sides")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        STEPS[args.step](*args.paths)
        return 0
    if args.memory_limit:  # read by every subprocess (revenue_warehouse/duckdb_limits.py)
        os.environ["WAREHOUSE_DUCKDB_MEMORY_LIMIT"] = args.memory_limit
    if args.threads:
        os.environ["WAREHOUSE_DUCKDB_THREADS"] = str(args.threads)
    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
        f"duckdb {duckdb.__version__}, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    runs = (
        [(str(args.extracts), None)] if args.extracts else [(f"scale {s:g}", s) for s in (args.scale or [1])]
    )
    for label, scale in runs:
        work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
        try:
            extracts = work / "extracts"
            if scale is None:  # a copy: --incremental moves files
                shutil.copytree(args.extracts, extracts)
            else:
                generate(extracts, scale, args.seed)
            result = bench(extracts, work, label, args.incremental)
            result["duckdb_limits"] = {"memory_limit": args.memory_limit, "threads": args.threads}
            print(json.dumps(result), flush=True)
        finally:
            if args.keep:
                print(f"# kept {work}", flush=True)
            else:
                shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
