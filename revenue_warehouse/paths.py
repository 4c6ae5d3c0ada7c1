"""Where things live: shortcuts to the path fields of ``revenue_warehouse.settings`` (which names the
environment variable that overrides each one)."""

from __future__ import annotations

from pathlib import Path

from revenue_warehouse.settings import PROJECT_DIR, get_settings

__all__ = ["PROJECT_DIR", "build_db_path", "data_dir", "extracts_dir", "serving_db_path"]


def data_dir() -> Path:
    return get_settings().data_dir


def extracts_dir() -> Path:
    return get_settings().extracts_dir


def build_db_path() -> Path:
    """The build database: raw, staging, intermediate and marts are built here."""
    return get_settings().build_db


def serving_db_path() -> Path:
    """The published, read-only serving database that dashboards and analysts open."""
    return get_settings().serving_db
