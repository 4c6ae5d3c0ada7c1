"""Run dbt as a subprocess against a chosen build database (never in-process: dbt-duckdb keeps its
connection open, see ../shared/stack-notes.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

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
    if dbt_vars:
        cmd += ["--vars", json.dumps(dbt_vars, default=str)]
    if target_path is not None:
        cmd += ["--target-path", str(target_path)]
    proc = subprocess.run(cmd, cwd=PROJECT_DIR, env=dbt_env(db_path, env), capture_output=True, text=True)
    if check and proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
        raise RuntimeError(f"dbt {' '.join(args)} failed (exit {proc.returncode}):\n{tail}")
    return proc
