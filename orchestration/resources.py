"""Resources: where the warehouse and the extracts live. Paths come from configuration or the
environment (``WAREHOUSE_BUILD_DB``, ``WAREHOUSE_EXTRACTS_DIR``), never from asset code."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from revenue_warehouse import paths
from revenue_warehouse.build_db import open_build


class WarehouseResource(dg.ConfigurableResource):
    """The build DuckDB file and the extracts directory. Empty values mean the environment's default
    (``revenue_warehouse.paths``), resolved when a run starts, not when the code location loads."""

    database: str = ""
    extracts_dir: str = ""

    def db_path(self) -> Path:
        return Path(self.database).resolve() if self.database else paths.build_db_path()

    def extracts_path(self) -> Path:
        return Path(self.extracts_dir).resolve() if self.extracts_dir else paths.extracts_dir()

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        path = self.db_path()
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        return open_build(path, read_only=read_only)
