"""Extract dates as daily partitions. The first date comes from ``WAREHOUSE_START_DATE`` (default
2023-01-01, the simulator's default start)."""

from __future__ import annotations

import os

import dagster as dg

START_DATE = os.environ.get("WAREHOUSE_START_DATE", "2023-01-01")

EXTRACT_DATES = dg.DailyPartitionsDefinition(start_date=START_DATE)

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def range_tags(first: str, last: str) -> dict[str, str]:
    """Run tags that make one run cover a range of partitions (a single-run backfill)."""
    return {RANGE_START_TAG: first, RANGE_END_TAG: last}
