"""The same warehouse on PostgreSQL and Spark (issue 13, docs/scaling.md): the loader's accounted raw
layer exported as Parquet reaches each engine whole, the whole dbt project builds there, the key
figures equal the DuckDB build's, and the GX gate and publish work on what the engine built.

Run by ``make test-engines`` (the ``engines`` dependency group, Java 17 for Spark, PostgreSQL's server
binaries); ``make test`` deselects the ``engines`` marker."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.engines.figures import FIGURES, differences, key_figures
from revenue_warehouse.engines.pipeline import EngineRun, run_on_postgres, run_on_spark
from revenue_warehouse.engines.raw_layer import RawTable, export_raw_layer
from revenue_warehouse.engines.readers import DuckDBReader

pytestmark = [pytest.mark.slow, pytest.mark.engines]

# Tiny on purpose (CI time): Spark's cost is per model and test, not per row. 15 months so that
# subscriptions reach renewals.
SIM = {"scale": 0.05, "seed": 11, "start": date(2024, 1, 1), "end": date(2025, 3, 31)}
AS_OF = SIM["end"]


@dataclass
class DuckDBBuild:
    work: Path
    raw_dir: Path
    tables: list[RawTable]
    loaded: dict[str, int]  # raw_<system>.<table> -> rows the loader reported loaded
    manifest_files: int
    quarantined: int
    figures: dict[str, list[tuple]]
    published_rows: dict[str, int]
    checks: set[tuple[str, str, bool, int]]


def _checks(db: Path, run_id: str) -> set[tuple[str, str, bool, int]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select suite, expectation, success, failing_record_count from audit.check_results where run_id = ?",
            [run_id],
        ).fetchall()
    finally:
        con.close()
    return {(s, e, bool(ok), int(n)) for s, e, ok, n in rows}


@pytest.fixture(scope="module")
def duckdb_build(tmp_path_factory: pytest.TempPathFactory) -> DuckDBBuild:
    from revenue_warehouse.dbt import run_dbt
    from revenue_warehouse.loader import load_extracts
    from revenue_warehouse.quality.gate import check_and_publish
    from revenue_warehouse.simulator import generate

    work = tmp_path_factory.mktemp("engines")
    generate(work / "extracts", **SIM)
    summary = load_extracts(work / "loaded.duckdb", work / "extracts", run_id="engines")
    summary.raise_for_failures()
    # a quote in the folder name: paths reach SQL as quoted literals (not a backslash: Hadoop's local file
    # system does not find such a folder; Spark's backslash escape is tested on its own below)
    raw_dir = work / "raw o'k layer"
    tables = export_raw_layer(work / "loaded.duckdb", raw_dir)
    built = work / "build.duckdb"
    shutil.copy(work / "loaded.duckdb", built)
    run_dbt(["build"], built, dbt_vars={"as_of_date": AS_OF.isoformat()}, target_path=work / "target-duckdb")
    reader = DuckDBReader(built)
    try:
        figures = key_figures(reader)
    finally:
        reader.close()
    published = check_and_publish(
        built, work / "duckdb-serving.duckdb", "engines", as_of=AS_OF, docs_dir=None
    )
    return DuckDBBuild(
        work=work,
        raw_dir=raw_dir,
        tables=tables,
        loaded={name: totals["rows_loaded"] for name, totals in summary.table_totals().items()},
        manifest_files=len(summary.files),
        quarantined=summary.rows_quarantined,
        figures=figures,
        published_rows=published.row_counts,
        checks=_checks(built, "engines"),
    )


def test_raw_layer_export_keeps_the_loaders_accounting(duckdb_build: DuckDBBuild) -> None:
    by_name = {t.qualified_name: t for t in duckdb_build.tables}
    for name, rows in duckdb_build.loaded.items():
        assert by_name[name].rows == rows, name
    assert by_name["audit.load_manifest"].rows == duckdb_build.manifest_files
    assert by_name["audit.quarantine"].rows == duckdb_build.quarantined
    provenance = {"_source_file", "_source_row_number", "_loaded_at", "_run_id", "_extract_date"}
    for table in duckdb_build.tables:
        if table.schema.startswith("raw_"):
            assert provenance <= {c for c, _ in table.columns}, table.qualified_name
            assert "_quarantine" not in {c for c, _ in table.columns}  # in-flight marker only
    # data went in, so every key figure has rows (an empty mart where data went in is a defect)
    assert all(duckdb_build.figures[name] for name in FIGURES), duckdb_build.figures


def _assert_same_as_duckdb(run: EngineRun, duck: DuckDBBuild) -> None:
    print(f"{run.engine} seconds: {run.seconds}")
    assert run.raw_rows == {t.qualified_name: t.rows for t in duck.tables}
    assert differences(duck.figures, run.figures) == []
    assert run.published is not None
    marts = {k: v for k, v in duck.published_rows.items() if not k.startswith("audit.")}
    assert {k: v for k, v in run.published.row_counts.items() if not k.startswith("audit.")} == marts
    assert _checks(duck.work / f"{run.engine}-published.duckdb", f"engines-{run.engine}") == duck.checks


def test_postgres_builds_the_same_warehouse(duckdb_build: DuckDBBuild) -> None:
    run = run_on_postgres(duckdb_build.raw_dir, duckdb_build.work, AS_OF, "engines-postgres")
    _assert_same_as_duckdb(run, duckdb_build)


def test_spark_reads_its_literals_as_written(tmp_path: Path) -> None:
    from revenue_warehouse.engines.spark import SparkTarget, session
    from revenue_warehouse.sql_quoting import spark_literal

    odd = "o'brien \\ raw\\'"
    with session(SparkTarget(tmp_path / "spark")) as spark:
        assert spark.sql(f"select {spark_literal(odd)} as v").collect()[0][0] == odd


def test_spark_builds_the_same_warehouse(duckdb_build: DuckDBBuild) -> None:
    run = run_on_spark(duckdb_build.raw_dir, duckdb_build.work, AS_OF, "engines-spark")
    _assert_same_as_duckdb(run, duckdb_build)
