"""The simulator's output shape: determinism, contract conformance, linear scaling, the CLI."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest
from conftest import SIM
from simulator_support import checksums, truth_json

from revenue_warehouse.contract import TABLES
from revenue_warehouse.simulator import generate
from revenue_warehouse.simulator._util import gather

TINY = {"scale": 0.03, "start": date(2024, 1, 1), "end": date(2024, 6, 30)}


@pytest.fixture(scope="module")
def tiny_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    runs = {name: tmp_path_factory.mktemp(f"tiny_{name}") for name in ("a", "b", "other_seed")}
    generate(runs["a"], seed=3, **TINY)
    generate(runs["other_seed"], seed=4, **TINY)
    # the same arguments again, in another process with another hash seed, through the CLI
    args = ["generate", "--scale", str(TINY["scale"]), "--seed", "3", "--out", str(runs["b"]),
            "--start", TINY["start"].isoformat(), "--end", TINY["end"].isoformat(), "--quiet"]  # fmt: skip
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "revenue_warehouse.cli", *args], check=True, env=env)
    return runs


def test_same_arguments_give_identical_files_across_processes(tiny_runs: dict[str, Path]) -> None:
    a, b = checksums(tiny_runs["a"]), checksums(tiny_runs["b"])
    assert len(a) > 100
    assert a == b


def test_different_seed_gives_different_files(tiny_runs: dict[str, Path]) -> None:
    a, c = checksums(tiny_runs["a"]), checksums(tiny_runs["other_seed"])
    same = [k for k in a.keys() & c.keys() if a[k] == c[k] and not k.startswith("_truth")]
    # reference tables (roles, products, plans, coupons, forms) may coincide; people and money must not
    assert not [
        k for k in same if k.split("/")[1] in {"contact", "lead", "opportunity", "invoice", "web_session"}
    ]
    assert a["_truth/funnel_monthly.csv"] != c["_truth/funnel_monthly.csv"]


def test_every_file_has_the_contract_header_and_every_table_is_written(small_extracts: Path) -> None:
    seen = set()
    for t in TABLES:
        files = sorted((small_extracts / t.system / t.name).glob("*.csv"))
        assert files, f"{t.system}.{t.name}: no files"
        seen.add((t.system, t.name))
        for f in files:
            with f.open(newline="", encoding="utf-8") as fh:
                header = next(csv.reader(fh))
            assert header == t.column_names, f"{f}: header differs from the contract"
            assert date.fromisoformat(f.stem) <= SIM["end"]
    systems = {p.name for p in small_extracts.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert systems == {"hubspot", "salesforce", "stripe"}
    for system in systems:
        tables = {p.name for p in (small_extracts / system).iterdir()}
        assert tables == {t.name for t in TABLES if t.system == system}


def test_rows_json_counts_the_files(small_extracts: Path) -> None:
    rows = truth_json(small_extracts, "rows")
    con = duckdb.connect()
    for t in TABLES:
        key = f"{t.system}.{t.name}"
        folder = small_extracts / t.system / t.name
        n = con.execute(
            f"select count(*) from read_csv('{folder}/*.csv', all_varchar=true, header=true)"
        ).fetchone()[0]
        assert n == rows["rows"][key], key
        assert len(list(folder.glob("*.csv"))) == rows["files"][key], key


def test_typed_read_of_every_file_succeeds(small_extracts: Path) -> None:
    """Every value parses as the contract's type (what the loader will do)."""
    con = duckdb.connect()
    for t in TABLES:
        types = ", ".join(f"'{c.name}': '{c.type}'" for c in t.columns)
        folder = small_extracts / t.system / t.name
        con.execute(
            f"select count(*) from read_csv('{folder}/*.csv', header=true, columns={{{types}}})"
        ).fetchone()


def test_parquet_output_has_the_contract_columns(tmp_path: Path) -> None:
    summary = generate(
        tmp_path, seed=5, fmt="parquet", scale=0.03, start=date(2023, 1, 1), end=date(2023, 12, 31)
    )
    con = duckdb.connect()
    for t in TABLES:
        files = sorted((tmp_path / t.system / t.name).glob("*.parquet"))
        assert files, f"{t.system}.{t.name}"
        cols = [r[0] for r in con.execute(f"describe select * from read_parquet('{files[0]}')").fetchall()]
        assert cols == t.column_names
        n = con.execute(
            f"select count(*) from read_parquet('{tmp_path / t.system / t.name}/*.parquet')"
        ).fetchone()[0]
        assert n == summary.rows[f"{t.system}.{t.name}"]


