"""Helpers for the simulator tests: read generated extract files with DuckDB, independently of the
simulator's code (only the contract and the file layout are shared)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd

from revenue_warehouse.contract import TABLES


def checksums(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.md5(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def open_extracts(root: Path, ext: str = "csv") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one all-VARCHAR table per contract table (``<system>_<table>``) over
    every daily file, plus ``file_day`` (from the file name) and ``file_row`` (row number in file)."""
    con = duckdb.connect()
    for t in TABLES:
        folder = root / t.system / t.name
        if not any(folder.glob(f"*.{ext}")):
            raise AssertionError(f"no {ext} files for {t.system}.{t.name} in {folder}")
        if ext == "csv":
            reader = f"read_csv('{folder}/*.csv', header=true, all_varchar=true, filename=true, quote='\"', escape='\"')"
        else:
            reader = f"read_parquet('{folder}/*.parquet', filename=true)"
        con.execute(
            f"create table {t.system}_{t.name} as select *, "
            f"regexp_extract(filename, '(\\d{{4}}-\\d{{2}}-\\d{{2}})\\.\\w+$', 1) as file_day from {reader}"
        )
    return con


def latest(view: str, key: str = "id") -> str:
    """SQL for the latest version of each record (by _fivetran_synced) of a view."""
    return (
        f"(select * from {view} qualify row_number() over "
        f"(partition by {key} order by _fivetran_synced desc, file_day desc) = 1)"
    )


def truth_csv(root: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(root / "_truth" / f"{name}.csv", dtype=str, keep_default_na=False)


def truth_json(root: Path, name: str) -> dict:
    return json.loads((root / "_truth" / f"{name}.json").read_text())
