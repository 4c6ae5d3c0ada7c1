"""Deterministic simulator of one B2B SaaS company's HubSpot, Salesforce and Stripe extracts.

    from revenue_warehouse.simulator import generate
    summary = generate(Path("data/extracts"), scale=0.1, seed=7)

Same arguments give byte-identical files. See docs/sources.md for the tables and the truth."""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa

from ..contract import TABLES, get_table
from .billing import Billing
from .crm import Crm
from .events import email_events, web_sessions
from .marketing import Marketing
from .profile import load_profile, resolve_dirt
from .sources import Source, chunks
from .truth import Truth
from .world import World, build_world
from .writer import TableWriter

__all__ = ["GenerationSummary", "default_horizon", "generate"]

FORMATS = ("csv", "parquet")
HORIZON_YEARS = 3  # the world is simulated in blocks of this many years from the start date


def _add_years(d: date, years: int) -> date:
    return d.replace(year=d.year + years, day=min(d.day, 28 if d.month == 2 else d.day))


def default_horizon(start: date, end: date) -> date:
    """A horizon to suggest: the last day of the first block of ``HORIZON_YEARS`` years from
    ``start`` that holds ``end``."""
    k = 1
    while _add_years(start, HORIZON_YEARS * k) - timedelta(days=1) < end:
        k += 1
    return _add_years(start, HORIZON_YEARS * k) - timedelta(days=1)


@dataclass
class GenerationSummary:
    out_dir: Path
    rows: dict[str, int]  # rows written per "<system>.<table>" (incl. duplicate rows)
    files: dict[str, int]
    truth: dict[str, Path]
    elapsed: float
    dirt: dict = field(default_factory=dict)
    written_through: date | None = None  # files up to this day were left as they were (an extension)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


Producer = Callable[[], Iterator[dict[str, tuple[pa.Table, int | None]]]]


def _producers(w: World) -> tuple[list[tuple[str, Producer]], tuple[Marketing, Crm, Billing]]:
    """(label, producer) pairs in the order they are generated; each producer yields
    ``{table: (chunk, flush_before_day)}``."""
    m = Marketing(w)
    crm = Crm(w, m)
    billing = Billing(w)

    def indexed(make: Callable[[], Source]) -> Callable[[], Iterator]:
        def run() -> Iterator[dict]:
            src = make()
            for chunk in chunks(src, w.start_s):
                yield {src.table.name: (chunk, None)}

        return run

    indexed_tables = [
        ("hubspot", m, ("owner", "form", "company", "contact", "contact_form_submission", "ad_campaign", "ad_campaign_daily")),
        ("salesforce", crm, ("user_role", "user", "product_2", "lead", "account", "contact", "opportunity",
                             "opportunity_history", "opportunity_line_item", "task", "event")),
        ("stripe", billing, ("product", "plan", "coupon", "customer", "subscription", "subscription_item", "discount",
                             "invoice", "invoice_line_item", "usage_record")),
    ]  # fmt: skip
    out = []
    for system, obj, names in indexed_tables:
        for name in names:
            out.append((f"{system}.{name}", indexed(getattr(obj, name))))
    out.append(("hubspot.web_session", lambda: web_sessions(m)))
    out.append(("hubspot.email_event", lambda: email_events(m)))
    return out, (m, crm, billing)


def generate(
    out_dir: Path, *, scale: float = 1.0, seed: int = 42, start: date = date(2023, 1, 1),
    end: date = date(2025, 12, 31), fmt: str = "csv", dirt: dict[str, float] | str | None = None,
    progress: bool = False, horizon: date | None = None, written_through: date | None = None,
) -> GenerationSummary:  # fmt: skip
    """Simulate the company and write its daily extracts plus ``_truth/`` into ``out_dir``.

    ``dirt=None`` uses the profile's dirt rates; a dict overrides some of them; ``"off"`` sets all
    to zero (clean data). The world is simulated to ``horizon`` (default: ``end``) and seen as of
    the end of ``end``: files dated up to ``end`` and the truth as of ``end``. Two end dates with the
    same horizon (and other arguments) write the same file for every day up to the earlier. Files
    dated up to ``written_through`` are taken as already written by an earlier generation with the
    same arguments and horizon (they would be byte-identical) and are not rewritten."""
    t0 = time.perf_counter()
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, not {scale}")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    horizon = horizon or end
    if horizon < end:
        raise ValueError(f"horizon {horizon} is before end {end}")
    out_dir = Path(out_dir)
    profile = load_profile()
    rates = resolve_dirt(profile, dirt)
    w = build_world(profile, rates, seed, scale, start, end, horizon)
    producers, parts = _producers(w)
    end_day = w.n_days - 1
    skip = -1 if written_through is None else (written_through - start).days
    writers: dict[str, TableWriter] = {}
    bar = _progress(len(producers), progress)
    for label, produce in producers:
        if bar is not None:
            bar.set_postfix_str(label)
        touched: set[tuple[str, str]] = set()
        for batch in produce():
            for name, (chunk, flush_before) in batch.items():
                key = (label.split(".")[0], name)
                touched.add(key)
                if key not in writers:
                    writers[key] = TableWriter(
                        out_dir, get_table(*key), fmt, start, end_day,
                        (seed << 32) ^ zlib.crc32(f"writer-{key[0]}.{key[1]}-{fmt}".encode()),
                        rates["duplicate_rows"], rates["history_out_of_order"], skip,
                    )  # fmt: skip
                writers[key].add(chunk, flush_before)
        for key in sorted(touched):
            writers[key].close()
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    rows = {f"{t.system}.{t.name}": 0 for t in TABLES}
    files = dict(rows)
    dups, shuffled = {}, {}
    for (system, name), wr in sorted(writers.items()):
        rows[f"{system}.{name}"], files[f"{system}.{name}"] = wr.rows, wr.files
        dups[f"{system}.{name}"] = wr.duplicates
        if wr.shuffle_rate:
            shuffled = {"files": wr.shuffled_files, "rows_out_of_order": wr.out_of_order_rows}
    w.dirt_counts["duplicate_rows"] = dups
    w.dirt_counts["history_out_of_order"] = shuffled
    _record_entity_dirt(w)
    m, crm, billing = parts
    meta = {
        "scale": scale, "seed": seed, "start": start.isoformat(), "end": end.isoformat(), "as_of": end.isoformat(),
        "horizon": horizon.isoformat(), "format": fmt, "dirt": rates, "profile": profile,
    }  # fmt: skip
    truth = Truth(w, m, crm, billing).write(out_dir / "_truth", {"rows": rows, "files": files}, meta)
    return GenerationSummary(
        out_dir, rows, files, truth, time.perf_counter() - t0, w.dirt_counts, written_through
    )


def _record_entity_dirt(w: World) -> None:
    c, e = w.contacts, w.end_s
    w.dirt_counts["email_variants"] = int(((c.kind == 1) & (c.created <= e)).sum())
    w.dirt_counts.setdefault("soft_deletes", {})["hubspot.contact"] = int(
        ((c.kind == 2) & (c.created <= e)).sum()
    )
    lr = w.leads
    w.dirt_counts["soft_deletes"]["salesforce.lead"] = int(((lr.kind == 2) & (lr.created <= e)).sum())
    w.dirt_counts["orphans_lead"] = int(((lr.kind == 1) & (lr.created <= e)).sum())


def _progress(total: int, enabled: bool):  # noqa: ANN202
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="generate", unit="table")
