"""Throwaway Python environments made at test time with uv from the package registry, for checks that need
other versions than the project's lock (older DuckDB engines, SQLAlchemy 2.0, ...). The project's own
``.venv`` and ``uv.lock`` are never touched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

# uv's messages when the registry cannot be reached (the only reason these tests may skip).
UNREACHABLE = ("failed to fetch", "error sending request", "dns error", "could not connect", "connection")


def uv_command() -> list[str]:
    """uv as the Makefile installs it (``python3 -m uv``), or a ``uv`` on PATH."""
    candidates = [[sys.executable, "-m", "uv"], ["python3", "-m", "uv"]]
    if shutil.which("uv"):
        candidates.insert(0, ["uv"])
    for cmd in candidates:
        try:
            if subprocess.run([*cmd, "--version"], capture_output=True).returncode == 0:
                return cmd
        except FileNotFoundError:
            continue
    pytest.fail("uv not found (make setup installs it with python3 -m pip install uv)")


def make_env(where: Path, packages: Sequence[str]) -> Path:
    """A new virtual environment in ``where`` with exactly ``packages``; returns its bin folder."""
    uv = uv_command()
    env = {**os.environ, "UV_COMPILE_BYTECODE": "1"}
    env.pop("VIRTUAL_ENV", None)
    subprocess.run([*uv, "venv", "--quiet", str(where), "--python", sys.executable], check=True, env=env)
    proc = subprocess.run(
        [*uv, "pip", "install", "--quiet", "--python", str(where / "bin" / "python"), *packages],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        message = (proc.stdout + proc.stderr).strip()
        if any(word in message.lower() for word in UNREACHABLE):
            pytest.skip(
                f"package registry unreachable, cannot install {' '.join(packages)}: {message[-300:]}"
            )
        raise RuntimeError(f"uv pip install {' '.join(packages)} failed:\n{message}")
    return where / "bin"
