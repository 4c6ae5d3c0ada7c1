"""Generator benchmark: run ``generate`` at one or more scales into a temporary folder and print
wall time, CPU time (user + system: what the run cost, whatever else the machine was doing), rows
per second (wall), files, bytes and peak memory (max RSS of a fresh child process).

    .venv/bin/python bench/generate.py                 # scales 1 and 100
    .venv/bin/python bench/generate.py --scale 10 --keep /tmp/extracts
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

CHILD = """
import json, resource, sys, time
from datetime import date
from pathlib import Path
from revenue_warehouse.simulator import generate
t0 = time.perf_counter()
s = generate(Path(sys.argv[1]), scale=float(sys.argv[2]), seed=int(sys.argv[3]), fmt=sys.argv[4], progress=sys.stderr.isatty())
print(json.dumps({"rows": s.total_rows, "files": sum(s.files.values()), "seconds": time.perf_counter() - t0,
                  "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "cpu_seconds": resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime,
                  "marketing_events": sum(v for k, v in s.rows.items() if k in (
                      "hubspot.web_session", "hubspot.email_event", "hubspot.email_event_click",
                      "hubspot.ad_campaign_daily", "hubspot.contact_form_submission")),
                  "leads": s.rows["hubspot.company"]}))
"""


def run(scale: float, seed: int, fmt: str, out: Path) -> dict:
    """One generation in a fresh process, so the peak RSS is that generation's alone."""
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(out), str(scale), str(seed), fmt],
        check=True, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["bytes"] = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, action="append", help="scale to run (repeatable; default 1 and 100)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--keep", type=Path, default=None, help="write here instead of a temporary folder")
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}"
    )
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"{'scale':>6} {'leads':>10} {'rows':>12} {'mkt events':>11} {'files':>7} {'MiB':>8} {'seconds':>8} {'cpu s':>7} {'rows/s':>10} {'peak MiB':>9}"
    )
    for scale in args.scale or [1.0, 100.0]:
        with tempfile.TemporaryDirectory(prefix="bench_generate_") as tmp:
            out = args.keep / f"scale_{scale:g}" if args.keep else Path(tmp)
            r = run(scale, args.seed, args.format, out)
        print(
            f"{scale:>6g} {r['leads']:>10,} {r['rows']:>12,} {r['marketing_events']:>11,} {r['files']:>7,} "
            f"{r['bytes'] / 2**20:>8.0f} {r['seconds']:>8.1f} {r['cpu_seconds']:>7.1f} {r['rows'] / r['seconds']:>10,.0f} "
            f"{r['max_rss_mib']:>9.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
