"""The dbt project as Dagster assets (dagster-dbt): ``dbt build`` on the build database (unit tests
excluded: they run in the test suite), each model's dbt data tests shown as ONE asset check
(``dbt_tests``, individual results in its metadata), sources mapped onto the raw load assets so lineage
is connected."""

import importlib.metadata
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.asset_utils import get_asset_check_key_for_test
from packaging import version

from orchestration.dbt_events import (
    DbtTestOutcome,
    check_result,
    model_check_spec,
    split_test_results,
)
from orchestration.quality import preload_gx, runs_gx_checks
from orchestration.resources import WarehouseResource
from revenue_warehouse.as_of import resolve_as_of
from revenue_warehouse.build_db import run_lock
from revenue_warehouse.dbt import (
    PRODUCTION_EXCLUDE,
    dbt_executable,
    dbt_invocation,
    partial_parsing,
    prepare_manifest,
)
from revenue_warehouse.loader import failed_tables, latest_loaded_date
from revenue_warehouse.paths import PROJECT_DIR
from revenue_warehouse.settings import get_settings

DBT_PROJECT = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)
# dagster-dbt reads target/manifest.json right here, when the code location loads: prepare it the one way
# the project does (``revenue_warehouse.dbt.prepare_manifest``: dbt parse unless fresh, about 6 s when
# stale, a few milliseconds when fresh). Also under `dagster dev`, so DbtProject.prepare_if_dev is not used.
prepare_manifest()


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """dbt sources carry their raw load asset's key in ``meta.dagster.asset_key`` (generated from the
    contract), which dagster-dbt reads by default. Models are grouped by layer and silo (the folders
    under models/: ``staging_hubspot``, ``intermediate_billing``, ``marts_core``), seeds in
    ``seeds``."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        folders = list(dbt_resource_props.get("fqn", []))[1:-1]
        return "_".join(folders[:2]) if folders else "dbt"

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetCheckSpec | None:
        """Every data test of a model folds into the model's one ``dbt_tests`` check, blocking when any
        of its tests has severity error (dagster-dbt keeps the last spec per key: accumulate)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        severity = manifest["nodes"][unique_id].get("config", {}).get("severity") or "error"
        blocking = self._blocking.get(spec.asset_key, False) or severity.lower() == "error"
        self._blocking = {**self._blocking, spec.asset_key: blocking}
        return model_check_spec(spec, blocking)

    _blocking: Mapping[dg.AssetKey, bool] = {}


class WarehouseDbtCli(DbtCliResource):
    """dagster-dbt's resource without two start-up costs of every ``dbt.cli`` call that this project does
    not use (docs/decisions.md#dbt-partial-parsing): ``dbt --version`` in a subprocess to learn the
    version (a new resource per run, so every run; seconds, mostly waiting for the package index it
    asks), where the installed dbt-core is the one ``dbt_executable`` runs; and an in-process dbt adapter
    (profile, project and dbt's macros loaded), used only by ``fetch_column_metadata`` /
    ``fetch_row_counts``, which the project does not call. tests/test_orchestration_dbt_events.py
    fails if dagster-dbt renames either."""

    @property
    def _cli_version(self) -> version.Version:  # dagster-dbt: a cached_property running `dbt --version`
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None  # no adapter handle: dagster-dbt then skips nothing this project uses


def dbt_resource() -> DbtCliResource:
    return WarehouseDbtCli(
        project_dir=DBT_PROJECT, profiles_dir=str(PROJECT_DIR), dbt_executable=dbt_executable()
    )


# dagster-dbt points dbt's target and log folders at the step's own temporary folder, deleted when the
# step ends: only ``partial_parse.msgpack`` is kept from it (``partial_parsing``). So the production build
# writes neither dbt's artifacts (``--no-write-json``: ``manifest.json``, ``run_results.json``,
# ``graph.gpickle``) nor its debug-level file log, which nothing read; dbt's events still reach Dagster
# and the run log through its JSON stdout (docs/decisions.md#what-the-production-dbt-build-writes).
# An operator who sets DBT_LOG_LEVEL_FILE gets that file log, kept as <log dir>/dbt-<run id>.log.
NOTHING_TO_KEEP = ("--no-write-json",)
NO_FILE_LOG = ("--log-level-file", "none")


