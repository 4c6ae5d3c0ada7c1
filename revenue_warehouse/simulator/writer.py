"""Writes daily extract files (``<out>/<system>/<table>/<YYYY-MM-DD>.<csv|parquet>``)
deterministically, injecting writer-level dirt: exact duplicate rows (same file or the next
day's file) and opportunity history written out of order."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..contract import Table

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


def arrow_type(duckdb_type: str) -> pa.DataType:
    return _TYPES[duckdb_type]


class TableWriter:
    """Buffers rows by file day and writes each day once, in day order."""

    def __init__(self, out: Path, table: Table, fmt: str, start: date, end_day: int,
                 rng: np.random.Generator, dup_rate: float, shuffle_rate: float) -> None:  # fmt: skip
        self.table, self.fmt, self.start, self.end_day, self.rng = table, fmt, start, end_day, rng
        self.dir = out / table.system / table.name
        self.dup_rate = dup_rate
        self.shuffle_rate = shuffle_rate if table.name in SHUFFLED_TABLES else 0.0
        self.pending: list[pa.Table] = []
        self.carry: dict[int, pa.Table] = {}
        self.rows = self.files = self.duplicates = self.shuffled_files = self.out_of_order_rows = 0
        self.schema = pa.schema([(c.name, arrow_type(c.type)) for c in table.columns])
        self.header = (",".join(self.table.column_names) + "\n").encode()

    def _conform(self, chunk: pa.Table) -> pa.Table:
        cols = []
        for f in self.schema:
            if f.name in chunk.column_names:
                cols.append(chunk.column(f.name).cast(f.type))
            else:
                cols.append(pa.nulls(chunk.num_rows, f.type))
        cols += [chunk.column("_day"), chunk.column("_order")]
        return pa.Table.from_arrays(cols, names=[*self.schema.names, "_day", "_order"])

    def add(self, chunk: pa.Table, flush_before: int | None = None) -> None:
        """Add rows; then write every day < ``flush_before`` (all days if None)."""
        if chunk.num_rows:
            self.pending.append(self._conform(chunk))
        self.flush(flush_before)

    def flush(self, before: int | None = None) -> None:
        if not self.pending and not self.carry:
            return
        table = pa.concat_tables(self.pending) if self.pending else None
        self.pending = []
        if table is not None and table.num_rows:
            table = table.take(pc.sort_indices(table, [("_day", "ascending"), ("_order", "ascending")]))
            days = table.column("_day").to_numpy()
            cut = days.size if before is None else int(np.searchsorted(days, before))
            if cut < days.size:
                self.pending = [table.slice(cut)]
            table, days = table.slice(0, cut), days[:cut]
        else:
            days = np.zeros(0, np.int64)
        limit = np.inf if before is None else before
        todo = sorted(set(np.unique(days).tolist()) | {d for d in self.carry if d < limit})
        bounds = np.searchsorted(days, todo), np.searchsorted(days, todo, side="right")
        for d, lo, hi in zip(todo, *bounds, strict=True):
            group = table.slice(lo, hi - lo) if table is not None and hi > lo else None
            self._write_day(int(d), group)

    def _write_day(self, day: int, group: pa.Table | None) -> None:
        parts = [t for t in (group, self.carry.pop(day, None)) if t is not None and t.num_rows]
        if not parts:
            return
        rows = pa.concat_tables(parts).drop_columns(["_day", "_order"])
        rows = self._duplicate(day, rows)
        if self.shuffle_rate and rows.num_rows > 1 and self.rng.random() < self.shuffle_rate:
            rows = rows.take(pa.array(self.rng.permutation(rows.num_rows)))
            self.shuffled_files += 1
        if self.shuffle_rate:
            self.out_of_order_rows += out_of_order(rows.column("created_date"))
        if not self.files:
            self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / f"{(self.start + timedelta(days=day)).isoformat()}.{self.fmt}"
        sink = pa.BufferOutputStream()
        if self.fmt == "csv":
            sink.write(self.header)
            pacsv.write_csv(rows, sink, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
        else:
            pq.write_table(rows, sink, compression="zstd")
        _write_bytes(path, sink.getvalue().to_pybytes())
        self.rows += rows.num_rows
        self.files += 1

    def _duplicate(self, day: int, rows: pa.Table) -> pa.Table:
        if not self.dup_rate:
            return rows
        k = int(self.rng.binomial(rows.num_rows, self.dup_rate))
        if not k:
            return rows
        pick = np.sort(self.rng.choice(rows.num_rows, k, replace=False))
        to_next = (self.rng.random(k) < 0.5) & (day < self.end_day)
        self.duplicates += k
        same, nxt = rows.take(pa.array(pick[~to_next])), rows.take(pa.array(pick[to_next]))
        if nxt.num_rows:
            helper = {
                "_day": pa.array(np.full(nxt.num_rows, day + 1), pa.int64()),
                "_order": pa.array(np.zeros(nxt.num_rows, np.int64)),
            }
            nxt = pa.Table.from_arrays([*nxt.columns, *helper.values()], names=[*nxt.column_names, *helper])
            prev = self.carry.get(day + 1)
            self.carry[day + 1] = pa.concat_tables([prev, nxt]) if prev is not None else nxt
        return pa.concat_tables([rows, same])

    def close(self) -> None:
        self.flush(None)


def _write_bytes(path: Path, data: bytes) -> None:
    """Write a whole file with the fewest system calls (file creation dominates on slow disks)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def out_of_order(created: pa.ChunkedArray) -> int:
    """Rows whose created_date is earlier than some row above them in the file."""
    values = created.cast(pa.int64()).to_numpy(zero_copy_only=False)
    if values.size < 2:
        return 0
    running = np.maximum.accumulate(values)
    return int((values[1:] < running[:-1]).sum())


def write_table(writer: TableWriter, chunks: Iterable[tuple[pa.Table, int | None]]) -> None:
    for chunk, flush_before in chunks:
        writer.add(chunk, flush_before)
    writer.close()
