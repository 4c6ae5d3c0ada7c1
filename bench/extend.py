"""Simulator extension benchmark: what a horizon past the end date costs, and what one day's
extension costs, against a plain generation. Prints one JSON line per case (wall and CPU seconds
of the ``generate`` call, rows written):

    .venv/bin/python bench/extend.py [--scale 1] [--seed 42]

Cases (start 2023-01-01): ``full`` to 2025-12-31; ``short`` to 2023-03-31 (horizon = end);
``short_horizon`` to 2023-03-31 with the horizon 2025-12-31; ``to_mid`` to 2024-06-30 with that
horizon; ``extend_1_day`` the same folder extended to 2024-07-01 (only the new day is written)."""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from revenue_warehouse.simulator import generate

HORIZON = date(2025, 12, 31)
CASES = {
    "full": {"end": HORIZON},
    "short": {"end": date(2023, 3, 31)},
    "short_horizon": {"end": date(2023, 3, 31), "horizon": HORIZON},
    "to_mid": {"end": date(2024, 6, 30), "horizon": HORIZON},
    "extend_1_day": {"end": date(2024, 7, 1), "horizon": HORIZON, "written_through": date(2024, 6, 30)},
}


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, kw in CASES.items():
            out = Path(tmp) / ("mid" if name in ("to_mid", "extend_1_day") else name)
            t0, c0 = time.perf_counter(), cpu_seconds()
            summary = generate(out, scale=args.scale, seed=args.seed, **kw)
            print(json.dumps({
                "case": name, "scale": args.scale, "wall_s": round(time.perf_counter() - t0, 2),
                "cpu_s": round(cpu_seconds() - c0, 2), "rows": summary.total_rows,
            }), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
