"""The whole warehouse on PostgreSQL or Spark from an exported raw layer (``make test-engines``):
raw layer in, ``dbt build`` on the engine, key figures read back, GX gate and publish. Each step's
wall time is recorded for docs/scaling.md."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from revenue_warehouse.dbt import run_dbt
from revenue_warehouse.engines import postgres, spark
from revenue_warehouse.engines.figures import key_figures
from revenue_warehouse.engines.mirror import mirror_schemas
from revenue_warehouse.engines.readers import PostgresReader, Reader, SparkReader
from revenue_warehouse.publish import PublishResult


@dataclass
class EngineRun:
    engine: str
    seconds: dict[str, float] = field(default_factory=dict)
    figures: dict[str, list[tuple]] = field(default_factory=dict)
    raw_rows: dict[str, int] = field(default_factory=dict)  # schema.table -> rows on the engine
    published: PublishResult | None = None
    dbt_log: str = ""


@contextmanager
def _timed(run: EngineRun, step: str) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        run.seconds[step] = round(time.monotonic() - started, 1)


def _raw_rows(reader: Reader, tables) -> dict[str, int]:
    union = " union all ".join(
        f"select '{t.qualified_name}' as name, count(*) as n from {t.schema}.{t.name}" for t in tables
    )
    return {name: int(n) for name, n in reader.query(union).itertuples(index=False, name=None)}


def _build(run: EngineRun, env: dict[str, str], workdir: Path, as_of: date) -> None:
    with _timed(run, "dbt_build"):
        proc = run_dbt(
            ["build"],
            workdir / "unused.duckdb",
            dbt_vars={"as_of_date": as_of.isoformat()},
            target_path=workdir / f"target-{run.engine}",
            env=env,
        )
    run.dbt_log = proc.stdout


def _check_and_publish(run: EngineRun, reader: Reader, workdir: Path, run_id: str, as_of: date) -> None:
    from revenue_warehouse.quality.gate import check_and_publish

    with _timed(run, "fetch_published_schemas"):
        mirror = workdir / f"{run.engine}-published.duckdb"
        mirror_schemas(reader, mirror)
    with _timed(run, "gx_gate_and_publish"):
        run.published = check_and_publish(
            mirror, workdir / f"{run.engine}-serving.duckdb", run_id, as_of=as_of, docs_dir=None
        )


def run_on_postgres(raw_dir: Path, workdir: Path, as_of: date, run_id: str) -> EngineRun:
    """A throwaway PostgreSQL: raw layer copied in, project built, figures read, gate and publish."""
    run = EngineRun("postgres")
    started = time.monotonic()
    with postgres.throwaway_server() as target:
        run.seconds["server_start"] = round(time.monotonic() - started, 1)
        with _timed(run, "raw_layer_copy"):
            tables = postgres.copy_raw_layer(target, raw_dir)
        _build(run, target.dbt_env(), workdir, as_of)
        reader = PostgresReader(target.connect())
        try:
            with _timed(run, "read_back"):
                run.raw_rows = _raw_rows(reader, tables)
                run.figures = key_figures(reader)
            _check_and_publish(run, reader, workdir, run_id, as_of)
        finally:
            reader.close()
    run.seconds["total"] = round(time.monotonic() - started, 1)
    return run


def run_on_spark(raw_dir: Path, workdir: Path, as_of: date, run_id: str) -> EngineRun:
    """Local Spark: raw layer registered over its Parquet files, project built by dbt-spark's session
    method (its own JVM), figures read back in a new session, gate and publish."""
    run = EngineRun("spark")
    started = time.monotonic()
    target = spark.SparkTarget(workdir / "spark")
    with _timed(run, "raw_layer_register"), spark.session(target) as session:
        tables = spark.register_raw_layer(session, raw_dir)
    _build(run, target.dbt_env(), workdir, as_of)
    with spark.session(target) as session:
        reader = SparkReader(session)
        with _timed(run, "read_back"):
            run.raw_rows = _raw_rows(reader, tables)
            run.figures = key_figures(reader)
        _check_and_publish(run, reader, workdir, run_id, as_of)
    run.seconds["total"] = round(time.monotonic() - started, 1)
    return run
