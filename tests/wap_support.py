"""Helpers of the write-audit-publish end-to-end tests: break a handoff in extract files, fingerprint
marts, build a warehouse without Dagster (for the many-seeds test)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import duckdb
import yaml

from revenue_warehouse.paths import PROJECT_DIR

MART_SCHEMAS = ("marketing", "sales", "customer_success", "funnel", "core")
# Columns that legitimately differ between two runs over the same extracts.
RUN_DEPENDENT = ("_loaded_at", "_run_id", "loaded_at", "run_id")


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(
    path: Path, header: list[str], rows: list[dict[str, str]], quoting: int = csv.QUOTE_MINIMAL
) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n", quoting=quoting)
        writer.writeheader()
        writer.writerows(rows)


def won_new_business(extracts: Path, closed_by: date) -> list[str]:
    """Won New Business opportunities closed on or before ``closed_by``, latest record version,
    read straight from the extract files."""
    latest: dict[str, dict[str, str]] = {}
    for path in sorted((extracts / "salesforce" / "opportunity").glob("*.csv")):
        for row in read_rows(path)[1]:
            if row["id"] not in latest or row["_fivetran_synced"] >= latest[row["id"]]["_fivetran_synced"]:
                latest[row["id"]] = row
    return sorted(
        oid
        for oid, row in latest.items()
        if row.get("type") == "New Business"
        and row.get("is_won") == "true"
        and row.get("is_deleted") != "true"
        and row.get("close_date")
        and date.fromisoformat(row["close_date"]) <= closed_by
    )


def remove_cs_introductions(extracts: Path, opportunity_ids: set[str]) -> int:
    """Delete every CS Introduction task row of these opportunities from the task extract files,
    returning how many rows were removed (duplicates and late updates included)."""
    removed = 0
    for path in sorted((extracts / "salesforce" / "task").glob("*.csv")):
        header, rows = read_rows(path)
        kept = [
            r
            for r in rows
            if not (r.get("type") == "CS Introduction" and r.get("what_id") in opportunity_ids)
        ]
        if len(kept) != len(rows):
            removed += len(rows) - len(kept)
            write_rows(path, header, kept)
    return removed


def dbt_var(name: str) -> object:
    """A var's default in dbt_project.yml (what a build without --vars for it uses)."""
    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"][name]


def checks_config_with_floor(directory: Path, suite: str, expectation: str, floor: float) -> Path:
    """A copy of the shipped checks.yml with one expectation's floor changed."""
    from revenue_warehouse.quality.config import DEFAULT_CONFIG

    raw = yaml.safe_load(DEFAULT_CONFIG.read_text())
    raw["suites"][suite][expectation]["floor"] = floor
    path = directory / f"checks-{expectation}-{floor}.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


def served(serving: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def pick_won_deals(extracts: Path, as_of: date, k: int) -> list[str]:
    """k won deals that every CS introduction check must consider (closed before the grace period)."""
    grace = int(dbt_var("quality_grace_days"))
    candidates = won_new_business(extracts, as_of - timedelta(days=grace + 30))
    assert len(candidates) >= 3 * k, f"only {len(candidates)} won deals in the extracts"
    return candidates[:: max(1, len(candidates) // k)][:k]


def mart_checksums(db: Path) -> dict[str, tuple]:
    """(rows, per-column hash sums) of every mart table, ignoring run-dependent columns."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in {MART_SCHEMAS} order by 1, 2"
        ).fetchall():
            cols = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                    "order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if c not in RUN_DEPENDENT
            ]
            sums = ", ".join(f'sum(hash("{c}"))' for c in cols)
            out[f"{schema}.{table}"] = con.execute(
                f'select count(*), {sums} from "{schema}"."{table}"'
            ).fetchone()
        return out
    finally:
        con.close()


def build_warehouse(extracts: Path, build: Path, as_of: date, run_id: str) -> None:
    """Write: load the extracts (incrementally) and ``dbt build`` into the build file."""
    from revenue_warehouse.dbt import run_dbt
    from revenue_warehouse.loader import load_extracts

    load_extracts(build, extracts, run_id=run_id)
    run_dbt(["build"], build, dbt_vars={"as_of_date": as_of.isoformat()}, target_path=build.parent / "target")


# The whole write-audit-publish pipeline in a separate process (for the SIGKILL test): prints a
# marker before each phase so the test can kill it in the middle of one.
PIPELINE_SCRIPT = """
import sys
from datetime import date
from pathlib import Path
sys.path.insert(0, sys.argv[5])
from revenue_warehouse.dbt import run_dbt
from revenue_warehouse.loader import load_extracts
from revenue_warehouse.quality.gate import check_and_publish
extracts, build, serving, as_of = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
run_id = "run-" + str(__import__("uuid").uuid4())[:8]
print("PHASE load", flush=True)
load_extracts(build, extracts, run_id=run_id)
print("PHASE dbt", flush=True)
run_dbt(["build"], build, dbt_vars={"as_of_date": as_of}, target_path=build.parent / "target")
print("PHASE check", flush=True)
result = check_and_publish(build, serving, run_id, as_of=date.fromisoformat(as_of), docs_dir=None)
print("PUBLISHED", result.generation, flush=True)
"""