def test_row_counts_grow_linearly_with_scale(tmp_path: Path) -> None:
    window = {"start": date(2023, 1, 1), "end": date(2024, 6, 30), "dirt": "off", "seed": 9}
    small = generate(tmp_path / "s", scale=0.04, **window).rows
    large = generate(tmp_path / "l", scale=0.08, **window).rows
    for key in ("hubspot.contact", "hubspot.company", "hubspot.web_session", "hubspot.email_event",
                "salesforce.lead", "salesforce.opportunity", "salesforce.task"):  # fmt: skip
        ratio = large[key] / small[key]
        assert 1.6 < ratio < 2.5, f"{key}: {small[key]} rows at 0.04, {large[key]} at 0.08"


def test_no_dirt_means_no_dirt(tmp_path: Path) -> None:
    generate(tmp_path, seed=2, dirt="off", scale=0.03, start=date(2023, 6, 1), end=date(2024, 6, 30))
    dirt = truth_json(tmp_path, "dirt")
    assert sum(dirt["duplicate_rows"].values()) == 0
    assert dirt["email_variants"] == 0 and dirt["orphans_task"] == 0 and dirt["orphans_lead"] == 0
    assert sum(dirt["null_optional"].values()) == 0 and sum(dirt["late_updates"].values()) == 0
    assert sum(dirt["soft_deletes"].values()) == 0
    assert (tmp_path / "_truth" / "orphans.csv").read_text().strip().count("\n") == 0


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="fmt"):
        generate(tmp_path, fmt="xlsx")
    with pytest.raises(ValueError, match="unknown dirt"):
        generate(tmp_path, dirt={"mud": 0.5})
    with pytest.raises(ValueError, match="before start"):
        generate(tmp_path, start=date(2024, 1, 2), end=date(2024, 1, 1))


def test_cli_help_and_generate(tmp_path: Path) -> None:
    exe = [sys.executable, "-m", "revenue_warehouse.cli"]
    out = subprocess.run([*exe, "generate", "--help"], capture_output=True, text=True, check=True).stdout
    for flag in ("--scale", "--seed", "--out", "--start", "--end", "--format", "--no-dirt", "--quiet"):
        assert flag in out
    args = ["generate", "--scale", "0.02", "--seed", "1", "--out", str(tmp_path), "--start", "2024-01-01",
            "--end", "2024-01-31", "--no-dirt"]  # fmt: skip
    res = subprocess.run([*exe, *args], capture_output=True, text=True, check=True)
    assert "rows in" in res.stdout
    meta = truth_json(tmp_path, "meta")
    assert (meta["scale"], meta["seed"], meta["as_of"]) == (0.02, 1, "2024-01-31")


@pytest.mark.parametrize(
    ("seed", "scale", "end"),
    [
        (1, 0.01, date(2023, 1, 1)),  # one day: no opportunities, no won deals
        (1, 0.05, date(2023, 1, 1)),
        (1, 0.01, date(2023, 1, 15)),  # two weeks: leads but no opportunities
        (2, 0.05, date(2023, 1, 15)),
        (2, 0.05, date(2023, 2, 10)),
    ],
)
def test_very_short_windows_generate_with_contract_headers(
    tmp_path: Path, seed: int, scale: float, end: date
) -> None:
    """Empty entity arrays (no leads, opportunities or won deals yet) must not break the simulator."""
    start = date(2023, 1, 1)
    summary = generate(tmp_path, seed=seed, scale=scale, start=start, end=end)
    rows = truth_json(tmp_path, "rows")
    for t in TABLES:
        files = sorted((tmp_path / t.system / t.name).glob("*.csv"))
        assert len(files) == rows["files"][f"{t.system}.{t.name}"]
        for f in files:
            with f.open(newline="", encoding="utf-8") as fh:
                header = next(csv.reader(fh))
            assert header == t.column_names, f"{f}: header differs from the contract"
            assert start <= date.fromisoformat(f.stem) <= end
    assert summary.rows["salesforce.user"] > 0
    for name in ("funnel_monthly", "opportunities", "persons", "renewals", "mrr_monthly", "handoffs"):
        assert (tmp_path / "_truth" / f"{name}.csv").is_file()


def test_gather_keeps_dtype_and_tolerates_empty_values() -> None:
    empty = np.zeros(0, np.int64)
    out = gather(empty, np.array([-1, -1]), default=7)
    assert out.dtype == np.int64 and out.tolist() == [7, 7]
    vals = np.array([10, 20, 30], np.int64)
    out = gather(vals, np.array([2, -1, 0]), np.array([True, True, False]), default=-5)
    assert out.dtype == np.int64 and out.tolist() == [30, -5, -5]
