"""Finding extract files and reading what can be known about a file before loading it."""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from revenue_warehouse.contract import SYSTEMS, TABLES_BY_KEY, parse_day
from revenue_warehouse.loader.models import ExtractFile, LoadError
from revenue_warehouse.loader.records import header_bytes

EXTENSIONS = (".csv", ".parquet")


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else parse_day(str(value))


def _stem_suffix(name: str) -> tuple[str, str]:
    """``Path(name).stem`` and ``.suffix`` of a file name, without making a path (once per extract file)."""
    i = name.rfind(".")
    return (name[:i], name[i:]) if 0 < i < len(name) - 1 else (name, "")


def unfit_reason(system: str, parts: tuple[str, ...]) -> str | None:
    """Why ``<system>/<parts...>`` is not an extract file (``<table>/<YYYY-MM-DD>.csv|parquet`` of a
    contract table), or None when it is one."""
    if len(parts) != 2:
        return f"not <table>/<YYYY-MM-DD>{'|'.join(EXTENSIONS)} under {system}/"
    table, name = parts
    if (system, table) not in TABLES_BY_KEY:
        return f"{system} has no contract table {table!r}"
    stem, suffix = _stem_suffix(name)
    if suffix not in EXTENSIONS:
        return f"not a {' or '.join(EXTENSIONS)} file"
    try:
        parse_day(stem)
    except ValueError as exc:
        return f"file name {exc}"
    return None


@dataclass(frozen=True)
class ExtractListing:
    """One listing of an extracts folder (``list_extracts``): every extract file, and the paths that
    do not fit the layout with the reason. A run lists the folder once and passes this on (the dates,
    the partitions, each system's load); a file that appears after the listing is loaded next run."""

    files: tuple[ExtractFile, ...]
    unknown: Mapping[str, str]
    systems: frozenset[str]  # the systems listed (every one: beside them too, see ``discover``)

    def dates(self) -> list[date]:
        """Every extract date present (any system, any table), sorted."""
        return sorted({f.extract_date for f in self.files})

    def select(
        self, *, dates: Iterable[date | str] | None = None, systems: Iterable[str] | None = None
    ) -> tuple[list[ExtractFile], dict[str, str]]:
        """What ``discover`` returns for these dates and systems (fresh ``ExtractFile`` objects: a load
        fills in counts)."""
        wanted_dates = {_as_date(d) for d in dates} if dates is not None else None
        wanted = _systems(systems)
        if not wanted <= self.systems:
            raise ValueError(f"systems {sorted(wanted - self.systems)} were not listed")
        files = [
            ExtractFile(f.system, f.table, f.extract_date, f.path, f.source_name, f.line_rows, f.records)
            for f in self.files
            if f.system in wanted and (wanted_dates is None or f.extract_date in wanted_dates)
        ]
        if systems is None:
            return files, dict(self.unknown)
        return files, {p: r for p, r in self.unknown.items() if p.split("/", 1)[0] in wanted and "/" in p}


def _systems(systems: Iterable[str] | None) -> set[str]:
    wanted = set(systems) if systems is not None else set(SYSTEMS)
    unknown_systems = wanted - set(SYSTEMS)
    if unknown_systems:
        raise ValueError(f"unknown systems {sorted(unknown_systems)}; known: {sorted(SYSTEMS)}")
    return wanted


def discover(
    extracts_dir: Path,
    *,
    dates: Iterable[date | str] | None = None,
    systems: Iterable[str] | None = None,
) -> tuple[list[ExtractFile], dict[str, str]]:
    """Extract files under ``extracts_dir`` for the given dates and systems, and the paths that do not
    fit the layout with the reason (reported, never silently ignored; with every system wanted, also
    what lies beside the system folders, a folder once as ``name/``). A file is named by its extract
    date, ``YYYY-MM-DD.csv`` or ``.parquet``: ``20240102.csv`` does not fit."""
    return list_extracts(extracts_dir, systems=systems).select(dates=dates, systems=systems)


def list_extracts(extracts_dir: Path, *, systems: Iterable[str] | None = None) -> ExtractListing:
    """List ``extracts_dir`` once (the given systems' folders; every system and what lies beside them
    when ``systems`` is None)."""
    wanted_systems = _systems(systems)
    files: list[ExtractFile] = []
    # all systems wanted: a folder or file beside them (a misspelled system) is reported, once; names
    # starting with "_" are not extracts by convention (the simulator's _truth/)
    unknown: dict[str, str] = (
        {
            p.name + ("/" if p.is_dir() else ""): f"not a source system (known: {', '.join(SYSTEMS)})"
            for p in sorted(extracts_dir.iterdir())
            if p.name not in SYSTEMS and not p.name.startswith("_")
        }
        if systems is None and extracts_dir.is_dir()
        else {}
    )
    for system in sorted(wanted_systems):
        system_dir = extracts_dir / system
        if not system_dir.is_dir():
            continue
        # sorted by the path's parts below the system folder: the order of the paths themselves
        for parts, path in sorted(_candidates(system_dir), key=lambda found: found[0]):
            rel = "/".join((system, *parts))
            reason = unfit_reason(system, parts)
            if reason:
                unknown[rel] = reason
                continue
            files.append(ExtractFile(system, parts[0], parse_day(_stem_suffix(parts[1])[0]), path, rel))
    return ExtractListing(tuple(files), unknown, frozenset(wanted_systems))