def build_flags() -> list[str]:
    """What the production ``dbt build`` adds to its arguments: no artifacts, and no file log unless the
    operator asked for one (``DBT_LOG_LEVEL_FILE``, the settings' ``dbt_log_level_file``; dbt reads the
    variable itself)."""
    return [*NOTHING_TO_KEEP, *(() if get_settings().dbt_log_level_file else NO_FILE_LOG)]


def keep_file_log(target: Path, run_id: str) -> Path | None:
    """The dbt file log of the step (only written when DBT_LOG_LEVEL_FILE is set) moved out of the
    temporary target folder before it is deleted: ``<log dir>/dbt-<run id>.log``."""
    log = target / "dbt.log"
    if not log.is_file():
        return None
    kept = get_settings().log_dir / f"dbt-{run_id}.log"
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(log, kept)
    return kept


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
        failed = failed_tables(con, context.run.run_id)
    for warning in as_of.warnings:
        context.log.warning(f"as-of date: {warning}")
    # a table with a file that failed to load in this run (its `files_loaded` check failed): the models
    # downstream of it are not built (not materialized, their checks not executed, nothing published);
    # every other model is built and checked
    downstream_of_failures = [f"source:{system}.{table}+" for system, table in failed]
    if failed:
        context.log.warning(
            "not building the models downstream of tables whose load failed in this run: "
            + ", ".join(f"raw_{system}.{table}" for system, table in failed)
        )
    # the same vars as revenue_warehouse.dbt.run_dbt, fixed for the build file (the profile, profiles.yml,
    # takes the build database and DuckDB limits from them), so dbt starts from the build file's kept
    # parsed project (partial parsing); the as-of date is not among them: macros/as_of_date.sql reads the
    # one resolve_as_of just logged in audit.as_of_log (the var as_of_from_log)
    db = warehouse.db_path()
    dbt_vars, _ = dbt_invocation(db)
    context.log.info(f"dbt build on {db} as of {as_of.value.isoformat()} with vars {dbt_vars}")
    target = Path(tempfile.mkdtemp(prefix="dbt-run-"))
    try:
        exclude = [*PRODUCTION_EXCLUDE, *downstream_of_failures]
        with partial_parsing(db, target):
            args = ["build", "--vars", json.dumps(dbt_vars), "--exclude", " ".join(exclude), *build_flags()]
            # --exclude's value is one argument: dagster-dbt splits it
            invocation = dbt.cli(args, context=context, target_path=target)
            if runs_gx_checks(context.job_def):  # GX imports while dbt runs (docs: preload_gx)
                preload_gx()
            yield from _events(context, invocation)
    finally:
        kept = keep_file_log(target, context.run.run_id)
        if kept is not None:
            context.log.info(f"dbt's file log of this build: {kept}")
        shutil.rmtree(target, ignore_errors=True)


def _events(context: dg.AssetExecutionContext, invocation: Any) -> Iterator:
    """Dagster's events for the dbt run: materializations as dbt reports them, then one check per model."""
    tests: dict[dg.AssetKey, list[DbtTestOutcome]] = {}
    events = split_test_results(
        invocation.stream_raw_events(),
        _test_asset_key(invocation),
        tests,
        _to_dagster(invocation, context),
    )
    # dbt emits models in its DAG's order, which is Dagster's: no ref depends on a var (the
    # as-of date is a value, macros/as_of_date.sql), so the parsed manifest's graph is the run's
    yield from events
    selected = context.selected_asset_check_keys
    for key, outcomes in sorted(tests.items()):
        result = check_result(key, outcomes)
        if result is not None and dg.AssetCheckKey(key, result.check_name) in selected:
            yield result


def _test_asset_key(invocation: Any) -> Callable[[str], dg.AssetKey | None]:
    def key(test_unique_id: str) -> dg.AssetKey | None:
        check = get_asset_check_key_for_test(
            invocation.manifest, invocation.dagster_dbt_translator, test_unique_id, invocation.project
        )
        return check.asset_key if check else None

    return key


def _to_dagster(invocation: Any, context: dg.AssetExecutionContext) -> Callable[[Any], Iterator]:
    def convert(event: Any) -> Iterator:
        return event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=context,
            target_path=invocation.target_path,
            project=invocation.project,
        )

    return convert


DBT_ASSETS = [warehouse_dbt_models]
