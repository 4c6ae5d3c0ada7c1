"""What the ``warehouse`` command line says when something fails: one line (what, which file, what to
do) on stderr, and the traceback in the log file (``WAREHOUSE_LOG_FILE``, default
``<log dir>/warehouse.log``, see ``revenue_warehouse.settings``; the system's temporary directory when that cannot be written)."""

from __future__ import annotations

import errno
import os
import re
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import duckdb

from revenue_warehouse.build_db import BuildDatabaseError, explain
from revenue_warehouse.settings import get_settings

FULL = "free space on that disk and run again (the served file is untouched)"
READ_ONLY = "make that directory writable, or point WAREHOUSE_DATA_DIR elsewhere, and run again"
REPUBLISH = "run `warehouse publish` (or `warehouse run`) to publish the checked build again"
_QUOTED_PATH = re.compile(r'"(/[^"]+)"')


def log_file() -> Path:
    """``log_file`` of the settings (``WAREHOUSE_LOG_FILE``, default ``<log dir>/warehouse.log``)."""
    return get_settings().log_file


def open_log() -> tuple[Path, TextIO] | None:
    """The log file opened for appending (the temporary directory's when the configured one cannot
    be written), or ``None`` if neither can."""
    for path in (log_file(), Path(tempfile.gettempdir()) / "revenue_warehouse.log"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return path, path.open("a", encoding="utf-8")
        except OSError:
            continue
    return None


def log_traceback(exc: BaseException) -> Path | None:
    """Append ``exc``'s traceback to the log; the path written, or ``None`` if nowhere could be."""
    text = f"--- {datetime.now(UTC).isoformat()} pid {os.getpid()}\n" + "".join(
        traceback.format_exception(exc)
    )
    opened = open_log()
    if opened is None:
        return None
    path, fh = opened
    try:
        with fh:
            fh.write(text)
    except OSError:
        return None
    return path


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _os_message(code: int | None, filename: str | None, detail: str) -> str | None:
    where = filename or "a file"
    if code == errno.ENOSPC:
        return f"no space left on the device writing {where}: {FULL}"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"cannot write {where} ({detail}): {READ_ONLY}"
    if code == errno.ENOENT:
        return f"{where} does not exist: check the path (or the WAREHOUSE_* setting naming it)"
    return None


def _explain(exc: duckdb.Error, filename: str) -> BuildDatabaseError | None:
    """A locked or corrupt DuckDB file, named as the serving file when it is that one."""
    if Path(filename).resolve() == get_settings().serving_db.resolve():
        return explain(exc, filename, name="the serving file", remedy=REPUBLISH)
    return explain(exc, filename)


def user_message(exc: BaseException) -> str:
    """One line for the user: what failed, which file, what to do."""
    if isinstance(exc, BuildDatabaseError):
        return str(exc)
    if isinstance(exc, OSError):
        message = _os_message(exc.errno, exc.filename, exc.strerror or _first_line(exc))
        if message:
            return message
    if isinstance(exc, duckdb.Error):
        text = str(exc)
        match = _QUOTED_PATH.search(text)
        filename = match.group(1) if match else None
        lowered = text.lower()
        code = None
        if "no space left" in lowered:
            code = errno.ENOSPC
        elif "read-only file system" in lowered:
            code = errno.EROFS
        elif "permission denied" in lowered:
            code = errno.EACCES
        message = _os_message(code, filename, _first_line(exc)) if code else None
        explained = _explain(exc, filename) if filename else None
        if message or explained:
            return message or str(explained)
    return f"{type(exc).__name__}: {_first_line(exc)}"
