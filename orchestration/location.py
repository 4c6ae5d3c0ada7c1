"""The Dagster code location's ``Definitions``, built from the settings (``revenue_warehouse.settings``)
by ``build_definitions`` (``orchestration.definitions`` holds the one the UI loads).

To add steps to the refresh job (e.g. Great Expectations checks, the publish step), add your assets
and asset checks in ``build_definitions``: the ``refresh`` job selects every asset, so they run after
the dbt models they depend on."""

from __future__ import annotations

import dagster as dg

from orchestration.dbt_assets import DBT_ASSETS, dbt_resource
from orchestration.jobs import build_jobs
from orchestration.partitions import partitions_for
from orchestration.publish import publish_asset
from orchestration.quality import gx_asset_checks
from orchestration.raw_assets import build_raw_assets
from orchestration.resources import WarehouseResource
from revenue_warehouse.loader import ExtractListing
from revenue_warehouse.settings import Settings, get_settings


def build_definitions(
    settings: Settings | None = None, listing: ExtractListing | None = None
) -> dg.Definitions:
    """The code location over the settings' paths: daily partitions from the first extract date (or
    ``WAREHOUSE_START_DATE``) to the last extract date present, raw loads, dbt models, GX checks (blocking per checks.yml), publish.
    ``listing``: the settings' extracts folder as listed at the start of ONE run (``run_refresh``): the
    partitions and that run's loads use it instead of listing the folder again. A long-lived code
    location (the UI, the daemon) passes none: each load lists the folder when it runs."""
    settings = settings or get_settings()
    partitions = partitions_for(settings.start_date, settings.extracts_dir, listing)
    jobs, schedules, sensors = build_jobs(partitions)
    warehouse = WarehouseResource(
        database=str(settings.build_db),
        extracts_dir=str(settings.extracts_dir),
        serving_database=str(settings.serving_db),
    )
    return dg.Definitions(
        assets=[*build_raw_assets(partitions, listing), *DBT_ASSETS, publish_asset(DBT_ASSETS)],
        asset_checks=[*gx_asset_checks()],
        jobs=jobs,
        schedules=schedules,
        sensors=sensors,
        resources={"warehouse": warehouse, "dbt": dbt_resource()},
        executor=dg.in_process_executor,
    )
