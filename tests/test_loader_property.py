"""Property-style loader test: generated files with random corruptions (truncated lines, stray quotes,
wrong delimiters, bad bytes, extra and missing fields). For every file, the records written (known
by construction, not by the loader) = rows loaded + rows quarantined, and every record number is
accounted for exactly once. Some records carry well-formed quoted commas, quotes and line breaks."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

import duckdb
from test_loader_support import extract_path, sample_rows

from revenue_warehouse.loader import load_extracts

SEED, FILES, RECORDS = 20241130, 24, 40


def _record_lines(rows: list[dict[str, str]], columns: list[str]) -> list[bytes]:
    """Each record's bytes (one physical line, or several for a quoted line break)."""
    out = []
    for row in rows:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow([row[c] for c in columns])
        out.append(buf.getvalue().encode())
    return out


def _corrupt(line: bytes, rng: random.Random) -> tuple[bytes, str]:
    kind = rng.choice(["truncate", "stray_quote", "delimiter", "bad_bytes", "extra_field", "missing_field"])
    if kind == "truncate":
        return line[: rng.randrange(1, max(len(line) - 1, 2))], kind
    if kind == "stray_quote":
        at = rng.randrange(len(line))
        return line[:at] + b'"' + line[at:], kind
    if kind == "delimiter":
        return line.replace(b",", rng.choice([b";", b"\t", b"|"])), kind
    if kind == "bad_bytes":
        at = rng.randrange(len(line))
        return line[:at] + rng.choice([b"\xff", b"\xe9", b"\xc3\x28", b"\x80\x80"]) + line[at:], kind
    if kind == "extra_field":
        return line + b",surplus", kind
    return line.rsplit(b",", 1)[0], kind


def test_random_corruptions_lose_no_record(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    extracts = tmp_path / "extracts"
    written: dict[str, int] = {}
    kinds: set[str] = set()
    for k in range(FILES):
        day = date(2023, 1, 1) + timedelta(days=k)
        rows = sample_rows("salesforce", "opportunity", RECORDS, start=1000 * k)
        for i, row in enumerate(rows):
            row["id"] = f"opp-{k}-{i + 1}"
            if i % 7 == 3:  # well-formed quoted commas, quotes and line breaks
                row["name"] = f'Deal {i}, "big"\nsecond line'
        columns = list(rows[0])
        records = _record_lines(rows, columns)
        # records with a quoted line break stay well formed: once such a record is broken (its quote
        # closed early, or opened where it was not), no reading of the bytes can tell where it ended
        single_line = [i for i, r in enumerate(records) if b"\n" not in r]
        for i in rng.sample(single_line, rng.randint(0, 4)):
            records[i], kind = _corrupt(records[i], rng)
            kinds.add(kind)
        path = extract_path(extracts, "salesforce", "opportunity", day)
        path.write_bytes(",".join(columns).encode() + b"\n" + b"\n".join(records) + b"\n")
        written[f"salesforce/opportunity/{path.name}"] = RECORDS
    assert len(kinds) == 6  # every kind of corruption was exercised

    db = tmp_path / "b.duckdb"
    summary = load_extracts(db, extracts)
    assert not summary.failures
    with duckdb.connect(str(db), read_only=True) as con:
        numbers = {
            f: sorted(n for (n,) in con.execute(sql, [f]).fetchall())
            for f in written
            for sql in [
                "SELECT _source_row_number FROM raw_salesforce.opportunity WHERE _source_file = ? "
                "UNION ALL SELECT row_number FROM audit.quarantine WHERE file = ?".replace("= ?", "= $1")
            ]
        }
        manifest = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT file, rows_in_file, rows_loaded, rows_quarantined FROM audit.load_manifest"
            ).fetchall()
        }
    quarantined = sum(m[2] for m in manifest.values())
    assert quarantined > 0
    for f, n in written.items():
        in_file, loaded, quarantined_f = manifest[f]
        assert (in_file, loaded + quarantined_f) == (n, n), f
        assert numbers[f] == list(range(1, n + 1)), f
