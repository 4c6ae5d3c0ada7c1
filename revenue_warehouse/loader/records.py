"""Records of a CSV file counted independently of DuckDB's parser, and a record-by-record reader for
files where the parser and that count disagree.

A record is a non-empty physical line, or several lines joined by line breaks inside a quoted field
whose quote closes. A quote that never closes (an unterminated quote) explains no line break: its line is
one broken record and the lines after it are records as if it were not there. So one stray quote can never make the rest of a
file disappear: the parser's count is checked against this one, and a file where they differ is read
record by record (``read_records``): each record parsed alone, good ones loaded, the others
quarantined with their raw text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

QUOTE = ord('"')


def _physical_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, line without its line end) for every physical line."""
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            yield number, line.rstrip(b"\n").rstrip(b"\r")


def _groups(path: Path) -> Iterator[tuple[int, list[bytes], bool]]:
    """(first line number, lines, closed) per record candidate, the header included. An opened quote
    that never closes marks only its own line as broken; the lines after it are grouped afresh."""
    lines: Iterator[tuple[int, bytes]] = _physical_lines(path)
    while True:
        pending: list[tuple[int, bytes]] = []
        parity = 0
        for number, line in lines:
            quotes = line.count(QUOTE) & 1
            if pending:
                pending.append((number, line))
                parity ^= quotes
                if not parity:
                    yield pending[0][0], [text for _, text in pending], True
                    pending = []
                continue
            if not line:
                continue  # a blank line is not a record
            if quotes:
                parity, pending = 1, [(number, line)]
            else:
                yield number, [line], True
        if not pending:
            return
        # unterminated quote: its first line is the broken record, the rest is read again
        yield pending[0][0], [pending[0][1]], False
        lines = iter(pending[1:])


def header_bytes(path: Path) -> bytes:
    """The first record's raw bytes (the header), line breaks inside quotes kept."""
    first = next(_groups(path), None)
    return b"\n".join(first[1]) if first else b""


def count_records(path: Path) -> int:
    """Data records in a CSV file (header excluded), by the rule in the module docstring."""
    return max(sum(1 for _ in _groups(path)) - 1, 0)


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
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            shown = raw.decode("utf-8", errors="replace")
            out.rejects.append((number, shown, f"line {line_no}: invalid UTF-8 (byte {exc.start + 1})"))
            continue
        reason = None if closed else f"line {line_no}: unterminated quote"
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
