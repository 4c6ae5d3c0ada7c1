"""Loader benchmark: load generated extracts with the loader and with plain DuckDB
(``CREATE TABLE ... AS SELECT * FROM read_csv([...files...])``, one statement per table) on the same
files, into fresh database files, and print rows per second and the ratio loader / DuckDB, by wall
time and by CPU time (user + system of this process: what the work cost, whatever else the shared
machine was doing).

    .venv/bin/python bench/load.py                          # generate scale 10, then measure
    .venv/bin/python bench/load.py --scale 10 --scale 100   # both (scale 100 is > 10M rows)
    .venv/bin/python bench/load.py --extracts /tmp/extracts # reuse extracts already generated
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from revenue_warehouse.contract import TABLES
from revenue_warehouse.loader import load_extracts


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(fn: Callable[[], int]) -> dict:
    wall, cpu = time.perf_counter(), cpu_seconds()
    rows = fn()
    return {"rows": rows, "wall_s": time.perf_counter() - wall, "cpu_s": cpu_seconds() - cpu}


def duckdb_ctas(extracts: Path, db: Path) -> int:
    """Plain DuckDB: one CTAS per table over the list of its files (types auto-detected)."""
    rows = 0
    with duckdb.connect(str(db)) as con:
        for t in TABLES:
            files = sorted(str(p) for p in (extracts / t.system / t.name).glob("*.csv") if p.stat().st_size)
            if not files:
                continue
            name = f"{t.system}__{t.name}"
            try:  # types sniffed from the first file, as plain DuckDB does
                con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_csv({files})')
            except duckdb.Error:  # a later file does not fit the first one's types: sniff every file
                con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_csv({files}, union_by_name = true)')
                print(f"  duckdb: {name} needed union_by_name", flush=True)
            rows += con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
    return rows


def loader(extracts: Path, db: Path) -> int:
    summary = load_extracts(db, extracts, run_id="bench")
    summary.raise_for_failures()
    return summary.rows_loaded + summary.rows_quarantined


def generate(out: Path, scale: float, seed: int) -> None:
    code = (
        "import sys; from pathlib import Path; from revenue_warehouse.simulator import generate; "
        "generate(Path(sys.argv[1]), scale=float(sys.argv[2]), seed=int(sys.argv[3]))"
    )
    subprocess.run([sys.executable, "-c", code, str(out), str(scale), str(seed)], check=True)


def bench(extracts: Path, work: Path, label: str) -> dict:
    size = sum(p.stat().st_size for p in extracts.rglob("*.csv"))
    files = sum(1 for _ in extracts.rglob("*.csv"))
    # DuckDB first, then the loader: both read the same files (the page cache is warm for both)
    base = measure(lambda: duckdb_ctas(extracts, work / "duckdb.duckdb"))
    ours = measure(lambda: loader(extracts, work / "loader.duckdb"))
    if ours["rows"] != base["rows"]:
        raise SystemExit(f"row counts differ: loader {ours['rows']} vs duckdb {base['rows']}")
    result = {
        "label": label,
        "files": files,
        "mib": round(size / 2**20, 1),
        "rows": base["rows"],
        "duckdb_wall_s": round(base["wall_s"], 2),
        "loader_wall_s": round(ours["wall_s"], 2),
        "duckdb_rows_per_s": round(base["rows"] / base["wall_s"]),
        "loader_rows_per_s": round(ours["rows"] / ours["wall_s"]),
        "ratio_wall": round(base["wall_s"] / ours["wall_s"], 2),
        "ratio_cpu": round(base["cpu_s"] / ours["cpu_s"], 2),
    }
    print(json.dumps(result), flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, action="append", help="scale to generate (repeatable; default 10)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--extracts", type=Path, help="measure these extracts instead of generating")
    args = parser.parse_args()
    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
        f"duckdb {duckdb.__version__}, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    results = []
    runs = (
        [(str(args.extracts), None)] if args.extracts else [(f"scale {s:g}", s) for s in (args.scale or [10])]
    )
    for label, scale in runs:
        work = Path(tempfile.mkdtemp(prefix="bench-load-"))
        try:
            extracts = args.extracts or work / "extracts"
            if scale is not None:
                print(f"generating scale {scale:g} ...", flush=True)
                generate(extracts, scale, args.seed)
            results.append(bench(extracts, work, label))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print("\n| run | files | MiB | rows | DuckDB rows/s | loader rows/s | ratio (wall) | ratio (CPU) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['label']} | {r['files']} | {r['mib']} | {r['rows']:,} | {r['duckdb_rows_per_s']:,} "
            f"| {r['loader_rows_per_s']:,} | {r['ratio_wall']} | {r['ratio_cpu']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
