"""Helpers for loader and orchestration tests: hand-written extract files that follow the contract
(the simulator is tested elsewhere; here every row's fate is known by construction)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from revenue_warehouse.contract import Column, get_table

SAMPLE = {
    "BIGINT": lambda i: str(1000 + i),
    "DATE": lambda i: f"2023-01-{1 + i % 28:02d}",
    "TIMESTAMP": lambda i: f"2023-01-{1 + i % 28:02d} 10:{i % 60:02d}:00",
    "DECIMAL(18,2)": lambda i: f"{i}.25",
    "DOUBLE": lambda i: f"{i}.5",
    "BOOLEAN": lambda i: "true" if i % 2 else "false",
}


def sample_value(column: Column, i: int) -> str:
    make = SAMPLE.get(column.type)
    return make(i) if make else f"{column.name}-{i}"


def sample_rows(system: str, table: str, n: int, start: int = 0) -> list[dict[str, str]]:
    t = get_table(system, table)
    return [{c.name: sample_value(c, start + i) for c in t.columns} for i in range(n)]


def csv_text(rows: list[dict[str, str]], columns: list[str] | None = None) -> str:
    columns = columns or (list(rows[0]) if rows else [])
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def extract_path(root: Path, system: str, table: str, day: date, ext: str = "csv") -> Path:
    path = root / system / table / f"{day.isoformat()}.{ext}"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_extract(
    root: Path, system: str, table: str, day: date, rows: list[dict[str, str]] | str, *, bom: bool = False
) -> Path:
    """Write one extract file: ``rows`` as CSV, or literal text (for corrupted files)."""
    path = extract_path(root, system, table, day)
    text = rows if isinstance(rows, str) else csv_text(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def rows_in_csv(path: Path) -> int:
    """Data rows in a CSV file counted by Python's csv module, independently of the loader."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return max(sum(1 for _ in csv.reader(fh)) - 1, 0)
