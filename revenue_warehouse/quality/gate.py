"""The publication gate: a build may be published only when every blocking check ran for the run and
passed. Used by ``warehouse publish`` and by the Dagster publish asset (defence in depth behind the
blocking asset checks)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from revenue_warehouse.publish import PublishResult
from revenue_warehouse.quality.config import QualityConfig, load_config
from revenue_warehouse.quality.results import CheckFailed, CheckResult, read_results
from revenue_warehouse.quality.runner import connect


class NotChecked(RuntimeError):
    """The build has no (or incomplete) check results for the run: it was not audited."""


def _has_results(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'check_results'"
        ).fetchone()[0]
    )


def latest_run_id(db_path: Path | str) -> str | None:
    con = connect(db_path, read_only=True)
    try:
        if not _has_results(con):
            return None
        row = con.execute(
            "select run_id from audit.check_results order by checked_at desc limit 1"
        ).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def assert_publishable(
    db_path: Path | str, run_id: str | None = None, config: QualityConfig | None = None
) -> list[CheckResult]:
    """Raise ``NotChecked`` unless every blocking check has a result for ``run_id`` (default: the
    latest run), and ``CheckFailed`` if any of them failed. Returns the run's results."""
    config = config or load_config()
    run_id = run_id or latest_run_id(db_path)
    if run_id is None:
        raise NotChecked(f"{db_path}: no check results at all: run `warehouse check` before publishing")
    con = connect(db_path, read_only=True)
    try:
        results = read_results(con, run_id) if _has_results(con) else []
    finally:
        con.close()
    seen = {(r.suite, r.expectation) for r in results}
    missing = sorted(f"{s}.{e}" for (s, e), c in config.checks.items() if c.blocking and (s, e) not in seen)
    if missing:
        raise NotChecked(f"run {run_id}: blocking checks without a result: {', '.join(missing)}")
    failures = [r for r in results if r.blocking_failure]
    if failures:
        raise CheckFailed(failures)
    return results


def check_and_publish(
    build_db: Path | str,
    serving_db: Path | str | None,
    run_id: str,
    *,
    as_of: date | None = None,
    docs_dir: Path | None | bool = True,
) -> PublishResult:
    """The audit and publish halves of write-audit-publish outside Dagster (``warehouse check`` +
    ``warehouse publish`` in one call): run every suite, record the results, raise ``CheckFailed``
    on a blocking failure (nothing published), else publish the build as generation ``run_id``."""
    from revenue_warehouse.publish import publish
    from revenue_warehouse.quality.results import raise_on_blocking
    from revenue_warehouse.quality.runner import run_checks

    raise_on_blocking(run_checks(build_db, run_id, as_of=as_of, docs_dir=docs_dir))
    assert_publishable(build_db, run_id)
    return publish(build_db, serving_db, generation=run_id)
