"""The dbt project as Dagster assets (dagster-dbt): ``dbt build`` on the build database, dbt data tests
shown as asset checks, sources mapped onto the raw load assets so lineage is connected."""

import json
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.dbt_events import in_topological_order
from orchestration.resources import WarehouseResource
from revenue_warehouse.as_of import resolve_as_of
from revenue_warehouse.build_db import run_lock
from revenue_warehouse.dbt import dbt_executable
from revenue_warehouse.loader import latest_loaded_date
from revenue_warehouse.paths import PROJECT_DIR

DBT_PROJECT = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """dbt source ``<system>.<table>`` (schema ``raw_<system>``) is the asset ``raw_<system>/<table>``."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=DBT_PROJECT, profiles_dir=str(PROJECT_DIR), dbt_executable=dbt_executable()
    )


def manifest_path() -> Path:
    return DBT_PROJECT.manifest_path


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT, dagster_dbt_translator=WarehouseDbtTranslator()
)
def warehouse_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator:
    """``dbt build`` with ``as_of_date`` = the last extract date loaded, under the run lock."""
    with run_lock(warehouse.db_path()):
        yield from _build(context, dbt, warehouse)


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource) -> Iterator:
    with warehouse.connect() as con:
        as_of = resolve_as_of(con, context.run.run_id, latest_loaded_date(con))
    for warning in as_of.warnings:
        context.log.warning(f"as-of date: {warning}")
    # the profile (profiles.yml) takes the build database from the var build_db
    dbt_vars = {"build_db": str(warehouse.db_path()), "as_of_date": as_of.value.isoformat()}
    context.log.info(f"dbt build on {warehouse.db_path()} with vars {dbt_vars}")
    target = Path(tempfile.mkdtemp(prefix="dbt-run-"))
    try:
        events = dbt.cli(
            ["build", "--vars", json.dumps(dbt_vars)], context=context, target_path=target
        ).stream()
        assets_def = context.assets_def
        yield from in_topological_order(
            events, assets_def.asset_deps, assets_def.keys_by_output_name, context.selected_asset_keys
        )
    finally:
        shutil.rmtree(target, ignore_errors=True)


DBT_ASSETS = [warehouse_dbt_models]
