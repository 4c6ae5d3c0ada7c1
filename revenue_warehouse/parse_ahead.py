"""Parse the dbt project for a new build file while the run loads its extracts.

dbt starts a build from the build file's kept parsed project (``revenue_warehouse.dbt.partial_parsing``,
docs/decisions.md#dbt-partial-parsing). A build file with none kept yet (the first run on a fresh data
folder) made its ``dbt build`` parse the whole project first: about 10 s of one core at the start of the
dbt step, after the loads. The parse needs the project and the vars only, not the database, so it can run
during the loads, which leave part of the machine idle: ``ParseAhead`` runs ``dbt parse`` with the
build's own vars in a background process, keeps its result as the build file's parsed project and holds
the build file's parse lock meanwhile, so the dbt step (which takes the lock shared before it reads the
kept file) waits for it rather than parsing a second time. Nothing changes for a build file that has a
kept parsed project: whether it still fits is dbt's own check, in the build, as before.

``warehouse run`` starts it at its own start (``revenue_warehouse.commands.run``), where the listing, the
imports and Dagster's planning of the run use one core; the refresh job's own parse ahead then finds it
under way. The parse runs ``PARSE_NICENESS`` nicer than the run, so during the loads it takes the CPU
they leave idle rather than a share of theirs.

A parse ahead that cannot start or fails keeps nothing and is not an error of the run (the build then
parses as it did before); stopping a run stops it.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from types import TracebackType
from typing import IO

from revenue_warehouse.dbt import (
    PROJECT_DIR,
    dbt_command,
    dbt_env,
    dbt_invocation,
    keep_parse,
    parse_lock,
    partial_parse_cache,
    seed_parse,
)

log = logging.getLogger(__name__)

# dbt parse writes its artifacts (manifest.json and others) unless told not to; only the parsed project
# (partial_parse.msgpack) is kept
PARSE_ARGS = ("parse", "--no-write-json", "--log-level-file", "none")
# how long a parse still running when the run ends gets to exit after SIGTERM before it is killed (a
# process can inherit SIGTERM ignored or blocked; in one CI run a test's stand-in outlived SIGTERM)
STOP_GRACE_S = 5.0
# how much lower the parse's CPU priority is than the run's (nice); the dbt step waits for the parse, so
# a parse still running when the loads end gets the whole machine then
PARSE_NICENESS = 10


class ParseAhead:
    """``with ParseAhead(db_path):`` around the work before the dbt step (the whole run: the step waits
    for the lock). ``started`` says whether a parse was started (none when the build file has a kept
    parsed project, or another process is parsing ahead of it)."""

    def __init__(self, db_path: Path | str, timeout_s: float = 900.0) -> None:
        self.db_path = Path(db_path)
        self.timeout_s = timeout_s
        self.started = False
        self.returncode: int | None = None
        self._lock: IO[str] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._target: Path | None = None
        self._stopped = False  # the run ended first and stopped it

    def __enter__(self) -> ParseAhead:
        if partial_parse_cache(self.db_path).is_file():
            return self
        lock = parse_lock(self.db_path)
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            handle = lock.open("a")
        except OSError as exc:  # e.g. a read-only folder: the build reports what it cannot write
            log.warning("no dbt parse ahead of %s: %s", self.db_path, exc)
            return self
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another run is parsing ahead of this build file
            handle.close()
            return self
        self._lock = handle
        try:
            self._start()
        except Exception as exc:  # never fatal: the build parses instead (and says why if it cannot)
            # one line, no traceback: `warehouse run` starts this before its output goes to its log
            log.warning(
                "could not start a dbt parse ahead of %s (%s); the build parses instead", self.db_path, exc
            )
            self._cleanup()
        except BaseException:
            self._cleanup()
            raise
        return self

    def _cleanup(self) -> None:
        if self._target is not None:
            shutil.rmtree(self._target, ignore_errors=True)
        self._release()

    def _start(self) -> None:
        self._target = Path(tempfile.mkdtemp(prefix="dbt-parse-ahead-"))
        before = seed_parse(self.db_path, self._target)
        all_vars, _ = dbt_invocation(self.db_path)
        self._proc = subprocess.Popen(
            dbt_command(PARSE_ARGS, all_vars, self._target),
            cwd=PROJECT_DIR,
            env=dbt_env(self.db_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # below the run's own work: the parse takes the CPU the run leaves idle rather than a share of it
        with contextlib.suppress(OSError):
            niceness = min(os.getpriority(os.PRIO_PROCESS, 0) + PARSE_NICENESS, 19)
            os.setpriority(os.PRIO_PROCESS, self._proc.pid, niceness)
        self.started = True
        self._thread = threading.Thread(
            target=self._finish, args=(before,), name="dbt-parse-ahead", daemon=True
        )
        self._thread.start()

    def _finish(self, before: tuple[int, int, int] | None) -> None:
        """When dbt parse exits: keep what it parsed (only when it succeeded), then release the lock."""
        assert self._proc is not None and self._target is not None
        try:
            try:
                self.returncode = self._proc.wait(timeout=self.timeout_s)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self.returncode = self._proc.wait()
            if self.returncode == 0:
                keep_parse(self.db_path, self._target, before)
            elif not self._stopped:  # the dbt step parses as it would have, and says why if it fails
                log.warning(
                    "dbt parse ahead of %s exited %s; the build parses instead", self.db_path, self.returncode
                )
        except Exception as exc:  # never fatal: the build parses instead
            log.warning("dbt parse ahead of %s failed (%s); the build parses instead", self.db_path, exc)
        finally:
            self._cleanup()

    def _release(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._proc is not None and self._proc.poll() is None:  # the run ended before the parse did
            self._stopped = True
            self._proc.terminate()
            try:
                self._proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:  # SIGTERM ignored or blocked (inherited): no grace
                self._proc.kill()
        self.wait()
