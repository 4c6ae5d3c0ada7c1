"""Extract dates as daily partitions. Nothing here reads the environment: the code location
(``orchestration.location.build_definitions``) builds the partitions from the settings' extracts
folder when it loads: from the first extract date (or ``WAREHOUSE_START_DATE``) to the LAST extract
date present, so the UI lists the days there are files for, not every day up to today."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from revenue_warehouse.loader import ExtractListing, extract_dates

# first partition when neither WAREHOUSE_START_DATE nor any extract file says otherwise
DEFAULT_START = date(2023, 1, 1)

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def extract_partitions(start: date, last: date | None = None) -> dg.DailyPartitionsDefinition:
    """One partition per day from ``start`` to ``last`` (both included); open-ended (up to yesterday,
    Dagster's default) when ``last`` is None, i.e. before any extract file exists."""
    end = (max(last, start) + timedelta(days=1)).isoformat() if last else None
    return dg.DailyPartitionsDefinition(start_date=start.isoformat(), end_date=end)


def partitions_for(
    start_date: date | None, extracts_dir: Path, listing: ExtractListing | None = None
) -> dg.DailyPartitionsDefinition:
    """The code location's partitions: the configured start date (else the first extract date present,
    else ``DEFAULT_START``) .. the last extract date present (in ``listing`` when given, a listing of
    ``extracts_dir``)."""
    dates = listing.dates() if listing is not None else _dates(extracts_dir)
    return extract_partitions(
        start_date or (dates[0] if dates else DEFAULT_START), dates[-1] if dates else None
    )


def last_partition_key(partitions: dg.PartitionsDefinition) -> str | None:
    """The last partition key (the last extract date when the code location loaded), or None."""
    return partitions.get_last_partition_key()


def _dates(extracts_dir: Path) -> list[date]:
    return extract_dates(extracts_dir) if extracts_dir.is_dir() else []


def range_tags(first: str, last: str) -> dict[str, str]:
    """Run tags that make one run cover a range of partitions (a single-run backfill)."""
    return {RANGE_START_TAG: first, RANGE_END_TAG: last}
