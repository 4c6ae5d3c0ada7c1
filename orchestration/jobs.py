"""Jobs, the daily schedule and the new-extracts sensor."""

import hashlib
from datetime import date

import dagster as dg

from orchestration.partitions import last_partition_key, range_tags
from orchestration.resources import WarehouseResource
from revenue_warehouse.loader import pending_dates

RAW_SELECTION = dg.AssetSelection.groups("raw_hubspot", "raw_salesforce", "raw_stripe")


def build_jobs(partitions: dg.PartitionsDefinition) -> tuple[list, list, list]:
    """The jobs, the daily schedule and the new-extracts sensor over the given extract-date partitions."""
    # DuckDB allows one writer per file: steps run one after another in the run's process.
    load_raw = dg.define_asset_job(
        "load_raw",
        selection=RAW_SELECTION,
        partitions_def=partitions,
        executor_def=dg.in_process_executor,
        description="Load extract files of the selected extract dates into raw_<system> tables.",
    )

    # Everything: raw loads, then dbt build (and whatever checks/publish steps definitions.py adds).
    refresh = dg.define_asset_job(
        "refresh",
        selection=dg.AssetSelection.all(),
        partitions_def=partitions,
        executor_def=dg.in_process_executor,
        description="The whole refresh: raw loads for the selected extract dates, then dbt build and checks.",
    )

    daily_refresh = dg.build_schedule_from_partitioned_job(
        refresh,
        hour_of_day=6,
        minute_of_hour=0,
        name="daily_refresh",
        description="Refresh yesterday's extracts.",
    )

    def _valid_keys(dates: list[date]) -> list[str]:
        keys = set(partitions.get_partition_keys())
        return [d.isoformat() for d in dates if d.isoformat() in keys]

    @dg.sensor(
        job=load_raw,
        minimum_interval_seconds=60,
        description="Requests loads for extract files not yet loaded.",
    )
    def new_extracts_sensor(
        context: dg.SensorEvaluationContext, warehouse: WarehouseResource
    ) -> dg.SensorResult:
        try:
            pending = pending_dates(warehouse.extracts_path(), warehouse.db_path())
        except Exception as exc:  # the build database is busy (one writer at a time): try next tick
            return dg.SensorResult(skip_reason=dg.SkipReason(f"could not read the load manifest: {exc}"))
        keys = _valid_keys(list(pending))
        last = last_partition_key(partitions)
        later = sorted(d.isoformat() for d in pending if last is not None and d.isoformat() > last)
        if later:  # the partitions end at the last extract date present when the code location loaded
            context.log.warning(
                f"extract dates {later[0]}..{later[-1]} are after the last partition {last}: reload the code "
                "location (it sets its partitions from the extracts folder when it loads) to load them"
            )
        if not keys:
            reason = (
                f"new extract dates {later[0]}..{later[-1]} after the last partition {last}: reload the code location"
                if later
                else "no new extract files"
            )
            return dg.SensorResult(skip_reason=dg.SkipReason(reason))
        signature = hashlib.sha256(repr(sorted(pending.items())).encode()).hexdigest()[:16]
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=f"extracts-{keys[0]}-{keys[-1]}-{signature}", tags=range_tags(keys[0], keys[-1])
                )
            ]
        )

    return [load_raw, refresh], [daily_refresh], [new_extracts_sensor]
