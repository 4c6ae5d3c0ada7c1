"""The extracts listing (``list_extracts``, walked with ``os.scandir``) finds the same files, in the same
order, with the same reasons for what does not fit, as the plain ``pathlib.rglob`` listing it replaced,
which is written out here as the reference."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from revenue_warehouse.contract import SYSTEMS, parse_day
from revenue_warehouse.loader import list_extracts
from revenue_warehouse.loader.discovery import unfit_reason


def _reference_candidates(system_dir: Path) -> Iterator[Path]:
    for path in system_dir.rglob("*"):
        if path.is_symlink() and path.is_dir():
            if path.parent == system_dir:
                yield from (p for p in path.rglob("*") if not p.is_dir() or p.is_symlink())
            else:
                yield path
        elif path.is_file() or (path.is_symlink() and not path.exists()):
            yield path


def _reference(extracts: Path, systems: list[str] | None) -> tuple[list[tuple], dict[str, str]]:
    files, unknown = [], {}
    if systems is None:
        unknown = {
            p.name + ("/" if p.is_dir() else ""): f"not a source system (known: {', '.join(SYSTEMS)})"
            for p in sorted(extracts.iterdir())
            if p.name not in SYSTEMS and not p.name.startswith("_")
        }
    for system in sorted(systems or SYSTEMS):
        system_dir = extracts / system
        if not system_dir.is_dir():
            continue
        for path in sorted(_reference_candidates(system_dir)):
            rel = path.relative_to(extracts).as_posix()
            parts = path.relative_to(system_dir).parts
            reason = unfit_reason(system, parts)
            if reason:
                unknown[rel] = reason
                continue
            files.append((system, parts[0], parse_day(path.stem), path, rel))
    return files, unknown


@pytest.fixture
def odd_extracts(tmp_path: Path) -> Path:
    """Extract files among every kind of thing the walk must type: links (to a folder, as a table folder
    and deeper down; to a file; dangling; looping), a fifo, hidden and oddly dotted names, nesting."""
    ex, elsewhere = tmp_path / "extracts", tmp_path / "elsewhere"
    for folder in ("stripe/invoice", "stripe/customer/nested", "hubspot/contact", "_truth", "misspelt"):
        (ex / folder).mkdir(parents=True)
    (elsewhere / "tbl" / "deeper").mkdir(parents=True)
    names = ["2024-01-01.csv", "2024-01-02.parquet", "..csv", "a.", ".hidden.csv", "20240102.csv", "x.txt"]
    for name in names:
        (ex / "stripe" / "invoice" / name).write_text("id\n1\n")
    (ex / "stripe" / "customer" / "nested" / "2024-01-01.csv").write_text("id\n")
    (ex / "stripe" / "loose.csv").write_text("id\n")
    (ex / "hubspot" / "contact" / "2024-01-03.csv").write_text("id\n")
    (ex / "hubspot" / "Contact.csv").write_text("id\n")
    (ex / "stray.txt").write_text("")
    (elsewhere / "tbl" / "2024-01-04.csv").write_text("id\n")
    (elsewhere / "tbl" / "deeper" / "2024-01-05.csv").write_text("id\n")
    (elsewhere / "file.csv").write_text("id\n")
    (elsewhere / "tbl" / "inner").symlink_to(elsewhere / "tbl" / "deeper")
    (ex / "stripe" / "charge").symlink_to(elsewhere / "tbl")  # a table folder that is a link
    (ex / "stripe" / "invoice" / "linked").symlink_to(elsewhere / "tbl")  # a folder link deeper down
    (ex / "stripe" / "invoice" / "2024-01-06.csv").symlink_to(tmp_path / "gone.csv")  # dangling
    (ex / "stripe" / "invoice" / "2024-01-07.csv").symlink_to(elsewhere / "file.csv")
    (ex / "stripe" / "invoice" / "loop").symlink_to(ex / "stripe" / "invoice" / "loop")
    os.mkfifo(ex / "stripe" / "invoice" / "2024-01-08.csv")
    (ex / "stripe" / "invoice" / "2024-01-09.csv").symlink_to(ex / "stripe" / "invoice" / "2024-01-08.csv")
    return ex


@pytest.mark.parametrize("systems", [None, ["stripe"], ["hubspot", "salesforce"]])
def test_listing_is_the_rglob_listing(odd_extracts: Path, systems: list[str] | None) -> None:
    listing = list_extracts(odd_extracts, systems=systems)
    files, unknown = _reference(odd_extracts, systems)
    assert [(f.system, f.table, f.extract_date, f.path, f.source_name) for f in listing.files] == files
    assert dict(listing.unknown) == unknown
    assert list(listing.unknown) == list(unknown)  # the same order too
    assert files and unknown  # the fixture has both kinds


def test_listing_order_is_by_path_parts_not_text(tmp_path: Path) -> None:
    """``x-y/…`` sorts after ``x/…`` by parts but before it as text ("-" < "/"): the parts' order is kept."""
    for folder in ("x", "x-y"):
        (tmp_path / "stripe" / folder).mkdir(parents=True)
        (tmp_path / "stripe" / folder / "2024-01-01.csv").write_text("id\n")
    listing = list_extracts(tmp_path)
    _, unknown = _reference(tmp_path, None)
    assert list(listing.unknown) == list(unknown) == ["stripe/x/2024-01-01.csv", "stripe/x-y/2024-01-01.csv"]
