"""Dashboard benchmark: build a warehouse at scale 10 (generate, load, dbt build, publish) and time every
dashboard page's queries (revenue_warehouse/dashboard/queries.py) on the serving file, each on a fresh
read-only connection per page load as the dashboard runs them, with the default filters (everything) and
with one segment and one channel chosen. A page's time = the median time of a whole page load (connect,
filter options, every query of the page); the slowest query is timed alone on its own connection.
Target: under one second per page (docs/benchmarks.md).

    .venv/bin/python bench/dashboard.py                     # scale 10 in a temporary folder
    .venv/bin/python bench/dashboard.py --workdir /tmp/d10  # keep (and reuse) the build there
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from revenue_warehouse.dashboard.queries import QUERIES, Filters, filter_options, page_connection, run

REPEATS = 5


def build(workdir: Path, scale: float) -> Path:
    """The serving file of a scale-`scale` warehouse in `workdir` (reused when already there)."""
    from revenue_warehouse.dbt import run_dbt
    from revenue_warehouse.loader import load_extracts
    from revenue_warehouse.publish import publish
    from revenue_warehouse.simulator import generate

    extracts, db, serving = workdir / "extracts", workdir / "build.duckdb", workdir / "serving.duckdb"
    if serving.exists():
        return serving
    steps: list[tuple[str, Callable[[], object]]] = [
        ("generate", lambda: generate(extracts, scale=scale, seed=42)),
        ("load", lambda: load_extracts(db, extracts, run_id="bench")),
        ("dbt build", lambda: run_dbt(["build"], db, target_path=workdir / "target")),
        ("publish", lambda: publish(db, serving, generation="bench")),
    ]
    for name, step in steps:
        started = time.perf_counter()
        if name == "generate" and extracts.exists():
            continue
        step()
        print(f"{name}: {time.perf_counter() - started:.0f} s", flush=True)
    return serving


def median_seconds(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def page_load(serving: Path, page: str, filters: Filters) -> None:
    """What one load of a dashboard page queries: one read-only connection, the filter options, and
    every query of the page (a query of a table the build lacks is skipped, as the page skips it)."""
    with page_connection(serving):
        filter_options(serving)
        for name in QUERIES[page]:
            # a table the build lacks (audit.check_results: no GX run here) is skipped, as the page does
            with contextlib.suppress(duckdb.CatalogException):
                run(page, name, filters, serving)


def page_times(serving: Path, filters: Filters) -> dict[str, tuple[float, str, float]]:
    """page -> (seconds of a page load, its slowest query, that query's seconds)."""
    result = {}
    for page, queries in QUERIES.items():
        timed = {}
        for name in queries:
            try:
                timed[name] = median_seconds(lambda p=page, n=name: run(p, n, filters, serving))
            except duckdb.CatalogException as exc:
                print(f"  {page}.{name} not timed: {str(exc).splitlines()[0]}", flush=True)
        slowest = max(timed, key=timed.get)
        result[page] = (
            median_seconds(lambda p=page: page_load(serving, p, filters)),
            slowest,
            timed[slowest],
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    workdir.mkdir(parents=True, exist_ok=True)
    serving = build(workdir, args.scale)
    first, as_of, segments, channels = filter_options(serving)
    cases = {
        "all": Filters(first, as_of),
        "one segment + channel, last 12 months": Filters(
            date(as_of.year - 1, as_of.month, 1), as_of, tuple(segments[:1]), tuple(channels[:1])
        ),
    }
    load = os.getloadavg()[0]
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cpus, load {load:.1f}"
    )
    print(f"serving file {serving} ({serving.stat().st_size / 2**20:.0f} MiB), median of {REPEATS}")
    print("| filters | page | seconds | slowest query | its seconds |")
    print("|---|---|---|---|---|")
    for label, filters in cases.items():
        for page, (total, slowest, seconds) in page_times(serving, filters).items():
            print(f"| {label} | {page} | {total:.3f} | {slowest} | {seconds:.3f} |")


if __name__ == "__main__":
    main()
