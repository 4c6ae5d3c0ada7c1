"""From simulated records to daily rows.

A ``Source`` is the lazy description of one extract table: for every row it will write, the
record index, the instant whose state the row shows (``cutoff``) and the file day. Rows are
rendered to Arrow only chunk by chunk, so memory stays flat whatever the scale. A record that
changes reappears in the file of each day it changed (one row per record and day: the state
at the end of that day)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pyarrow as pa

from ..contract import Table
from ._util import DAY, NEVER

Render = Callable[[np.ndarray, np.ndarray], dict[str, pa.Array]]
CHUNK_ROWS = 100_000


@dataclass
class Source:
    table: Table
    day: np.ndarray  # file day (days since the start date)
    rec: np.ndarray  # record index passed to ``render``
    cutoff: np.ndarray  # epoch seconds: the row shows the record's state at this instant
    render: Render
    order: np.ndarray | None = None  # order of rows within a file (default: cutoff)


def day_of(ts: np.ndarray, start_s: int) -> np.ndarray:
    return (np.asarray(ts, dtype=np.int64) - start_s) // DAY


def day_end(day: np.ndarray, start_s: int) -> np.ndarray:
    return start_s + np.asarray(day, dtype=np.int64) * DAY + DAY - 1


class Span(Protocol):
    """What a source needs of the world: the start, the as-of instant and the simulated horizon."""

    start_s: int
    end_s: int
    horizon_s: int
    dirt_counts: dict
    late_pending: dict


def versions(events: list[np.ndarray], start_s: int, end_s: int) -> tuple[np.ndarray, np.ndarray]:
    """(record, day) of every distinct day on which a record changed, for event-time arrays of
    equal length (one per kind of change; ``NEVER`` or after ``end_s`` = not happened)."""
    if not events or events[0].size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    n = events[0].size
    times = np.stack(events, axis=1)
    ok = times <= end_s
    rec = np.broadcast_to(np.arange(n)[:, None], times.shape)[ok]
    day = day_of(times[ok], start_s)
    key = np.unique(rec.astype(np.int64) * 1_000_000 + day)
    return key // 1_000_000, key % 1_000_000


def versioned_source(
    table: Table, events: list[np.ndarray], render: Render, w: Span,
    late: tuple[float, np.random.Generator] | None = None,
) -> Source:  # fmt: skip
    """A Source with one row per record and change day, delivered by the end date. ``late`` =
    (rate, rng): that share of later versions is delivered 2..6 days late (never past the record's
    next version). Versions and delays are drawn over the whole simulated horizon, so they do not
    depend on the end date; a late version still in flight at the end is not written, and the
    record's last delivered state is noted in ``w.late_pending`` for the truth."""
    if late is not None:
        w.dirt_counts.setdefault("late_updates", {})
    rec, day = versions(events, w.start_s, w.horizon_s)
    cutoff = day_end(day, w.start_s)
    fday = day.copy()
    end_day = int(day_of(np.array([w.end_s]), w.start_s)[0])
    if late and late[0] > 0 and rec.size:
        rate, rng = late
        h_day = int(day_of(np.array([w.horizon_s]), w.start_s)[0])
        same_next = np.append(rec[1:] == rec[:-1], False)
        same_prev = np.insert(rec[1:] == rec[:-1], 0, False)
        next_day = np.where(same_next, np.append(day[1:], 0), h_day + 1)
        delay = rng.integers(2, 7, rec.size)
        chosen = same_prev & (rng.random(rec.size) < rate)
        delay = np.minimum(delay, next_day - day - 1)
        delay = np.minimum(delay, h_day - day)
        chosen &= delay >= 1
        fday = np.where(chosen, day + delay, day)
        w.dirt_counts["late_updates"][table.name] = int((chosen & (fday <= end_day)).sum())
        pending = np.flatnonzero(chosen & (day <= end_day) & (fday > end_day))
        w.late_pending[table.name] = (rec[pending], cutoff[pending - 1])  # previous version: same record
        w.dirt_counts.setdefault("late_updates_in_flight", {})[table.name] = int(pending.size)
    keep = fday <= end_day
    return Source(table, fday[keep], rec[keep], cutoff[keep], render)


def event_source(table: Table, times: np.ndarray, render: Render, w: Span) -> Source:
    """A Source for insert-only records: one row on the day each happened (if by the end date)."""
    times = np.asarray(times, dtype=np.int64)
    rec = np.flatnonzero(times <= w.end_s)
    return Source(table, day_of(times[rec], w.start_s), rec, times[rec], render)


def chunks(src: Source, start_s: int) -> Iterator[pa.Table]:
    """Render a Source in day-aligned chunks, each with ``_day`` and ``_order`` helper columns."""
    order = src.cutoff if src.order is None else src.order
    idx = np.lexsort((src.rec, order, src.day))
    day, rec, cutoff, order = src.day[idx], src.rec[idx], src.cutoff[idx], order[idx]
    lo = 0
    while lo < idx.size:
        hi = min(lo + CHUNK_ROWS, idx.size)
        if hi < idx.size:  # extend to the end of the day
            hi = int(np.searchsorted(day, day[hi - 1], side="right"))
        cols = src.render(rec[lo:hi], cutoff[lo:hi])
        cols["_fivetran_synced"] = pa.array(day_end(day[lo:hi], start_s), type=pa.timestamp("s"))
        cols["_day"] = pa.array(day[lo:hi], type=pa.int64())
        cols["_order"] = pa.array(order[lo:hi], type=pa.int64())
        yield pa.table(cols)
        lo = hi


def visible(ts: np.ndarray, cutoff: np.ndarray) -> np.ndarray:
    ts = np.asarray(ts, dtype=np.int64)
    return (ts < NEVER) & (ts <= cutoff)
