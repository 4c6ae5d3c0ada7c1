"""The write-audit-publish part of the ``warehouse run`` summary: rows per mart, checks passed and
failed (with the failure messages), whether the serving file was published, and how to use it."""

from __future__ import annotations

from pathlib import Path

from revenue_warehouse import duckdb_limits
from revenue_warehouse.publish import current_generation
from revenue_warehouse.quality.results import OUTCOMES, counts_line, outcome, read_results

MART_SCHEMAS = ("marketing", "sales", "customer_success", "funnel", "core", "quality")


def _mart_rows(db: Path) -> list[tuple[str, int]]:
    con = duckdb_limits.connect(db, read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in {MART_SCHEMAS} order by 1, 2"
        ).fetchall()
        return [
            (f"{s}.{t}", con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]) for s, t in tables
        ]
    finally:
        con.close()


def _results(db: Path, run_id: str) -> list:
    con = duckdb_limits.connect(db, read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'check_results'"
        ).fetchone()[0]
        return read_results(con, run_id) if exists else []
    finally:
        con.close()


def wap_summary(build_db: Path, serving_db: Path, run_id: str) -> str:
    lines: list[str] = []
    published = serving_db.exists() and current_generation(serving_db) == run_id
    source = serving_db if published else build_db
    if source.exists():
        rows = _mart_rows(source)
        lines.append(f"rows per mart ({'served' if published else 'build, not published'}):")
        lines += [f"  {name:<45} {n:>10,}" for name, n in rows]
    results = _results(build_db, run_id) if build_db.exists() else []
    by_outcome = {name: [r for r in results if outcome(r) == name] for name in OUTCOMES}
    failed, warned = by_outcome["failed"], by_outcome["warned"]
    skipped = by_outcome["not_applicable"] + by_outcome["no_records"]
    leaks = [r for r in by_outcome["passed"] if r.kind == "handoff" and r.failing_record_count]
    lines.append(counts_line(results))
    lines += [f"  ERROR {r.message()}" for r in by_outcome["error"]]
    lines += [f"  FAIL {r.message()}" for r in failed]
    lines += [f"  WARN {r.message()}" for r in warned]
    lines += [f"  {r.status.upper().replace('_', ' ')} {r.message()}" for r in skipped]
    lines += [
        f"  LEAK handoff {r.handoff}: {r.expectation}: {r.failing_record_count} of {r.element_count} records "
        f"not met (above the floor, published: quality schema); sample ids: {', '.join(r.sample_failing_keys)}"
        for r in leaks
    ]
    if published:
        lines.append(f"published: {serving_db} (generation {run_id})")
    else:
        previous = current_generation(serving_db) if serving_db.exists() else None
        state = f"still serves generation {previous}" if previous else "does not exist yet"
        lines.append(f"NOT published: {serving_db} {state}")
    lines += [
        "Dagster UI: make dev, then open http://127.0.0.1:3000",
        "query the served warehouse (read-only, never blocks the pipeline):",
        f"  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{serving_db}', read_only=True)"
        ".sql('select * from funnel.fct_handoff_summary limit 10'))\"",
    ]
    return "\n".join(lines)
