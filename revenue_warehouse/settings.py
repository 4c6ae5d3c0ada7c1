"""Configuration in one place: one typed, immutable ``Settings`` read from the environment once.

Every knob the pipeline has is a field here, with its environment variable and default:

==============================  ==================================  ==========================================
field                           environment variable                default
==============================  ==================================  ==========================================
data_dir                        WAREHOUSE_DATA_DIR                  ``<project>/data``
extracts_dir                    WAREHOUSE_EXTRACTS_DIR              ``<data_dir>/extracts``
build_db                        WAREHOUSE_BUILD_DB                  ``<data_dir>/warehouse/build.duckdb``
serving_db                      WAREHOUSE_SERVING_DB                ``<data_dir>/warehouse/serving.duckdb``
start_date                      WAREHOUSE_START_DATE                first extract date present (partitions)
future_extract_days             WAREHOUSE_FUTURE_EXTRACT_DAYS       1 (extracts dated later are refused)
as_of_max_jump_days             WAREHOUSE_AS_OF_MAX_JUMP_DAYS       31 (a larger as-of jump warns)
pii_salt                        WAREHOUSE_PII_SALT                  not set (see revenue_warehouse/publish.py)
checks_config                   WAREHOUSE_CHECKS_CONFIG             ``revenue_warehouse/quality/checks.yml``
data_docs_dir                   WAREHOUSE_DATA_DOCS_DIR             ``<data_dir>/quality/data_docs``
data_docs_runs                  WAREHOUSE_DATA_DOCS_RUNS            30 (runs in the Data Docs index; 0: all)
log_dir                         WAREHOUSE_LOG_DIR                   ``<data_dir>/logs``
log_file                        WAREHOUSE_LOG_FILE                  ``<log_dir>/warehouse.log`` (tracebacks)
company_config                  WAREHOUSE_COMPANY_CONFIG            ``revenue_warehouse/company.yml``
dbt_manifest                    WAREHOUSE_DBT_MANIFEST              ``<project>/target/manifest.json``
serving_storage_version         WAREHOUSE_SERVING_STORAGE_VERSION   ``v1.1.0`` (DuckDB 1.1 can read it)
dagster_home                    DAGSTER_HOME                        not set (an ephemeral Dagster instance)
dbt_log_level_file              DBT_LOG_LEVEL_FILE                  not set: the Dagster dbt step writes no dbt
                                                                    file log; set (e.g. ``debug``), it does and
                                                                    keeps it as ``<log_dir>/dbt-<run id>.log``
spark_dir                       WAREHOUSE_SPARK_DIR                 ``<data_dir>/spark``
postgres.host                   WAREHOUSE_PG_HOST                   ``127.0.0.1``
postgres.port                   WAREHOUSE_PG_PORT                   ``5432``
postgres.user                   WAREHOUSE_PG_USER                   ``postgres``
postgres.password               WAREHOUSE_PG_PASSWORD               empty
postgres.dbname                 WAREHOUSE_PG_DBNAME                 ``warehouse``
duckdb.memory_limit             WAREHOUSE_DUCKDB_MEMORY_LIMIT       DuckDB's default (80% of RAM)
duckdb.threads                  WAREHOUSE_DUCKDB_THREADS            DuckDB's default (all cores)
duckdb.temp_directory           WAREHOUSE_DUCKDB_TEMP_DIR           DuckDB's default (``<db>.tmp``)
==============================  ==================================  ==========================================

dbt reads the ``WAREHOUSE_PG_*``/``WAREHOUSE_SPARK_DIR`` of its own process through ``profiles.yml``;
the engine commands hand it these fields (``engines.postgres.PostgresTarget.dbt_env``).

``get_settings()`` reads the environment the first time it is called and returns the same object
afterwards; nothing in the package writes ``os.environ``. Code that runs the pipeline on other paths
(``warehouse run --extracts``, tests) derives a changed copy with ``settings.replace(...)`` and
passes it on. ``reset_settings()`` forgets what was read (tests that change the environment).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from revenue_warehouse.contract import parse_day

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CHECKS_CONFIG = Path(__file__).resolve().parent / "quality" / "checks.yml"
DEFAULT_COMPANY_CONFIG = Path(__file__).resolve().parent / "company.yml"
# The on-disk format of the serving file. DuckDB 2.0 writes, by default, a format DuckDB 1.x cannot open
# ("version number 999"); BI tools bundle DuckDB 1.x engines, so the serving file is written in the format
# DuckDB 1.1 introduced, which every DuckDB from 1.1 on (2.0 included) reads.
DEFAULT_STORAGE_VERSION = "v1.1.0"


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message names the variable and the value."""


