"""Time the GX stage alone: the code location's GX asset checks in one Dagster run (a SQLite instance in
``<work dir>/dh``, as ``warehouse run`` uses), on a copy of a built warehouse, with Great Expectations
imported beforehand (as ``preload_gx`` does during a run). Stand-ins of the guarded marts and of the
publish asset make the run's shape the refresh job's; prints the CPU seconds (user + system) and wall
time of the run alone, without the imports.

usage: .venv/bin/python bench/gx_stage.py <build.duckdb> <work dir>   (the work dir is emptied first)
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import time
from pathlib import Path


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(build: Path, work: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)
    (work / "dh").mkdir(parents=True)
    shutil.copy(build, work / "build.duckdb")
    os.environ["DAGSTER_HOME"] = str(work / "dh")
    os.environ["WAREHOUSE_DATA_DOCS_DIR"] = str(work / "docs")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

    import dagster as dg
    import great_expectations  # noqa: F401  (preloaded, as in a run)

    from orchestration.quality import guarded_asset_keys, gx_asset_checks
    from orchestration.resources import WarehouseResource

    @dg.multi_asset(specs=[dg.AssetSpec(k) for k in guarded_asset_keys()])
    def marts():
        for key in guarded_asset_keys():
            yield dg.MaterializeResult(asset_key=key)

    @dg.asset(key=["serving", "warehouse"], deps=guarded_asset_keys())
    def publish() -> None:
        pass

    instance = dg.DagsterInstance.get()
    cpu, wall = cpu_seconds(), time.monotonic()
    result = dg.materialize(
        [marts, publish, *gx_asset_checks()],
        resources={"warehouse": WarehouseResource(database=str(work / "build.duckdb"))},
        instance=instance,
        raise_on_error=False,
    )
    cpu, wall = cpu_seconds() - cpu, time.monotonic() - wall
    evaluations = result.get_asset_check_evaluations()
    print(
        f"GX stage: {cpu:.2f} CPU s, {wall:.2f} s wall; success {result.success}; "
        f"{len(evaluations)} evaluations, {sum(e.passed for e in evaluations)} passed; "
        f"events {len(result.all_events)}"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
