"""Pure loading logic (no Dagster): extract files -> ``raw_<system>.<table>`` + ``audit`` tables."""

from revenue_warehouse.loader.api import connect, load_extracts, load_file
from revenue_warehouse.loader.audit import (
    accounting_violations,
    failed_tables,
    latest_loaded_date,
    pending_dates,
)
from revenue_warehouse.loader.conflicts import recorded_conflicts, version_conflicts
from revenue_warehouse.loader.discovery import ExtractListing, discover, extract_dates, list_extracts
from revenue_warehouse.loader.models import (
    FAILED,
    LOADED,
    REPLACED,
    SKIPPED_DUPLICATE,
    AccountingError,
    ExtractFile,
    FileResult,
    FutureExtractError,
    LoadError,
    LoadSummary,
)

__all__ = [
    "FAILED",
    "LOADED",
    "REPLACED",
    "SKIPPED_DUPLICATE",
    "AccountingError",
    "ExtractFile",
    "ExtractListing",
    "FileResult",
    "FutureExtractError",
    "LoadError",
    "LoadSummary",
    "accounting_violations",
    "failed_tables",
    "connect",
    "discover",
    "extract_dates",
    "list_extracts",
    "load_extracts",
    "latest_loaded_date",
    "load_file",
    "pending_dates",
    "recorded_conflicts",
    "version_conflicts",
]
