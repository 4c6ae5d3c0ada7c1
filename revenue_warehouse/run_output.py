"""What ``warehouse run`` shows: one line per step, then a short summary read back from the build file
(files loaded and skipped, new and missing columns, dbt and GX checks, where the warehouse is). The
detailed dbt and Dagster output goes to a log file whose path is printed first."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from datetime import datetime
from pathlib import Path

import duckdb

from revenue_warehouse.duckdb_limits import connect
from revenue_warehouse.quality.results import counts_line, read_results


def log_path(log_dir: Path) -> Path:
    log_dir.mkdir(parents=True, exist_ok=True)
    return log_dir / f"run-{datetime.now():%Y%m%d-%H%M%S}.log"


@contextmanager
def output_to(path: Path) -> Iterator[None]:
    """Send everything written to stdout and stderr (this process's and its subprocesses', e.g. dbt)
    to ``path`` until the block ends, then restore the terminal."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("a", buffering=1) as log, redirect_stdout(log), redirect_stderr(log):
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            log.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    return {
        c
        for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }


def load_lines(con: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    """Files loaded, skipped and failed by the run; rows; new and missing columns."""
    if not _table_exists(con, "audit", "load_manifest"):
        return ["files: none loaded (no audit.load_manifest)"]
    loaded, replaced, skipped, failed, rows, quarantined = con.execute(
        """select count(*) filter (where status = 'loaded'), count(*) filter (where status = 'replaced'),
                  count(*) filter (where status = 'skipped_duplicate'), count(*) filter (where status = 'failed'),
                  coalesce(sum(rows_loaded) filter (where status in ('loaded', 'replaced')), 0),
                  coalesce(sum(rows_quarantined) filter (where status in ('loaded', 'replaced')), 0)
           from audit.load_manifest where run_id = ?""",
        [run_id],
    ).fetchone()
    if _table_exists(con, "audit", "load_runs"):  # files skipped unchanged get no manifest row
        skipped += con.execute(
            "select coalesce(sum(files_unchanged), 0) from audit.load_runs where run_id = ?", [run_id]
        ).fetchone()[0]
    lines = [
        f"files: {loaded:,} loaded, {replaced:,} replaced, {skipped:,} skipped (already loaded), {failed:,} failed; "
        f"rows: {rows:,} loaded, {quarantined:,} quarantined"
    ]
    for label, column in (
        ("new columns (kept as text)", "new_columns"),
        ("missing columns (NULL)", "missing_columns"),
    ):
        if column not in _columns(con, "audit", "load_manifest"):
            continue
        found = con.execute(
            f"""select system || '.' || table_name || '.' || c as name
                from (select system, table_name, unnest({column}) as c from audit.load_manifest where run_id = ?)
                group by all order by 1""",
            [run_id],
        ).fetchall()
        names = [n for (n,) in found]
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        lines.append(f"{label}: {len(names)}{': ' + shown if names else ''}")
    return lines


def check_lines(con: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    """GX expectations of the run by outcome (``quality.results.counts_line``, as in the WAP summary)."""
    if not _table_exists(con, "audit", "check_results"):
        return ["GX checks: none ran"]
    return [counts_line(read_results(con, run_id))]


def summary_lines(build_db: Path, run_id: str) -> list[str]:
    if not build_db.exists():
        return [f"no build file at {build_db}"]
    con = connect(build_db, read_only=True)
    try:
        return [*load_lines(con, run_id), *check_lines(con, run_id)]
    finally:
        con.close()
