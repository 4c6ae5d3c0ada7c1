"""Records of a CSV file counted independently of DuckDB's parser, and a record-by-record reader for
files where the parser and that count disagree.

A record is a non-empty physical line, or several lines joined by line breaks inside a quoted field
that closes into a well-formed record. A quote that does not (an unterminated quote, text after a
closing quote) explains no line break: its line is one broken record and the lines after it are
read as if it were not there. So one stray quote can never make the rest of a file disappear: the
parser's count is checked against this one, and a file where they differ is read record by record
(``read_records``): each record parsed alone, good ones loaded, the others quarantined with their
raw text.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


def _physical_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, line without its line end) for every physical line."""
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            line = line[:-1] if line.endswith(b"\n") else line
            yield number, line[:-1] if line.endswith(b"\r") else line


QUOTE = ord('"')
NEWLINE, CR = ord("\n"), ord("\r")


def _groups(path: Path) -> Iterator[tuple[int, list[bytes], bool]]:
    """(first line number, lines, closed) per record, the header first.

    A line with an even number of quotes is one record (well formed or not). From a line with an odd
    number, Python's CSV reader (strict) reads one record, so a line break counts as explained only
    inside a quoted field that closes into a well-formed record. Where the reader fails (a quote that
    never closes, text after a closing quote...), that first line is a broken record (``closed``
    False) and the lines after it are read again."""
    source = _physical_lines(path)
    pushback: deque[tuple[int, bytes]] = deque()
    taken: list[tuple[int, bytes]] = []

    def feed() -> Iterator[str]:
        while True:
            item = pushback.popleft() if pushback else next(source, None)
            if item is None:
                return
            taken.append(item)
            yield item[1].decode("utf-8", errors="replace")

    while True:
        item = pushback.popleft() if pushback else next(source, None)
        if item is None:
            return
        number, line = item
        if not line:
            continue  # a blank line is not a record
        if not line.count(QUOTE) & 1:
            yield number, [line], True
            continue
        pushback.appendleft(item)
        try:
            next(csv.reader(feed(), strict=True))
            yield taken[0][0], [text for _, text in taken], True
        except (csv.Error, StopIteration):
            pushback.extendleft(reversed(taken[1:]))
            yield number, [line], False
        taken.clear()


def header_bytes(path: Path) -> bytes:
    """The first record's raw bytes (the header), line breaks inside quotes kept."""
    first = next(_groups(path), None)
    return b"\n".join(first[1]) if first else b""


def _plain_count(path: Path) -> int | None:
    """Non-blank lines (header included) when no line has an odd number of quotes, else ``None``:
    then every line is one record and the per-line walk of ``_groups`` is not needed. Vectorised:
    the quotes of a block before each of its line ends, plus the parity carried from earlier blocks."""
    lines, parity, tail = 0, 0, b"\n"  # as if the file started right after a line end
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            data = np.frombuffer(tail + block, dtype=np.uint8)
            ends = np.flatnonzero(data == NEWLINE)
            ends = ends[ends >= len(tail)]
            quoted = np.flatnonzero(data == QUOTE)
            quoted = quoted[quoted >= len(tail)]
            if ((np.searchsorted(quoted, ends) + parity) & 1).any():
                return None
            before = data[ends - 1]
            blank = (before == NEWLINE) | ((before == CR) & (data[ends - 2] == NEWLINE))
            lines += len(ends) - int(np.count_nonzero(blank))
            parity = (parity + len(quoted)) & 1
            tail = (tail + block)[-2:]
    if parity:
        return None
    unterminated = tail[-1:] != b"\n" and tail != b"\n\r"  # a last line without a line end
    return lines + int(unterminated)


def count_records(path: Path) -> int:
    """Data records in a CSV file (header excluded), by the rule in the module docstring."""
    plain = _plain_count(path)
    total = plain if plain is not None else sum(1 for _ in _groups(path))
    return max(total - 1, 0)


@dataclass
class RecordRead:
    """What ``read_records`` made of a file: good rows (text per header column, ``None`` for empty)
    with their record numbers, and rejected records with their raw text and reason."""

    rows: list[list[str | None]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    rejects: list[tuple[int, str, str]] = field(default_factory=list)  # (record, raw text, reason)

    @property
    def records(self) -> int:
        return len(self.rows) + len(self.rejects)


def read_records(path: Path, width: int) -> RecordRead:
    """Parse every record on its own against a header of ``width`` columns."""
    out = RecordRead()
    groups = _groups(path)
    next(groups, None)  # the header
    for number, (line_no, lines, closed) in enumerate(groups, start=1):
        raw = b"\n".join(lines)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            shown = raw.decode("utf-8", errors="replace")
            out.rejects.append((number, shown, f"line {line_no}: invalid UTF-8 (byte {exc.start + 1})"))
            continue
        reason = None if closed else f"line {line_no}: unterminated quote (it closes no well-formed record)"
        fields: list[str] | None = None
        if reason is None:
            try:
                parsed = list(csv.reader([text], strict=True))
            except csv.Error as exc:
                parsed, reason = [], f"line {line_no}: {exc}"
            if reason is None and len(parsed) == 1 and len(parsed[0]) == width:
                fields = parsed[0]
            elif reason is None:
                found = len(parsed[0]) if len(parsed) == 1 else 0
                reason = f"line {line_no}: {found} fields, the header has {width}"
        if fields is None:
            out.rejects.append((number, text, reason or "unparsable record"))
            continue
        out.rows.append([f if f != "" else None for f in fields])
        out.row_numbers.append(number)
    return out
