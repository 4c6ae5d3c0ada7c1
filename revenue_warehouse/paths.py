"""Where things live. Every path can be overridden by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _env_path(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value).expanduser().resolve() if value else default


def data_dir() -> Path:
    return _env_path("WAREHOUSE_DATA_DIR", PROJECT_DIR / "data")


def extracts_dir() -> Path:
    return _env_path("WAREHOUSE_EXTRACTS_DIR", data_dir() / "extracts")


def build_db_path() -> Path:
    """The build database: raw, staging, intermediate and marts are built here."""
    return _env_path("WAREHOUSE_BUILD_DB", data_dir() / "warehouse" / "build.duckdb")


def serving_db_path() -> Path:
    """The published, read-only serving database that dashboards and analysts open."""
    return _env_path("WAREHOUSE_SERVING_DB", data_dir() / "warehouse" / "serving.duckdb")


def shared_dir() -> Path:
    """``../shared`` beside the project (read-only fixtures)."""
    return _env_path("WAREHOUSE_SHARED_DIR", PROJECT_DIR.parent / "shared")
