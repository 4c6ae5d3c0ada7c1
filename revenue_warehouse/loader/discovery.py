"""Finding extract files and reading what can be known about a file before loading it."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb

from revenue_warehouse.contract import SYSTEMS, TABLES_BY_KEY
from revenue_warehouse.loader.models import ExtractFile, LoadError

EXTENSIONS = (".csv", ".parquet")


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def discover(
    extracts_dir: Path,
    *,
    dates: Iterable[date | str] | None = None,
    systems: Iterable[str] | None = None,
) -> tuple[list[ExtractFile], list[str]]:
    """Extract files under ``extracts_dir`` for the given dates and systems, and paths that do not fit
    the layout (reported, never silently ignored)."""
    wanted_dates = {_as_date(d) for d in dates} if dates is not None else None
    wanted_systems = set(systems) if systems is not None else set(SYSTEMS)
    unknown_systems = wanted_systems - set(SYSTEMS)
    if unknown_systems:
        raise ValueError(f"unknown systems {sorted(unknown_systems)}; known: {sorted(SYSTEMS)}")
    files: list[ExtractFile] = []
    unknown: list[str] = []
    for system in sorted(wanted_systems):
        system_dir = extracts_dir / system
        if not system_dir.is_dir():
            continue
        for path in sorted(p for p in system_dir.rglob("*") if p.is_file()):
            rel = path.relative_to(extracts_dir).as_posix()
            parts = path.relative_to(system_dir).parts
            if len(parts) != 2 or path.suffix not in EXTENSIONS or (system, parts[0]) not in TABLES_BY_KEY:
                unknown.append(rel)
                continue
            try:
                extract_date = date.fromisoformat(path.stem)
            except ValueError:
                unknown.append(rel)
                continue
            if wanted_dates is None or extract_date in wanted_dates:
                files.append(ExtractFile(system, parts[0], extract_date, path, rel))
    return files, unknown


def extract_dates(extracts_dir: Path) -> list[date]:
    """Every extract date present under ``extracts_dir`` (any system, any table)."""
    files, _ = discover(extracts_dir)
    return sorted({f.extract_date for f in files})


def sha256(path: Path) -> str:
    return digest(path)[0]


def digest(path: Path) -> tuple[str, int]:
    """sha256 of the file and its data rows counted by line ends (header excluded): exact unless a
    quoted field holds a line break or lines are blank, which the fast path detects and handles."""
    checksum = hashlib.sha256()
    newlines, last = 0, b""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            checksum.update(block)
            newlines += block.count(b"\n")
            last = block[-1:]
    lines = newlines + (1 if last not in (b"", b"\n") else 0)
    return checksum.hexdigest(), max(lines - 1, 0)


def read_header(path: Path) -> list[str]:
    """Column names of an extract file, lower-cased; ``[]`` for an empty file. A UTF-8 BOM is ignored."""
    if path.stat().st_size == 0:
        return []
    if path.suffix == ".parquet":
        rows = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{sql_str(path)}')").fetchall()
        names = [r[0] for r in rows]
    else:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            names = next(csv.reader(fh), [])
    names = [n.strip().lower() for n in names]
    if not names or names == [""]:
        return []
    blanks = [i + 1 for i, n in enumerate(names) if not n]
    if blanks:
        raise LoadError(f"{path}: header has empty column names at positions {blanks}")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise LoadError(f"{path}: header repeats columns {dupes}")
    return names


def sql_str(value: object) -> str:
    """A value as the body of a single-quoted SQL string literal."""
    return str(value).replace("'", "''")


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'
