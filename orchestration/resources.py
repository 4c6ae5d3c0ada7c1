"""Resources: where the warehouse and the extracts live. Paths come from the settings
(``revenue_warehouse.settings``) or explicit configuration, never from asset code."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from revenue_warehouse.build_db import open_build
from revenue_warehouse.settings import get_settings


class WarehouseResource(dg.ConfigurableResource):
    """The build and serving DuckDB files and the extracts directory. Empty values mean the settings'
    paths (``revenue_warehouse.settings``), resolved when a run starts."""

    database: str = ""
    extracts_dir: str = ""
    serving_database: str = ""

    def db_path(self) -> Path:
        return Path(self.database).resolve() if self.database else get_settings().build_db

    def extracts_path(self) -> Path:
        return Path(self.extracts_dir).resolve() if self.extracts_dir else get_settings().extracts_dir

    def serving_path(self) -> Path:
        return Path(self.serving_database).resolve() if self.serving_database else get_settings().serving_db

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        path = self.db_path()
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        return open_build(path, read_only=read_only)