@dataclass(frozen=True)
class DuckDBLimits:
    """Resource limits applied to every DuckDB connection the pipeline opens (``None``: DuckDB's default)."""

    memory_limit: str | None = None
    threads: int | None = None
    temp_directory: Path | None = None

    def config(self) -> dict[str, str | int]:
        """The ``config=`` mapping for ``duckdb.connect`` (only the limits that are set)."""
        values: dict[str, str | int | None] = {
            "memory_limit": self.memory_limit,
            "threads": self.threads,
            "temp_directory": str(self.temp_directory) if self.temp_directory else None,
        }
        return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class PostgresSettings:
    """The PostgreSQL server of ``warehouse engines to-postgres`` (the dbt ``postgres`` target)."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    dbname: str = "warehouse"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    extracts_dir: Path
    build_db: Path
    serving_db: Path
    checks_config: Path
    data_docs_dir: Path
    log_dir: Path
    log_file: Path
    company_config: Path
    dbt_manifest: Path
    spark_dir: Path
    start_date: date | None = None
    future_extract_days: int = 1
    as_of_max_jump_days: int = 31
    data_docs_runs: int = 30
    pii_salt: str | None = None
    duckdb: DuckDBLimits = field(default_factory=DuckDBLimits)
    serving_storage_version: str = DEFAULT_STORAGE_VERSION
    dagster_home: Path | None = None
    dbt_log_level_file: str | None = None
    postgres: PostgresSettings = field(default_factory=PostgresSettings)
    project_dir: Path = PROJECT_DIR

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = _path(env, "WAREHOUSE_DATA_DIR") or PROJECT_DIR / "data"
        log_dir = _path(env, "WAREHOUSE_LOG_DIR") or data_dir / "logs"
        return cls(
            data_dir=data_dir,
            extracts_dir=_path(env, "WAREHOUSE_EXTRACTS_DIR") or data_dir / "extracts",
            build_db=_path(env, "WAREHOUSE_BUILD_DB") or data_dir / "warehouse" / "build.duckdb",
            serving_db=_path(env, "WAREHOUSE_SERVING_DB") or data_dir / "warehouse" / "serving.duckdb",
            checks_config=_path(env, "WAREHOUSE_CHECKS_CONFIG") or DEFAULT_CHECKS_CONFIG,
            data_docs_dir=_path(env, "WAREHOUSE_DATA_DOCS_DIR") or data_dir / "quality" / "data_docs",
            data_docs_runs=_whole(env, "WAREHOUSE_DATA_DOCS_RUNS", 30),
            log_dir=log_dir,
            log_file=_path(env, "WAREHOUSE_LOG_FILE") or log_dir / "warehouse.log",
            company_config=_path(env, "WAREHOUSE_COMPANY_CONFIG") or DEFAULT_COMPANY_CONFIG,
            dbt_manifest=_path(env, "WAREHOUSE_DBT_MANIFEST") or PROJECT_DIR / "target" / "manifest.json",
            spark_dir=_path(env, "WAREHOUSE_SPARK_DIR") or data_dir / "spark",
            start_date=_date(env, "WAREHOUSE_START_DATE"),
            future_extract_days=_days(env, "WAREHOUSE_FUTURE_EXTRACT_DAYS", 1),
            as_of_max_jump_days=_days(env, "WAREHOUSE_AS_OF_MAX_JUMP_DAYS", 31),
            pii_salt=env.get("WAREHOUSE_PII_SALT") or None,
            duckdb=DuckDBLimits(
                memory_limit=env.get("WAREHOUSE_DUCKDB_MEMORY_LIMIT") or None,
                threads=_positive_int(env, "WAREHOUSE_DUCKDB_THREADS"),
                temp_directory=_path(env, "WAREHOUSE_DUCKDB_TEMP_DIR"),
            ),
            serving_storage_version=env.get("WAREHOUSE_SERVING_STORAGE_VERSION") or DEFAULT_STORAGE_VERSION,
            dagster_home=_path(env, "DAGSTER_HOME"),
            dbt_log_level_file=env.get("DBT_LOG_LEVEL_FILE") or None,
            postgres=PostgresSettings(
                host=env.get("WAREHOUSE_PG_HOST") or "127.0.0.1",
                port=_positive_int(env, "WAREHOUSE_PG_PORT") or 5432,
                user=env.get("WAREHOUSE_PG_USER") or "postgres",
                password=env.get("WAREHOUSE_PG_PASSWORD", ""),
                dbname=env.get("WAREHOUSE_PG_DBNAME") or "warehouse",
            ),
        )

    def replace(self, **changes: object) -> Settings:
        """A copy with some fields changed; paths given as strings are resolved."""
        resolved = {
            k: _resolve(v) if isinstance(v, str | Path) and k not in NOT_PATHS else v
            for k, v in changes.items()
        }
        return dataclasses.replace(self, **resolved)


NOT_PATHS = {"pii_salt", "serving_storage_version", "dbt_log_level_file"}


def _resolve(value: str | Path) -> Path:
    return Path(value).expanduser().resolve()


def _path(env: Mapping[str, str], var: str) -> Path | None:
    value = env.get(var)
    return _resolve(value) if value else None


def _date(env: Mapping[str, str], var: str) -> date | None:
    value = env.get(var)
    if not value:
        return None
    try:
        return parse_day(value)
    except ValueError:
        raise SettingsError(f"{var}={value!r} is not a date (YYYY-MM-DD)") from None


def _days(env: Mapping[str, str], var: str, default: int) -> int:
    value = env.get(var, "").strip()
    if not value:
        return default
    if not value.lstrip("-").isdigit():
        raise SettingsError(f"{var}={value!r} is not a whole number of days")
    if int(value) < 0:
        raise SettingsError(f"{var}={value!r} must not be negative")
    return int(value)


def _whole(env: Mapping[str, str], var: str, default: int) -> int:
    value = env.get(var, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise SettingsError(f"{var}={value!r} is not a whole number (0 or more)")
    return int(value)


def _positive_int(env: Mapping[str, str], var: str) -> int | None:
    value = env.get(var)
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(f"{var}={value!r} is not a positive whole number")
    return int(value)


_current: Settings | None = None


def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    global _current
    if _current is None:
        _current = Settings.from_env()
    return _current


def reset_settings() -> None:
    """Forget the settings read so far: the next ``get_settings()`` reads the environment again."""
    global _current
    _current = None


def reload_settings() -> Settings:
    """Read the environment again now."""
    reset_settings()
    return get_settings()
