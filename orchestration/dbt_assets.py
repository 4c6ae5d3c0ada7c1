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
    """dbt sources carry their raw load asset's key in ``meta.dagster.asset_key`` (generated from the
    contract), which dagster-dbt reads by default. Models are grouped by layer and silo (the folders
    under models/: ``staging_hubspot``, ``intermediate_customer_success``, ``marts_sales``), seeds in
    ``seeds``."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        folders = list(dbt_resource_props.get("fqn", []))[1:-1]
        return "_".join(folders[:2]) if folders else "dbt"


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
