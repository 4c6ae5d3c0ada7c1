"""The publish asset: downstream of every mart a blocking GX check guards, so Dagster skips it when
one of them fails; it re-checks ``audit.check_results`` for its own run (the gate) before copying the
marts into a new serving file that atomically replaces the served one."""

from collections.abc import Sequence

import dagster as dg
from dagster import AssetExecutionContext

from orchestration.quality import guarded_asset_keys
from revenue_warehouse.publish import PUBLISHED_SCHEMAS

PUBLISH_ASSET_KEY = dg.AssetKey(["serving", "warehouse"])


def mart_keys(upstream: Sequence[dg.AssetsDefinition]) -> list[dg.AssetKey]:
    """Keys of the upstream assets that are marts (first key component a published schema)."""
    return [k for a in upstream for k in a.keys if k.path[0] in PUBLISHED_SCHEMAS]


def publish_asset(upstream: Sequence[dg.AssetsDefinition] = ()) -> dg.AssetsDefinition:
    """The publish asset, downstream of the guarded marts and of every mart among ``upstream``."""
    deps = list(dict.fromkeys([*guarded_asset_keys(), *mart_keys(upstream)]))

    @dg.asset(
        key=PUBLISH_ASSET_KEY,
        deps=deps,
        group_name="publish",
        kinds={"duckdb"},
        required_resource_keys={"warehouse"},
        description=(
            "The read-only serving warehouse: marts and audit schemas, personal data hashed, published "
            "only when every blocking check of the run passed (write-audit-publish)."
        ),
    )
    def serving_warehouse(context: AssetExecutionContext) -> dg.MaterializeResult:
        from revenue_warehouse.publish import NotAServingFile, publish
        from revenue_warehouse.quality.gate import assert_publishable

        build_db = str(context.resources.warehouse.db_path())
        assert_publishable(build_db, context.run.run_id)
        serving_db = context.resources.warehouse.serving_path()
        try:
            result = publish(build_db, serving_db, generation=context.run.run_id)
        except NotAServingFile as exc:  # somebody's file at the serving path: a retry cannot help
            raise dg.Failure(description=str(exc), allow_retries=False) from exc
        context.log.info(
            f"published {len(result.row_counts)} tables to {result.serving_path} ({result.summary()})"
        )
        return dg.MaterializeResult(
            metadata={
                "serving_path": str(result.serving_path),
                "generation": result.generation,
                "tables": len(result.row_counts),
                "rows": sum(result.row_counts.values()),
                "masked_columns": ", ".join(result.masked_columns),
                "seconds": round(result.seconds, 2),
                "tables_kept": len(result.actions.get("kept", [])),
                "tables_updated": len(result.actions.get("updated", [])),
                "tables_written": len(result.actions.get("written", [])),
                "tables_dropped": len(result.actions.get("dropped", [])),
            }
        )

    return serving_warehouse
