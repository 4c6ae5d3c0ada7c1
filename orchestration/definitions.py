"""The Dagster code location: ONE ``Definitions`` assembled from the module lists below.

To add steps to the refresh job (e.g. Great Expectations checks, the publish step), append your
assets to ``ASSETS`` and your asset checks to ``ASSET_CHECKS`` (and resources to ``RESOURCES``): the
``refresh`` job selects every asset, so they run after the dbt models they depend on."""

from __future__ import annotations

import dagster as dg

from orchestration.dbt_assets import DBT_ASSETS, dbt_resource
from orchestration.jobs import JOBS, SCHEDULES, SENSORS
from orchestration.publish import publish_asset
from orchestration.quality import gx_asset_checks
from orchestration.raw_assets import RAW_ASSETS
from orchestration.resources import WarehouseResource

ASSETS: list = [*RAW_ASSETS, *DBT_ASSETS, publish_asset(DBT_ASSETS)]
ASSET_CHECKS: list = [*gx_asset_checks()]  # GX suites (write-audit-publish), blocking per checks.yml
RESOURCES: dict = {"warehouse": WarehouseResource(), "dbt": dbt_resource()}

defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=ASSET_CHECKS,
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources=RESOURCES,
    executor=dg.in_process_executor,
)
