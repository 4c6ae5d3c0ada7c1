"""Result types of a load: one ``FileResult`` per extract file, gathered in a ``LoadSummary``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

LOADED = "loaded"
REPLACED = "replaced"
SKIPPED_DUPLICATE = "skipped_duplicate"
FAILED = "failed"


class LoadError(Exception):
    """A file that cannot be loaded (missing required column, unreadable header...)."""


class FutureExtractError(LoadError):
    """An extract dated after the run's date plus the configured tolerance (``revenue_warehouse.as_of``)."""


class AccountingError(LoadError):
    """rows_in_file != rows_loaded + rows_quarantined for a file: a row would have been lost."""


@dataclass
class ExtractFile:
    """One extract file: ``<extracts>/<system>/<table>/<YYYY-MM-DD>.<csv|parquet>``."""

    system: str
    table: str
    extract_date: date
    path: Path
    source_name: str  # what lands in ``_source_file``: the path relative to the extracts directory
    line_rows: int = 0  # data rows counted by line ends (see discovery.digest), set when planned
    records: int | None = None  # CSV records counted independently of the parser (loader.records)

    @property
    def format(self) -> str:
        return "parquet" if self.path.suffix == ".parquet" else "csv"


@dataclass
class FileResult:
    system: str
    table: str
    extract_date: date
    file: str
    checksum: str = ""
    rows_in_file: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    status: str = LOADED
    error: str | None = None
    new_columns: list[str] = field(default_factory=list)
    file_size: int | None = None
    file_mtime_ns: int | None = None
    # skipped by name, size and modification time: nothing about the file changed since its last load, so
    # it gets no manifest row, only a count in audit.load_runs (loader.schema.LOAD_RUNS_DDL)
    unchanged: bool = False

    @property
    def failed(self) -> bool:
        return self.status == FAILED


@dataclass
class LoadSummary:
    run_id: str
    files: list[FileResult] = field(default_factory=list)
    # paths under the extracts directory that do not follow the layout or name no contract table,
    # each with the reason (loader.discovery.unfit_reason)
    unknown_paths: dict[str, str] = field(default_factory=dict)

    @property
    def failures(self) -> list[FileResult]:
        return [f for f in self.files if f.failed]

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def dates(self) -> list[date]:
        return sorted({f.extract_date for f in self.files})

    def by_table(self) -> dict[tuple[str, str], list[FileResult]]:
        grouped: dict[tuple[str, str], list[FileResult]] = defaultdict(list)
        for f in self.files:
            grouped[(f.system, f.table)].append(f)
        return dict(grouped)

    def table_totals(self) -> dict[str, dict[str, int]]:
        """Per ``raw_<system>.<table>``: files, rows loaded, rows quarantined, failed files, skipped files."""
        totals: dict[str, dict[str, int]] = {}
        for (system, table), files in sorted(self.by_table().items()):
            totals[f"raw_{system}.{table}"] = {
                "files": len(files),
                "rows_loaded": sum(f.rows_loaded for f in files),
                "rows_quarantined": sum(f.rows_quarantined for f in files),
                "failed_files": sum(f.failed for f in files),
                "skipped_files": sum(f.status == SKIPPED_DUPLICATE for f in files),
            }
        return totals

    def raise_for_failures(self) -> None:
        if self.failures:
            lines = [f"{f.file}: {f.error}" for f in self.failures]
            raise LoadError(f"{len(lines)} extract file(s) failed to load:\n" + "\n".join(lines))

    def merge(self, other: LoadSummary) -> None:
        self.files.extend(other.files)
        self.unknown_paths.update(other.unknown_paths)
