"""Spark: the ``spark`` dbt target (dbt-spark ``session`` method, local PySpark) and a PySpark session
with the same settings for registering the raw layer and reading results back. Tables and the
(embedded Derby) metastore live under one folder, ``WAREHOUSE_SPARK_DIR``; Derby admits one JVM at a
time, so the Python session is stopped before dbt runs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from revenue_warehouse.engines.raw_layer import RawTable, read_index
from revenue_warehouse.sql_quoting import spark_identifier, spark_literal

JVM_EXIT_SECONDS = 60


@dataclass(frozen=True)
class SparkTarget:
    folder: Path  # WAREHOUSE_SPARK_DIR: <folder>/warehouse (tables) and <folder>/metastore_db
    master: str = "local[2]"

    def dbt_env(self) -> dict[str, str]:
        return {
            "WAREHOUSE_DBT_TARGET": "spark",
            "WAREHOUSE_SPARK_DIR": str(self.folder),
            "WAREHOUSE_SPARK_MASTER": self.master,
            "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"),
        }

    def conf(self) -> dict[str, str]:
        """The ``server_side_parameters`` of profiles.yml's ``spark`` output, for this folder."""
        return {
            "spark.master": self.master,
            "spark.sql.warehouse.dir": f"{self.folder}/warehouse",
            "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={self.folder}/metastore_db;create=true",
            "spark.driver.memory": "2g",
            "spark.sql.shuffle.partitions": "2",
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.ansi.enabled": "false",
        }


@contextmanager
def session(target: SparkTarget) -> Iterator:  # -> pyspark.sql.SparkSession
    """A local Hive-enabled session on the target's metastore; stopped (JVM and all) on exit."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    target.folder.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName("revenue_warehouse").enableHiveSupport()
    for key, value in target.conf().items():
        builder = builder.config(key, value)
    cwd = os.getcwd()
    os.chdir(target.folder)  # derby.log lands here, not in the project
    try:
        spark = builder.getOrCreate()
    finally:
        os.chdir(cwd)
    try:
        yield spark
    finally:
        spark.stop()
        from pyspark import SparkContext

        gateway = SparkContext._gateway
        if gateway is not None:  # end the JVM so Derby's lock is released for dbt's own session
            proc = getattr(gateway, "proc", None)
            gateway.shutdown()
            if proc is not None:
                proc.stdin.close()  # the JVM exits when its stdin pipe closes
                try:
                    proc.wait(timeout=JVM_EXIT_SECONDS)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            SparkContext._gateway = None
            SparkContext._jvm = None


def _spark_name(table: RawTable) -> str:
    return f"{spark_identifier(table.schema)}.{spark_identifier(table.name)}"


def register_statements(table: RawTable, root: Path) -> list[str]:
    """The Spark SQL that (re)creates ``table`` over its Parquet folder under ``root``."""
    return [
        f"create database if not exists {spark_identifier(table.schema)}",
        f"drop table if exists {_spark_name(table)}",
        f"create table {_spark_name(table)} using parquet location {spark_literal(str(table.path(root)))}",
    ]


def register_raw_layer(spark, root: Path | str) -> list[RawTable]:
    """Every exported table as a Spark table over its Parquet folder (read in place, nothing copied)."""
    root = Path(root).resolve()
    tables = read_index(root)
    for table in tables:
        for statement in register_statements(table, root):
            spark.sql(statement)
    counts = " union all ".join(
        f"select {spark_literal(t.qualified_name)}, count(*) from {_spark_name(t)}" for t in tables
    )
    read = dict(spark.sql(counts).collect()) if tables else {}
    for table in tables:
        if read.get(table.qualified_name) != table.rows:
            raise RuntimeError(
                f"Spark {table.qualified_name}: {read.get(table.qualified_name)} rows read, {table.rows} exported"
            )
    return tables
