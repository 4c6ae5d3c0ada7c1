"""Opening the build database, and the run lock: a lock held by another process is told apart from a
corrupt file, and both become one-line errors saying what to do (never a retry loop on corruption).

The run lock (``run_lock``) is ``<build file>.lock`` beside the build file: every ``warehouse``
command that writes or reads the build file takes it before anything else, and so do the Dagster
raw load and dbt assets, so two runs never race on the build file or dbt's ``target/``. It holds the
pid of the run that has it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from revenue_warehouse import duckdb_limits

REBUILD = "run `warehouse run` again to rebuild it from the extracts (the served file is not affected)"


class BuildDatabaseError(Exception):
    """A build database problem with a one-line message naming the file and what to do."""


class BuildLocked(BuildDatabaseError):
    pass


class BuildCorrupt(BuildDatabaseError):
    pass


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "conflicting lock" in text or "could not set lock" in text


def is_environment_error(exc: BaseException) -> bool:
    """A full disk or a read-only file system: the machine's problem, not the data's."""
    text = str(exc).lower()
    return "no space left" in text or "read-only file system" in text


def explain(
    exc: BaseException, path: Path | str, *, name: str = "the build database", remedy: str = REBUILD
) -> BuildDatabaseError | None:
    """A lock or corruption of the build file ``path`` as a one-line error; ``None`` for anything else.
    ``name`` and ``remedy`` say it of another DuckDB file of the project (the serving file)."""
    if not isinstance(exc, duckdb.Error):
        return None
    text = str(exc)
    if is_lock_error(exc):
        holder = text.split("(PID ", 1)[1].split(")", 1)[0] if "(PID " in text else "unknown"
        return BuildLocked(
            f"{name} {path} is in use by another process (pid {holder}): "
            "wait for it to finish (or stop it) and run again"
        )
    lowered = text.lower()
    if any(
        marker in lowered
        for marker in ("not a valid duckdb database", "could not read enough bytes", "corrupt", "checksum")
    ) or isinstance(exc, duckdb.SerializationException):
        return BuildCorrupt(
            f"{name} {path} is corrupt ({_first_line(exc)}): move it aside "
            f"(mv {path} {path}.corrupt) and {remedy}"
        )
    return None


def open_build(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` on the build file, raising ``BuildLocked`` / ``BuildCorrupt`` when it is."""
    try:  # with the configured DuckDB memory_limit, threads and temp_directory
        return duckdb_limits.connect(path, read_only=read_only)
    except duckdb.Error as exc:
        explained = explain(exc, path)
        if explained is not None:
            raise explained from exc
        raise


def lock_path(build_db: Path | str) -> Path:
    build = Path(build_db).resolve()
    return build.with_name(build.name + ".lock")


_HELD: dict[Path, int] = {}  # locks this process holds, with their depth (the lock is re-entrant)


@contextmanager
def run_lock(build_db: Path | str) -> Iterator[Path]:
    """Hold the build file's run lock, or raise ``BuildLocked`` naming the run (pid) that holds it.
    Re-entrant within a process: ``warehouse run`` holds it while the in-process Dagster job's
    assets take it again (a run launched by the Dagster daemon takes it in its assets)."""
    path = lock_path(build_db)
    if path in _HELD:
        _HELD[path] += 1
        try:
            yield path
        finally:
            _HELD[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", errors="replace").strip() or "unknown"
            raise BuildLocked(
                f"another run (pid {holder}) is using {Path(build_db).resolve()}: "
                "wait for it to finish (or stop it) and run again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _HELD[path] = 1
        try:
            yield path
        finally:
            del _HELD[path]
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
