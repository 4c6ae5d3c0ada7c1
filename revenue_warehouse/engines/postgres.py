"""PostgreSQL: a throwaway local server for tests (Debian's packages, ``initdb`` and ``pg_ctl`` as an
unprivileged user into a temporary folder), and the raw layer bulk-copied in with ``COPY``."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from revenue_warehouse.engines.raw_layer import RawTable, read_index
from revenue_warehouse.settings import PostgresSettings
from revenue_warehouse.sql_quoting import identifier as _quote
from revenue_warehouse.sql_quoting import literal

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
UNPRIVILEGED_USER = "postgres"


@dataclass(frozen=True)
class PostgresTarget(PostgresSettings):
    """Connection values (the settings' fields and defaults), handed to dbt as the ``postgres``
    target's environment variables."""

    def dbt_env(self) -> dict[str, str]:
        return {
            "WAREHOUSE_DBT_TARGET": "postgres",
            "WAREHOUSE_PG_HOST": self.host,
            "WAREHOUSE_PG_PORT": str(self.port),
            "WAREHOUSE_PG_USER": self.user,
            "WAREHOUSE_PG_PASSWORD": self.password,
            "WAREHOUSE_PG_DBNAME": self.dbname,
        }

    def connect(self, dbname: str | None = None):  # -> psycopg2 connection
        import psycopg2

        return psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=dbname or self.dbname,
        )


def pg_bin() -> Path:
    """The newest installed PostgreSQL's bin folder (``apt-get install postgresql`` if none)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        raise FileNotFoundError(
            "no PostgreSQL server binaries under /usr/lib/postgresql: apt-get install postgresql"
        )
    return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_user(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the unprivileged ``postgres`` user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", UNPRIVILEGED_USER, "--", *args]
    return args


@contextmanager
def throwaway_server(dbname: str = "warehouse") -> Iterator[PostgresTarget]:
    """A fresh cluster on 127.0.0.1 and a free port, in a temporary folder; stopped and removed after."""
    bindir = pg_bin()
    folder = Path(tempfile.mkdtemp(prefix="rw-postgres-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, UNPRIVILEGED_USER, UNPRIVILEGED_USER)
    port = _free_port()
    run = {"check": True, "capture_output": True, "text": True}
    started = False
    try:
        subprocess.run(
            _as_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            **run,
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c full_page_writes=off"
        subprocess.run(
            _as_user(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(folder / "log"),
                    "-w",
                    "start",
                ]
            ),
            **run,
        )
        started = True
        target = PostgresTarget(port=port, dbname=dbname)
        con = target.connect("postgres")
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'create database "{dbname}"')
        con.close()
        yield target
    finally:
        if started:
            subprocess.run(
                _as_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                capture_output=True,
            )
        shutil.rmtree(folder, ignore_errors=True)


def pg_type(duckdb_type: str) -> str:
    """The PostgreSQL column type of a raw-layer column (DuckDB type names in the export's index)."""
    t = duckdb_type.upper()
    if t.endswith("[]"):
        return pg_type(t[:-2]) + "[]"
    if t.startswith("DECIMAL"):
        return "numeric" + t.removeprefix("DECIMAL")
    mapping = {
        "VARCHAR": "text",
        "BIGINT": "bigint",
        "INTEGER": "integer",
        "DOUBLE": "double precision",
        "FLOAT": "real",
        "BOOLEAN": "boolean",
        "DATE": "date",
        "TIMESTAMP": "timestamp",
        "TIMESTAMP WITH TIME ZONE": "timestamptz",
    }
    if t not in mapping:
        raise ValueError(f"raw layer column type {duckdb_type!r} has no PostgreSQL mapping")
    return mapping[t]


def _csv_expression(name: str, duckdb_type: str) -> str:
    """Parquet column -> CSV text PostgreSQL's COPY reads (lists as array literals)."""
    col = _quote(name)
    if duckdb_type.endswith("[]"):
        element = "'\"' || replace(replace(x, '\\', '\\\\'), '\"', '\\\"') || '\"'"
        return f"case when {col} is null then null else '{{' || array_to_string(list_transform({col}, lambda x: {element}), ',') || '}}' end as {col}"
    return col


def parquet_to_csv(parquet: Path, csv: Path, select: str) -> None:
    """``select`` over the Parquet file, written as CSV with a header (what PostgreSQL's ``COPY`` reads)."""
    duckdb.sql(
        f"copy (select {select} from read_parquet({literal(str(parquet))})) to {literal(str(csv))} (format csv, header)"
    )


def copy_raw_layer(target: PostgresTarget, root: Path | str) -> list[RawTable]:
    """Create every exported table (schema per ``raw_<system>`` and ``audit``) with its types and
    bulk-copy its Parquet file in; verify the row counts. Replaces what an earlier copy left."""
    root = Path(root)
    tables = read_index(root)
    con = target.connect()
    scratch = Path(tempfile.mkdtemp(prefix="rw-pgcopy-"))
    try:
        with con, con.cursor() as cur:
            for table in tables:
                name = f"{_quote(table.schema)}.{_quote(table.name)}"
                cur.execute(f"create schema if not exists {_quote(table.schema)}")
                cur.execute(f"drop table if exists {name}")
                columns = ", ".join(f"{_quote(c)} {pg_type(t)}" for c, t in table.columns)
                cur.execute(f"create table {name} ({columns})")
                csv = scratch / f"{table.schema}.{table.name}.csv"
                select = ", ".join(_csv_expression(c, t) for c, t in table.columns)
                parquet = table.path(root) / "data.parquet"
                parquet_to_csv(parquet, csv, select)
                with csv.open() as handle:
                    cols = ", ".join(_quote(c) for c, _ in table.columns)
                    cur.copy_expert(f"copy {name} ({cols}) from stdin with (format csv, header true)", handle)
                cur.execute(f"select count(*) from {name}")
                got = cur.fetchone()[0]
                if got != table.rows:
                    raise RuntimeError(
                        f"PostgreSQL {table.qualified_name}: {got} rows copied, {table.rows} exported"
                    )
    finally:
        con.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return tables