def _candidates(system_dir: Path) -> Iterator[tuple[tuple[str, ...], Path]]:
    """Every file below ``system_dir``, with its path's parts below it. A table folder that is a symbolic
    link to a folder is followed (``rglob`` does not follow links); a link to a folder anywhere else is
    listed itself, so it is reported as not fitting the layout; a dangling link is listed too: it fails
    as a file rather than vanishing. Walked with ``os.scandir``, whose entries know their type without a
    ``stat`` per file (22,700 files at scale 10): the same files as ``system_dir.rglob("*")`` filtered
    so, which stats every path two or three times."""
    yield from _walk(system_dir, str(system_dir), ())


def _walk(system_dir: Path, folder: str, below: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Path]]:
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except PermissionError:  # as rglob: an unreadable folder lists nothing
        return
    for entry in entries:
        parts = (*below, entry.name)
        if entry.is_symlink():  # rare: typed by pathlib, as before
            path = system_dir.joinpath(*parts)
            if path.is_dir():  # the link's target is a folder
                if below:
                    yield parts, path
                else:  # a table folder: followed
                    for p in path.rglob("*"):
                        if not p.is_dir() or p.is_symlink():
                            yield p.relative_to(system_dir).parts, p
            elif path.is_file() or not path.exists():  # to a file, or dangling
                yield parts, path
        elif entry.is_dir(follow_symlinks=False):
            yield from _walk(system_dir, entry.path, parts)
        elif entry.is_file(follow_symlinks=False):
            yield parts, system_dir.joinpath(*parts)


def extract_dates(extracts_dir: Path) -> list[date]:
    """Every extract date present under ``extracts_dir`` (any system, any table)."""
    return list_extracts(extracts_dir).dates()


def sha256(path: Path) -> str:
    return digest(path)[0]


def refuse_dangling_link(path: Path) -> None:
    """A symbolic link whose target is gone is a failed file, named as such (not a bare ENOENT)."""
    if path.is_symlink() and not path.exists():
        raise LoadError(f"{path}: dangling symbolic link to {path.readlink()} (the target does not exist)")


def digest(path: Path) -> tuple[str, int, bool]:
    """sha256 of the file, its data rows counted by line ends (header excluded), and whether that count
    may differ from its records (a quote or a blank line in the file: see ``records.count_records``)."""
    refuse_dangling_link(path)
    checksum = hashlib.sha256()
    newlines, last, tail, irregular = 0, b"", b"", False
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            checksum.update(block)
            newlines += block.count(b"\n")
            last = block[-1:]
            if not irregular:
                window = tail + block
                irregular = b'"' in block or b"\n\n" in window or b"\n\r\n" in window
                tail = block[-2:]
    lines = newlines + (1 if last not in (b"", b"\n") else 0)
    return checksum.hexdigest(), max(lines - 1, 0), irregular


def read_header(
    path: Path, raw: bytes | None = None, *, con: duckdb.DuckDBPyConnection | None = None
) -> list[str]:
    """Column names of an extract file, lower-cased; ``[]`` for an empty file. A UTF-8 BOM is ignored.
    ``raw``: the CSV header record's bytes when already read (``facts.file_facts``); ``con``: the
    connection to describe a Parquet file with (a load's own, in a loader thread; else DuckDB's default)."""
    if path.stat().st_size == 0:
        return []
    if path.suffix == ".parquet":
        query = f"DESCRIBE SELECT * FROM read_parquet('{sql_str(path)}')"
        rows = (con.execute(query) if con is not None else duckdb.sql(query)).fetchall()
        names = [r[0] for r in rows]
    else:
        names = next(csv.reader([_header_text(path, raw)]), [])
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


def _header_text(path: Path, raw: bytes | None = None) -> str:
    """The header record alone, decoded (the rest of the file may hold undecodable bytes)."""
    if raw is None:
        raw = header_bytes(path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"{path}: the header is not valid UTF-8 (byte {exc.start + 1}); re-export the file as UTF-8"
        ) from None


def sql_str(value: object) -> str:
    """A value as the body of a single-quoted SQL string literal."""
    return str(value).replace("'", "''")
