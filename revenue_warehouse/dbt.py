"""Run dbt as a subprocess against a chosen build database (never in-process: dbt-duckdb keeps its
connection open, and a second connection to the same file with other settings then fails)."""

from __future__ import annotations

import fcntl
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from revenue_warehouse import duckdb_limits
from revenue_warehouse.duckdb_limits import dbt_limits
from revenue_warehouse.paths import PROJECT_DIR


def dbt_executable() -> str:
    """The venv's dbt next to the running interpreter, so no activated venv is needed."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def dbt_env(db_path: Path | str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["WAREHOUSE_BUILD_DB"] = str(Path(db_path).resolve())
    env.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env.setdefault("DO_NOT_TRACK", "1")
    if extra:
        env.update(extra)
    return env


# dbt commands that compile models, so need the as-of date
COMPILING = frozenset({"build", "run", "test", "compile", "show", "docs", "seed", "snapshot"})

# The as-of date reaches dbt outside its ``--vars`` (a changed var makes dbt parse the whole project
# again; docs/decisions.md#dbt-partial-parsing), read by macros/as_of_date.sql only while executing:
# ``run_dbt`` sets this environment variable for its dbt process; the Dagster dbt step, which may not
# change its own process's environment, has the date it logged in ``audit.as_of_log`` read (the var
# AS_OF_FROM_LOG, the same in every run). The var ``as_of_date`` still works by hand and wins.
AS_OF_ENV = "WAREHOUSE_DBT_AS_OF_DATE"
AS_OF_FROM_LOG = "as_of_from_log"


def latest_as_of(db_path: Path | str) -> str | None:
    """The last extract date loaded into ``db_path`` (None when nothing was loaded: a compiling dbt
    command then fails with macros/as_of_date.sql's message)."""
    if not Path(db_path).exists():
        return None
    from revenue_warehouse.loader.audit import latest_loaded_date

    with duckdb_limits.connect(db_path, read_only=True) as con:
        latest = latest_loaded_date(con)
    return latest.isoformat() if latest is not None else None


def dbt_invocation(
    db_path: Path | str, dbt_vars: dict | None = None, *, as_of: str | None = None
) -> tuple[dict, dict[str, str]]:
    """The ``--vars`` and extra environment of a dbt command on ``db_path``, the same for ``run_dbt`` and
    the Dagster dbt step: the vars hold only what is fixed for a build file (the file, its DuckDB limits,
    the caller's own vars, ``AS_OF_FROM_LOG``), so dbt's partial parsing survives from one run to the
    next; the as-of date (``as_of``, or an ``as_of_date`` in ``dbt_vars``) goes to the environment
    (``AS_OF_ENV``), else it is the last one logged in ``audit.as_of_log``."""
    dbt_vars = dict(dbt_vars or {})
    as_of = dbt_vars.pop("as_of_date", None) or as_of
    fixed = {**dbt_limits(db_path), "build_db": str(Path(db_path).resolve()), AS_OF_FROM_LOG: True}
    all_vars = {**fixed, **dbt_vars}
    return all_vars, ({AS_OF_ENV: str(as_of)} if as_of else {})


PARTIAL_PARSE_FILE = "partial_parse.msgpack"  # what dbt writes in its target folder


def partial_parse_cache(db_path: Path | str) -> Path:
    """Where dbt's parsed project (``partial_parse.msgpack``) is kept between runs on ``db_path``: beside
    the build file, so runs on different build files (pytest workers, a run beside ``make dev``) never
    share one; dbt itself checks that it still matches the project, vars and profile before using it."""
    db = Path(db_path).resolve()
    return db.with_name(db.name + ".dbt") / PARTIAL_PARSE_FILE


def _identity(path: Path) -> tuple[int, int, int] | None:
    if not path.is_file():
        return None
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def _replace_with_copy(source: Path, destination: Path) -> None:
    """``destination`` becomes a copy of ``source`` at once (a reader sees the old or the new file)."""
    own = destination.with_name(f"{destination.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
    try:
        shutil.copyfile(source, own)
        os.replace(own, destination)
    finally:
        own.unlink(missing_ok=True)


def parse_lock(db_path: Path | str) -> Path:
    """The lock beside the build file's kept parsed project: a parse ahead of a run holds it exclusively
    (``revenue_warehouse.parse_ahead``); ``partial_parsing`` takes it shared to read the kept file."""
    return partial_parse_cache(db_path).with_name("parse.lock")


@contextmanager
def _after_parse_ahead(db_path: Path | str) -> Iterator[None]:
    """Wait for a parse ahead of this build file still in flight (its lock), then hold the lock shared."""
    lock = parse_lock(db_path)
    if not lock.parent.is_dir():  # nothing kept and nothing parsing ahead
        yield
        return
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def seed_parse(db_path: Path | str, target: Path) -> tuple[int, int, int] | None:
    """Put the parsed project dbt should start from into ``target`` (the build file's kept one, else the
    project target's, as dagster-dbt would copy it, else none); return the identity of what is there."""
    cache = partial_parse_cache(db_path)
    given = target / PARTIAL_PARSE_FILE
    seed = cache if cache.is_file() else PROJECT_DIR / "target" / PARTIAL_PARSE_FILE
    if seed.is_file() and seed.resolve() != given.resolve():
        target.mkdir(parents=True, exist_ok=True)
        _replace_with_copy(seed, given)
    return _identity(given)


def keep_parse(db_path: Path | str, target: Path, before: tuple[int, int, int] | None) -> None:
    """When dbt parsed anything (it then wrote ``target``'s parsed project again), keep it for the build file."""
    cache = partial_parse_cache(db_path)
    given = target / PARTIAL_PARSE_FILE
    if cache.parent.parent.is_dir() and given.is_file() and _identity(given) != before:
        cache.parent.mkdir(exist_ok=True)
        _replace_with_copy(given, cache)


@contextmanager
def partial_parsing(db_path: Path | str, target_path: Path | str) -> Iterator[None]:
    """One dbt command on ``db_path`` with ``target_path`` starts from the build file's kept parsed project
    (dbt reads ``<target_path>/partial_parse.msgpack``, put there first by ``seed_parse``, after a parse
    ahead of the run still in flight finished) and, when dbt parsed anything (it then writes that file
    again), the kept one is replaced by it atomically: commands at once each read a whole file. dbt
    itself checks that a parsed project still matches the project files, vars and profile."""
    target = Path(target_path)
    with _after_parse_ahead(db_path):
        before = seed_parse(db_path, target)
    yield
    keep_parse(db_path, target, before)


def dbt_command(args: Sequence[str], all_vars: dict, target_path: Path | str | None = None) -> list[str]:
    """The dbt command line for ``args`` in this project with ``all_vars`` (see ``dbt_invocation``)."""
    cmd = [dbt_executable(), *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    cmd += ["--vars", json.dumps(all_vars, default=str)]
    if target_path is not None:
        cmd += ["--target-path", str(target_path)]
    return cmd


def run_dbt(
    args: Sequence[str],
    db_path: Path | str,
    *,
    dbt_vars: dict | None = None,
    target_path: Path | str | None = None,
    check: bool = True,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``dbt <args>`` in the project directory on ``db_path``; raise with dbt's output on failure.
    A compiling command gets the last extract date loaded as its as-of date unless ``dbt_vars`` names one."""
    compiling = bool(args) and args[0] in COMPILING
    as_of = latest_as_of(db_path) if compiling and "as_of_date" not in (dbt_vars or {}) else None
    all_vars, as_of_env = dbt_invocation(db_path, dbt_vars, as_of=as_of)
    cmd = dbt_command(args, all_vars, target_path)
    with partial_parsing(db_path, target_path or PROJECT_DIR / "target"):
        proc = subprocess.run(
            cmd,
            cwd=PROJECT_DIR,
            env=dbt_env(db_path, {**as_of_env, **(env or {})}),
            capture_output=True,
            text=True,
        )
    if check and proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
        raise RuntimeError(f"dbt {' '.join(args)} failed (exit {proc.returncode}):\n{tail}")
    return proc


# What production builds (the Dagster dbt asset, ``warehouse run``) leave out: dbt's unit tests check
# model logic on fixed inputs, so they run in the test suite / CI (``dbt test --select test_type:unit``),
# not on every refresh.
# The column tests (not_null, unique, accepted_values, non_negative) run in production as one
# `column_tests` test per model (macros/column_tests.sql: the same SQL, one dbt node per model instead
# of one per column test; on-run-start refuses to run when one of them is not covered).
COLUMN_TEST_KINDS: tuple[str, ...] = ("not_null", "unique", "accepted_values", "non_negative")
PRODUCTION_EXCLUDE: tuple[str, ...] = ("test_type:unit", *(f"test_name:{kind}" for kind in COLUMN_TEST_KINDS))

# What ``dbt parse`` reads: when none of it changed since target/manifest.json was written, parsing
# again (about 6 s) gives the same manifest, so ``prepare_manifest`` skips it.
PARSE_INPUTS: tuple[str, ...] = (
    "dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml",
    "models", "macros", "seeds", "data-tests", "snapshots", "analyses",
)  # fmt: skip
_ENV_VAR = re.compile(r"""env_var\(\s*['"]([A-Za-z0-9_]+)['"]""")
# Read by profiles.yml only for the DuckDB connection's ``config_options`` (applied when dbt opens the
# file), never written into the manifest: a run with another memory limit (bench/pipeline.py
# --memory-limit, the scale-100 runs) does not make the next run parse again
# (tests/test_dbt_manifest.py parses with other values and compares the manifests).
CONNECTION_ONLY = frozenset(
    {"WAREHOUSE_DUCKDB_MEMORY_LIMIT", "WAREHOUSE_DUCKDB_THREADS", "WAREHOUSE_DUCKDB_TEMP_DIR"}
)


def _parse_input_files(project_dir: Path) -> list[Path]:
    files: list[Path] = []
    for name in PARSE_INPUTS:
        path = project_dir / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file())
    return files


def _manifest_value(name: str, value: str | None) -> str | None:
    """What of an environment variable's value the manifest depends on. The build file's path reaches the
    manifest only as dbt-duckdb's database name, the file name's stem (every node's ``database``); its
    folder is a connection detail, so a new data folder (a fresh ``WAREHOUSE_DATA_DIR``) reuses the
    manifest (tests/test_dbt_manifest.py compares a manifest parsed there with the reused one)."""
    if name == "WAREHOUSE_BUILD_DB" and value:
        return f"database {Path(value).stem}"
    return value


def parse_stamp(files: Sequence[Path], db_path: Path | str) -> dict[str, str | None]:
    """The environment the manifest depends on: every variable the project reads with ``env_var``
    (as ``dbt_env`` would set them for ``db_path``; the build file by its database name only) except the
    as-of date and the DuckDB limits (``CONNECTION_ONLY``), the file list and the dbt version."""
    names: set[str] = set()
    for path in files:
        if path.suffix in (".yml", ".yaml", ".sql"):
            names.update(_ENV_VAR.findall(path.read_text(errors="replace")))
    names.discard(AS_OF_ENV)  # read only while executing (macros/as_of_date.sql): not in the manifest
    names -= CONNECTION_ONLY
    env = dbt_env(db_path)
    stamp: dict[str, str | None] = {name: _manifest_value(name, env.get(name)) for name in sorted(names)}
    stamp["_files"] = str(len(files))
    stamp["_dbt"] = importlib.metadata.version("dbt-core")
    return stamp


def prepare_manifest(db_path: Path | str | None = None, project_dir: Path = PROJECT_DIR) -> bool:
    """THE one way the dbt manifest is prepared (``make manifest``, ``warehouse run`` and the Dagster code
    location, which dagster-dbt needs it to load, all call this): ``dbt parse`` into ``target/`` unless the
    manifest there is fresh (written after every parse input changed, with the same environment); return
    whether it parsed. ``db_path``: the build file the profile points at (default: the settings')."""
    if db_path is None:
        from revenue_warehouse.settings import get_settings

        db_path = get_settings().build_db
    manifest = project_dir / "target" / "manifest.json"
    stamp_path = manifest.with_name("manifest_inputs.json")
    files = _parse_input_files(project_dir)
    stamp = parse_stamp(files, db_path)
    if manifest.is_file() and stamp_path.is_file():
        built = manifest.stat().st_mtime
        same_env = json.loads(stamp_path.read_text()) == stamp
        if same_env and all(p.stat().st_mtime < built for p in files):
            return False
    run_dbt(["parse"], db_path)
    stamp_path.write_text(json.dumps(stamp, indent=1))
    return True


def main() -> int:
    """``python -m revenue_warehouse.dbt`` (``make manifest``): prepare the manifest, say whether it parsed."""
    parsed = prepare_manifest()
    print(f"dbt manifest: {'parsed (dbt parse)' if parsed else 'fresh, not parsed again'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
