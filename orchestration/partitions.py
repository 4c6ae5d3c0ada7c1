"""Extract dates as daily partitions. Nothing here reads the environment: the code location
(``orchestration.definitions``) builds the partitions from the settings when it loads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg

from revenue_warehouse.loader import extract_dates

# first partition when neither WAREHOUSE_START_DATE nor any extract file says otherwise
DEFAULT_START = date(2023, 1, 1)

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def extract_partitions(start: date) -> dg.DailyPartitionsDefinition:
    """One partition per extract date from ``start`` on."""
    return dg.DailyPartitionsDefinition(start_date=start.isoformat())


def first_partition_date(start_date: date | None, extracts_dir: Path) -> date:
    """The configured start date, else the first extract date present, else ``DEFAULT_START``."""
    if start_date:
        return start_date
    dates = extract_dates(extracts_dir) if extracts_dir.is_dir() else []
    return dates[0] if dates else DEFAULT_START


def range_tags(first: str, last: str) -> dict[str, str]:
    """Run tags that make one run cover a range of partitions (a single-run backfill)."""
    return {RANGE_START_TAG: first, RANGE_END_TAG: last}
