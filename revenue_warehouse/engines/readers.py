"""Read results back from an engine through its own connection: ``query(sql)`` returns a pandas
DataFrame, ``relations()`` the (schema, table) pairs present. Used for the GX check frames, the
publish step and the key-figure comparison (docs/scaling.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd

from revenue_warehouse.duckdb_limits import connect


class Reader(Protocol):
    name: str

    def query(self, sql: str) -> pd.DataFrame: ...

    def relations(self) -> set[tuple[str, str]]: ...

    def columns(self, schema: str, table: str) -> list[tuple[str, str]]:
        """(name, DuckDB type) of each column, in order."""
        ...


class DuckDBReader:
    """A DuckDB build file opened read-only (or a connection the caller opened)."""

    name = "duckdb"

    def __init__(self, source: Path | str | duckdb.DuckDBPyConnection):
        if isinstance(source, duckdb.DuckDBPyConnection):
            self.con = source
        else:
            self.con = connect(source, read_only=True)

    def query(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def relations(self) -> set[tuple[str, str]]:
        rows = self.con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        return {(s, t) for s, t in rows}

    def columns(self, schema: str, table: str) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.con.execute(f'describe "{schema}"."{table}"').fetchall()]

    def close(self) -> None:
        self.con.close()


class PostgresReader:
    """A psycopg2 connection (``PostgresTarget.connect()``), autocommit, read-only use."""

    name = "postgres"

    def __init__(self, connection):
        self.con = connection
        self.con.autocommit = True

    def query(self, sql: str) -> pd.DataFrame:
        with self.con.cursor() as cur:
            cur.execute(sql)
            columns = [d.name for d in cur.description]
            return pd.DataFrame.from_records(cur.fetchall(), columns=columns)

    def relations(self) -> set[tuple[str, str]]:
        frame = self.query(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema not in ('pg_catalog', 'information_schema')"
        )
        return set(frame.itertuples(index=False, name=None))

    def columns(self, schema: str, table: str) -> list[tuple[str, str]]:
        frame = self.query(
            "select column_name, data_type, udt_name, numeric_precision, numeric_scale "
            f"from information_schema.columns where table_schema = '{schema}' and table_name = '{table}' "
            "order by ordinal_position"
        )
        return [(r[0], postgres_to_duckdb(*r[1:])) for r in frame.itertuples(index=False, name=None)]

    def close(self) -> None:
        self.con.close()


class SparkReader:
    """A PySpark session on the target's metastore (``spark.session(target)``)."""

    name = "spark"

    def __init__(self, spark):
        self.spark = spark

    def query(self, sql: str) -> pd.DataFrame:
        df = self.spark.sql(sql)
        rows = [tuple(r) for r in df.collect()]
        return pd.DataFrame.from_records(rows, columns=df.columns)

    def relations(self) -> set[tuple[str, str]]:
        found = set()
        for db in self.spark.catalog.listDatabases():
            for table in self.spark.catalog.listTables(db.name):
                found.add((db.name, table.name))
        return found

    def columns(self, schema: str, table: str) -> list[tuple[str, str]]:
        fields = self.spark.table(f"`{schema}`.`{table}`").schema.fields
        return [(f.name, spark_to_duckdb(f.dataType.simpleString())) for f in fields]

    def close(self) -> None:
        pass


POSTGRES_TYPES = {
    "text": "VARCHAR",
    "character varying": "VARCHAR",
    "character": "VARCHAR",
    "bigint": "BIGINT",
    "integer": "INTEGER",
    "smallint": "SMALLINT",
    "double precision": "DOUBLE",
    "real": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMPTZ",
}


def postgres_to_duckdb(data_type: str, udt_name: str, precision: object, scale: object) -> str:
    if data_type == "ARRAY":
        element = {"_text": "VARCHAR", "_varchar": "VARCHAR", "_int8": "BIGINT", "_int4": "INTEGER"}
        return element.get(udt_name, "VARCHAR") + "[]"
    if data_type == "numeric":
        return "DOUBLE" if pd.isna(precision) else f"DECIMAL({int(precision)}, {int(scale)})"
    return POSTGRES_TYPES.get(data_type, "VARCHAR")


SPARK_TYPES = {
    "string": "VARCHAR",
    "bigint": "BIGINT",
    "int": "INTEGER",
    "smallint": "SMALLINT",
    "double": "DOUBLE",
    "float": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "timestamp_ntz": "TIMESTAMP",
}


def spark_to_duckdb(simple: str) -> str:
    if simple.startswith("array<") and simple.endswith(">"):
        return spark_to_duckdb(simple[6:-1]) + "[]"
    if simple.startswith("decimal"):
        return simple.upper()
    if simple.startswith(("varchar", "char")):
        return "VARCHAR"
    return SPARK_TYPES.get(simple, "VARCHAR")
