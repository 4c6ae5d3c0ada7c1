"""DuckDB resource limits, applied to every connection the pipeline opens: the loader, dbt (through
the profile, ``profiles.yml`` ``config_options:``, applied once when the file opens), the quality
checks, publish and the orchestration.

================================  =================================  ===============================
limit                             environment variable               default
================================  =================================  ===============================
``memory_limit``                  ``WAREHOUSE_DUCKDB_MEMORY_LIMIT``  DuckDB's: 80% of RAM
``threads``                       ``WAREHOUSE_DUCKDB_THREADS``       DuckDB's: every core
``temp_directory`` (spill files)  ``WAREHOUSE_DUCKDB_TEMP_DIR``      DuckDB's: ``<database>.tmp``
================================  =================================  ===============================

The values come from the settings object (``revenue_warehouse/settings.py``, ``Settings.duckdb``).
With a memory limit DuckDB spills large sorts, joins, aggregates and windows to the temp directory
instead of failing; whether a build completes under a given limit is measured with
``bench/pipeline.py --memory-limit`` (docs/benchmarks.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import duckdb


def duckdb_config(environ: Mapping[str, str] | None = None) -> dict[str, str | int]:
    """The ``config=`` of ``duckdb.connect``: only the limits that are set (``Settings.duckdb``, read
    from the environment once; ``environ`` reads the given mapping instead)."""
    from revenue_warehouse.settings import Settings, get_settings

    settings = get_settings() if environ is None else Settings.from_env(environ)
    return settings.duckdb.config()


def connect(
    path: Path | str, *, read_only: bool = False, config: Mapping[str, str | int] | None = None
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` with the configured limits (plus any other ``config``)."""
    return duckdb.connect(str(path), read_only=read_only, config={**duckdb_config(), **(config or {})})


def dbt_limits(db_path: Path | str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The profile's DuckDB settings for a dbt run on ``db_path``, every one explicit (DuckDB's own
    default where the limit is not set), as the dbt vars ``profiles.yml`` reads."""
    config = duckdb_config(environ)
    return {
        "duckdb_memory_limit": str(config.get("memory_limit", "80%")),
        "duckdb_threads": str(config.get("threads", os.cpu_count() or 1)),
        "duckdb_temp_directory": str(config.get("temp_directory", f"{Path(db_path).resolve()}.tmp")),
    }
