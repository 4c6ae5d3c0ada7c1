"""The warehouse's as-of date: one definition, guarded.

* It is the last extract date loaded (``loader.latest_loaded_date``). dbt reads it only while
  executing (``macros/as_of_date.sql``), so that a new date does not make dbt parse the project
  again: ``revenue_warehouse.dbt.run_dbt`` passes it in the environment, the Dagster dbt step logs it
  in ``audit.as_of_log`` and the macro reads the latest entry; the var ``as_of_date`` still wins when
  given by hand, and a dbt build with none of these fails.
* An extract dated after the run's own date plus ``WAREHOUSE_FUTURE_EXTRACT_DAYS`` (default 1) is
  refused with ``FutureExtractError``, so a file named ``2099-01-01.csv`` cannot move it.
* Each as-of date used is logged in ``audit.as_of_log``; it never moves backwards (the previous one is
  kept, with a warning) and a jump of more than ``WAREHOUSE_AS_OF_MAX_JUMP_DAYS`` (default 31) days is
  reported as a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import duckdb

from revenue_warehouse.settings import get_settings

FUTURE_DAYS_ENV = "WAREHOUSE_FUTURE_EXTRACT_DAYS"
MAX_JUMP_ENV = "WAREHOUSE_AS_OF_MAX_JUMP_DAYS"

AS_OF_LOG_DDL = """
CREATE TABLE IF NOT EXISTS audit.as_of_log (
    run_id VARCHAR NOT NULL,
    as_of_date DATE NOT NULL,
    latest_loaded DATE,
    previous DATE,
    warning VARCHAR,
    recorded_at TIMESTAMP NOT NULL
)"""


def future_tolerance_days() -> int:
    return get_settings().future_extract_days  # WAREHOUSE_FUTURE_EXTRACT_DAYS


def max_jump_days() -> int:
    return get_settings().as_of_max_jump_days  # WAREHOUSE_AS_OF_MAX_JUMP_DAYS


def run_date() -> date:
    """The run's own date (UTC)."""
    return datetime.now(UTC).date()


def latest_acceptable_date(today: date | None = None) -> date:
    return (today or run_date()) + timedelta(days=future_tolerance_days())


@dataclass
class AsOf:
    value: date
    warnings: list[str] = field(default_factory=list)


def resolve_as_of(con: duckdb.DuckDBPyConnection, run_id: str, latest_loaded: date | None) -> AsOf:
    """The as-of date for this run from the last extract date loaded; logged in ``audit.as_of_log``.
    Raises ``ValueError`` when nothing was loaded (there is no as-of date to build with)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(AS_OF_LOG_DDL)
    previous = con.execute("SELECT max(as_of_date) FROM audit.as_of_log").fetchone()[0]
    if latest_loaded is None:
        if previous is None:
            raise ValueError("no extract has been loaded, so there is no as-of date: load extracts first")
        latest_loaded = previous
    result = AsOf(latest_loaded)
    if previous is not None and latest_loaded < previous:
        result.value = previous
        result.warnings.append(
            f"the last extract date loaded ({latest_loaded}) is before the previous as-of date ({previous}): "
            f"keeping {previous} (the as-of date never moves backwards)"
        )
    elif previous is not None and (latest_loaded - previous).days > max_jump_days():
        result.warnings.append(
            f"the as-of date jumps {(latest_loaded - previous).days} days, from {previous} to {latest_loaded} "
            f"(more than {MAX_JUMP_ENV}={max_jump_days()}): check the extract dates"
        )
    con.execute(
        "INSERT INTO audit.as_of_log VALUES (?, ?, ?, ?, ?, ?)",
        [
            run_id,
            result.value,
            latest_loaded,
            previous,
            "; ".join(result.warnings) or None,
            datetime.now(UTC).replace(tzinfo=None),
        ],
    )
    return result
