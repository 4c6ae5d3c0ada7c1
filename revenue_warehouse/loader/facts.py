"""What the loader knows about a file before loading it, read in ONE pass: its sha256, its data rows
counted by line ends (``discovery.digest``), its CSV records counted independently of the parser
(``records.count_records``) and its header record's bytes (``records.header_bytes``). The same values
as those functions (tests/test_loader_records.py compares them on every shape of file), each of
which reads the file again: three opens and reads per file, about 5 CPU s for scale 10's 22,700 files.

``FactsPool`` computes them in worker threads ahead of the load (sha256 and most of numpy's work
release the GIL), so the files of the next tables are read while DuckDB loads the current one."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from revenue_warehouse.loader.discovery import refuse_dangling_link
from revenue_warehouse.loader.records import CR, NEWLINE, QUOTE, count_records, header_bytes

BLOCK = 1 << 22


@dataclass(frozen=True)
class FileFacts:
    checksum: str
    line_rows: int  # as ``discovery.digest``
    irregular: bool  # as ``discovery.digest``
    records: int  # as ``records.count_records`` when ``irregular``, else ``line_rows`` (CSV only)
    header: bytes | None  # as ``records.header_bytes`` (None: not read here, e.g. Parquet)


def file_facts(path: Path) -> FileFacts:
    """``discovery.digest``, ``records.count_records`` (when the digest says the line count may differ)
    and ``records.header_bytes`` of ``path`` from one read (the per-line walk of ``records._groups`` only
    for a file where a line holds an odd number of quotes, as ``count_records``)."""
    refuse_dangling_link(path)
    checksum = hashlib.sha256()
    newlines, last, irregular = 0, b"", False
    # ``records._plain_count``'s state: non-blank lines, quote parity, and whether a line end has an
    # odd number of quotes before it (then the file needs the per-line walk)
    lines, parity, tail, odd = 0, 0, b"\n", False
    dtail = b""
    first = b""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            checksum.update(block)
            if not first:
                first = block
            data = np.frombuffer(tail + block, dtype=np.uint8)
            ends = np.flatnonzero(data == NEWLINE)
            ends = ends[ends >= len(tail)]
            newlines += len(ends)
            last = block[-1:]
            quoted = np.flatnonzero(data == QUOTE)
            quoted = quoted[quoted >= len(tail)]
            before = data[ends - 1]
            blank = (before == NEWLINE) | ((before == CR) & (data[ends - 2] == NEWLINE))
            n_blank = int(np.count_nonzero(blank))
            if not irregular:  # digest's test, on its own window (the file's start, not a line end)
                window = dtail + block
                irregular = b'"' in block or b"\n\n" in window or b"\n\r\n" in window
                dtail = block[-2:]
            if not odd and ((np.searchsorted(quoted, ends) + parity) & 1).any():
                odd = True
            lines += len(ends) - n_blank
            parity = (parity + len(quoted)) & 1
            tail = (tail + block)[-2:]
    total_lines = newlines + (1 if last not in (b"", b"\n") else 0)
    line_rows = max(total_lines - 1, 0)
    if not irregular or path.suffix == ".parquet":  # records: CSV only
        records = line_rows
    elif odd or parity:
        records = count_records(path)  # the per-line walk (records._groups)
    else:
        unterminated = tail[-1:] != b"\n" and tail != b"\n\r"
        records = max(lines + int(unterminated) - 1, 0)
    return FileFacts(checksum.hexdigest(), line_rows, irregular, records, _header(path, first))


def _header(path: Path, first: bytes) -> bytes | None:
    """The header record's bytes: the first line when it is not blank, ends in the first block and
    holds an even number of quotes (one physical line is then one record); else ``header_bytes``."""
    if path.suffix == ".parquet":
        return None
    end = first.find(b"\n")
    if end < 0 and len(first) >= BLOCK:
        return header_bytes(path)
    line = first if end < 0 else first[:end]
    if line.endswith(b"\r"):
        line = line[:-1]
    if not line or line.count(b'"') & 1:
        return header_bytes(path)
    return line


class FactsPool:
    """``file_facts`` of many files in worker threads, in the order submitted."""

    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rw-facts")
        self._futures: dict[Path, Future[FileFacts]] = {}

    def submit(self, paths: Iterable[Path]) -> None:
        for path in paths:
            if path not in self._futures:
                self._futures[path] = self._pool.submit(file_facts, path)

    def get(self, path: Path) -> FileFacts:
        """The facts of ``path`` (computed now if never submitted); re-raises what reading it raised."""
        future = self._futures.pop(path, None)
        return future.result() if future is not None else file_facts(path)

    def close(self) -> None:
        for future in self._futures.values():
            future.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> FactsPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
