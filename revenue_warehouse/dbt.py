"""Run dbt as a subprocess against a chosen build database (never in-process: dbt-duckdb keeps its
connection open, and a second connection to the same file with other settings then fails)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
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


# dbt commands that compile models, so need the var ``as_of_date``
COMPILING = frozenset({"build", "run", "test", "compile", "show", "docs", "seed", "snapshot"})


def with_as_of(dbt_vars: dict | None, db_path: Path | str) -> dict:
    """``dbt_vars`` with ``as_of_date`` = the last extract date loaded into ``db_path`` unless given
    (nothing added when nothing was loaded: the models then fail with a clear message)."""
    dbt_vars = dict(dbt_vars or {})
    if "as_of_date" not in dbt_vars and Path(db_path).exists():
        from revenue_warehouse.loader.audit import latest_loaded_date

        with duckdb_limits.connect(db_path, read_only=True) as con:
            latest = latest_loaded_date(con)
        if latest is not None:
            dbt_vars["as_of_date"] = latest.isoformat()
    return dbt_vars


def run_dbt(
    args: Sequence[str],
    db_path: Path | str,
    *,
    dbt_vars: dict | None = None,
    target_path: Path | str | None = None,
    check: bool = True,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``dbt <args>`` in the project directory on ``db_path``; raise with dbt's output on failure."""
    cmd = [dbt_executable(), *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    dbt_vars = with_as_of(dbt_vars, db_path) if args and args[0] in COMPILING else dbt_vars
    all_vars = {**dbt_limits(db_path), **(dbt_vars or {})}  # DuckDB limits for the profile
    cmd += ["--vars", json.dumps(all_vars, default=str)]
    if target_path is not None:
        cmd += ["--target-path", str(target_path)]
    proc = subprocess.run(cmd, cwd=PROJECT_DIR, env=dbt_env(db_path, env), capture_output=True, text=True)
    if check and proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
        raise RuntimeError(f"dbt {' '.join(args)} failed (exit {proc.returncode}):\n{tail}")
    return proc


# What production builds (the Dagster dbt asset, ``warehouse run``) leave out: dbt's unit tests check
# model logic on fixed inputs, so they run in the test suite / CI (``dbt test --select test_type:unit``),
# not on every refresh.
PRODUCTION_EXCLUDE: tuple[str, ...] = ("test_type:unit",)

# What ``dbt parse`` reads: when none of it changed since target/manifest.json was written, parsing
# again (about 6 s) gives the same manifest, so ``prepare_manifest`` skips it.
PARSE_INPUTS: tuple[str, ...] = (
    "dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml",
    "models", "macros", "seeds", "data-tests", "snapshots", "analyses",
)  # fmt: skip
_ENV_VAR = re.compile(r"""env_var\(\s*['"]([A-Za-z0-9_]+)['"]""")


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
    (as ``dbt_env`` would set them for ``db_path``; the build file by its database name only), the file
    list and the dbt version."""
    names: set[str] = set()
    for path in files:
        if path.suffix in (".yml", ".yaml", ".sql"):
            names.update(_ENV_VAR.findall(path.read_text(errors="replace")))
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
