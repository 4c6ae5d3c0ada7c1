"""Writes daily extract files (``<out>/<system>/<table>/<YYYY-MM-DD>.<csv|parquet>``)
deterministically, injecting writer-level dirt: exact duplicate rows (same file or the next
day's file) and opportunity history written out of order.

Every random decision is a hash of the row's place in its day's file (day, rank), never a draw
from a stream, so a day's file does not depend on how many days are written after it: generating
to a later end date writes every earlier file byte for byte the same."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..contract import Table
from ._util import uniform_hash

_TYPES = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("s"),
    "DATE": pa.date32(),
    "DECIMAL(18,2)": pa.decimal128(18, 2),
}
SHUFFLED_TABLES = {"opportunity_history"}
HELPERS = ("_day", "_order", "_dup")  # file day, order within the file, row is already a duplicate


def arrow_type(duckdb_type: str) -> pa.DataType:
    return _TYPES[duckdb_type]


class TableWriter:
    """Buffers rows by file day and writes each day once, in day order."""

    def __init__(self, out: Path, table: Table, fmt: str, start: date, end_day: int, key: int,
                 dup_rate: float, shuffle_rate: float, skip_through: int = -1) -> None:  # fmt: skip
        """Files for days 0..``end_day``; those up to ``skip_through`` are counted, not written
        (they exist from an earlier generation of the same world). ``key`` keys the dirt hashes."""
        self.table, self.fmt, self.start, self.end_day, self.key = table, fmt, start, end_day, key
        self.skip_through = skip_through
        self.dir = out / table.system / table.name
        self.dup_rate = dup_rate
        self.shuffle_rate = shuffle_rate if table.name in SHUFFLED_TABLES else 0.0
        self.pending: list[pa.Table] = []
        self.rows = self.files = self.duplicates = self.shuffled_files = self.out_of_order_rows = 0
        self.schema = pa.schema([(c.name, arrow_type(c.type)) for c in table.columns])
        self.header = (",".join(self.table.column_names) + "\n").encode()

    def _conform(self, chunk: pa.Table) -> pa.Table:
        """The chunk in contract column order and types; a column the contract does not declare or a
        declared column the renderer did not provide is a bug in the simulator, never a silent NULL."""
        given = set(chunk.column_names) - set(HELPERS)
        unknown, missing = (
            sorted(given - set(self.schema.names)),
            [n for n in self.schema.names if n not in given],
        )
        if unknown or missing:
            raise ValueError(
                f"simulator rows for {self.table.qualified_name} do not match the contract: "
                f"unknown columns {unknown}, missing columns {missing}"
            )
        cols = [chunk.column(f.name).cast(f.type) for f in self.schema]
        cols += [
            chunk.column("_day"),
            chunk.column("_order"),
            pa.nulls(chunk.num_rows, pa.bool_()).fill_null(False),
        ]
        return pa.Table.from_arrays(cols, names=[*self.schema.names, *HELPERS])

    def add(self, chunk: pa.Table, flush_before: int | None = None) -> None:
        """Add rows; then write every day < ``flush_before`` (default: the chunk is day-aligned, so
        every day up to its last is complete). Rows after the end date are dropped."""
        if chunk.num_rows:
            chunk = self._conform(chunk)
            days = chunk.column("_day").to_numpy()
            if flush_before is None:  # a day-aligned chunk: its days are complete
                flush_before = int(days.max()) + 1
            if days.max() > self.end_day:
                chunk = chunk.filter(pa.array(days <= self.end_day))
            self.pending.append(chunk)
        self.flush(flush_before)

    def flush(self, before: int | None = None) -> None:
        if not self.pending:
            return
        table = pa.concat_tables(self.pending)
        self.pending = []
        table = table.take(pc.sort_indices(table, [("_day", "ascending"), ("_order", "ascending")]))
        days = table.column("_day").to_numpy()
        cut = days.size if before is None else int(np.searchsorted(days, before))
        if cut < days.size:
            self.pending = [table.slice(cut)]
        if cut:
            limit = self.end_day + 1 if before is None else min(before, self.end_day + 1)
            self._write_group(table.slice(0, cut), days[:cut], limit)

    def _write_group(self, table: pa.Table, days: np.ndarray, limit: int) -> None:
        """Write the rows of consecutive days (sorted by day), with duplicate and shuffle dirt."""
        n = days.size
        idx, out_day = np.arange(n), days
        # a row's place in its day's file: duplicates carried in from the day before sort last
        place = days.astype(np.int64) * (1 << 32) + idx - np.searchsorted(days, days)
        if self.dup_rate:
            is_dup = table.column("_dup").to_numpy(zero_copy_only=False)
            pick = np.flatnonzero((uniform_hash(place, self.key) < self.dup_rate) & ~is_dup)
            target = days[pick] + (uniform_hash(place[pick], self.key + 1) < 0.5)
            inside = target <= self.end_day  # a copy due after the end date is not delivered yet
            pick, target = pick[inside], target[inside]
            self.duplicates += pick.size
            later = target >= limit
            if later.any():  # the next day's file is written by a later flush
                carried = table.take(pa.array(pick[later]))
                self.pending.append(
                    carried.set_column(
                        carried.schema.get_field_index("_day"), "_day", pa.array(target[later], pa.int64())
                    )
                    .set_column(
                        carried.schema.get_field_index("_order"),
                        "_order",
                        pa.array(np.full(later.sum(), 2**62)),
                    )
                    .set_column(
                        carried.schema.get_field_index("_dup"), "_dup", pa.array(np.ones(later.sum(), bool))
                    )
                )
            pick, target = pick[~later], target[~later]
            all_idx = np.concatenate([idx, pick])
            all_day = np.concatenate([days, target])
            pos = np.concatenate([np.zeros(n, np.int8), np.ones(pick.size, np.int8)])
            order = np.lexsort((pos, all_day))
            idx, out_day = all_idx[order], all_day[order]
        bounds = np.flatnonzero(np.diff(out_day)) + 1
        starts, stops = np.concatenate([[0], bounds]), np.concatenate([bounds, [out_day.size]])
        if self.shuffle_rate:
            created = table.column("created_date").cast(pa.int64()).to_numpy(zero_copy_only=False)
            for d, lo, hi in zip(out_day[starts], starts, stops, strict=True):
                if hi - lo > 1 and uniform_hash(np.array([d]), self.key + 2)[0] < self.shuffle_rate:
                    rng = np.random.default_rng([self.key % 2**63, int(d)])
                    idx[lo:hi] = idx[lo:hi][rng.permutation(hi - lo)]
                    self.shuffled_files += 1
                self.out_of_order_rows += out_of_order(created[idx[lo:hi]])
        rows = table.take(pa.array(idx)).drop_columns(list(HELPERS))
        self.rows += int(idx.size)
        self.files += int(starts.size)
        fresh = out_day[starts] > self.skip_through
        if not fresh.any():
            return
        starts, stops = starts[fresh], stops[fresh]
        rows = rows.slice(int(starts[0]))
        idx_base = int(starts[0])
        starts, stops = starts - idx_base, stops - idx_base
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.fmt == "csv":
            self._write_csv_days(rows, out_day[starts + idx_base], starts, stops)
        else:
            for d, lo, hi in zip(out_day[starts + idx_base], starts, stops, strict=True):
                sink = pa.BufferOutputStream()
                pq.write_table(rows.slice(lo, hi - lo), sink, compression="zstd")
                _write_bytes(self._path(int(d)), memoryview(sink.getvalue()))

    def _write_csv_days(self, rows: pa.Table, day: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> None:
        """One CSV encoding for many days, cut into per-day files at line ends (no value holds a newline)."""
        sink = pa.BufferOutputStream()
        pacsv.write_csv(rows, sink, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
        data = sink.getvalue()
        ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 10) + 1
        if ends.size != rows.num_rows:
            raise ValueError(f"{self.table.system}.{self.table.name}: a value contains a line break")
        offsets = np.concatenate([[0], ends])
        view = memoryview(data)
        for d, lo, hi in zip(day, starts, stops, strict=True):
            _write_bytes(self._path(int(d)), self.header, view[offsets[lo] : offsets[hi]])

    def _path(self, day: int) -> str:
        return os.path.join(self.dir, f"{(self.start + timedelta(days=day)).isoformat()}.{self.fmt}")

    def close(self) -> None:
        self.flush(None)


def _write_bytes(path: str, *parts: bytes | memoryview) -> None:
    """Write a whole file with the fewest system calls (file creation dominates on slow disks)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        todo = sum(len(p) for p in parts)
        done = os.writev(fd, parts)
        if done < todo:  # rare short write: finish the rest plainly
            rest = memoryview(b"".join(bytes(p) for p in parts))[done:]
            while rest:
                rest = rest[os.write(fd, rest) :]
    finally:
        os.close(fd)


def out_of_order(values: np.ndarray) -> int:
    """Rows whose created_date is earlier than some row above them in the file."""
    if values.size < 2:
        return 0
    running = np.maximum.accumulate(values)
    return int((values[1:] < running[:-1]).sum())
