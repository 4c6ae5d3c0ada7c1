"""Records counted independently of the CSV parser: a stray quote, bad bytes, blank lines or a wrong
field count never make records disappear (issue 14, items 1 and 5)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from test_loader_support import sample_rows, write_extract

from revenue_warehouse.contract import get_table
from revenue_warehouse.loader import FAILED, load_extracts, pending_dates, version_conflicts

DAY = date(2023, 1, 1)
COLUMNS = ["id", "_fivetran_synced", "name", "type", "amount", "close_date", "created_date"]


def opportunity_lines(n: int, *, quoted: bool) -> list[str]:
    rows = sample_rows("salesforce", "opportunity", n)
    name = '"Deal, {}"' if quoted else "Deal {}"
    return [
        ",".join(
            [
                f"opp-{i + 1}",
                r["_fivetran_synced"],
                name.format(i + 1),
                "New Business",
                r["amount"],
                r["close_date"],
                r["created_date"],
            ]
        )  # fmt: skip
        for i, r in enumerate(rows)
    ]


def fates(db: Path) -> tuple[dict, dict[str, tuple[int, str]], tuple]:
    """(raw id -> row number, quarantined row number -> (raw line, reason), manifest counts)."""
    with duckdb.connect(str(db), read_only=True) as con:
        loaded = dict(con.execute("SELECT id, _source_row_number FROM raw_salesforce.opportunity").fetchall())
        quarantined = {
            r[0]: (r[1], r[2])
            for r in con.execute("SELECT row_number, raw_line, reason FROM audit.quarantine").fetchall()
        }
        manifest = con.execute(
            "SELECT rows_in_file, rows_loaded, rows_quarantined, status FROM audit.load_manifest"
        ).fetchone()
    return loaded, quarantined, manifest


@pytest.mark.parametrize("quoted", [False, True], ids=["plain-fields", "quoted-fields"])
def test_unterminated_quote_in_record_7_of_25_loses_no_record(tmp_path: Path, quoted: bool) -> None:
    lines = opportunity_lines(25, quoted=quoted)
    lines[6] = (
        lines[6].replace("opp-7,", 'opp-7,"', 1) if not quoted else lines[6].replace('"Deal, 7"', '"Deal, 7')
    )
    assert lines[6].count('"') % 2 == 1
    extracts = tmp_path / "extracts"
    write_extract(
        extracts, "salesforce", "opportunity", DAY, ",".join(COLUMNS) + "\n" + "\n".join(lines) + "\n"
    )
    summary = load_extracts(tmp_path / "b.duckdb", extracts)
    assert not summary.failures
    loaded, quarantined, manifest = fates(tmp_path / "b.duckdb")
    # by construction: record k is opp-k on physical line k + 1; only record 7 is broken
    assert manifest[:3] == (25, 24, 1)
    assert loaded == {f"opp-{k}": k for k in range(1, 26) if k != 7}
    assert list(quarantined) == [7]
    raw_line, reason = quarantined[7]
    assert raw_line.startswith(lines[6]) and "quote" in reason.lower()


def test_invalid_utf8_and_latin1_rows_are_quarantined_and_the_file_still_loads(tmp_path: Path) -> None:
    lines = opportunity_lines(10, quoted=False)
    body = [line.encode() for line in lines]
    body[2] = body[2].replace(b"Deal 3", "Déal 3".encode("latin-1"))  # Latin-1 é
    body[5] = body[5].replace(b"Deal 6", b"Deal \xff\xfe6")
    extracts = tmp_path / "extracts"
    path = write_extract(extracts, "salesforce", "opportunity", DAY, "")
    path.write_bytes(",".join(COLUMNS).encode() + b"\n" + b"\n".join(body) + b"\n")
    # a second table in the same load must be loaded too
    write_extract(extracts, "salesforce", "account", DAY, sample_rows("salesforce", "account", 3))
    summary = load_extracts(tmp_path / "b.duckdb", extracts)
    assert not summary.failures
    assert {(f.table, f.rows_in_file, f.rows_loaded, f.rows_quarantined) for f in summary.files} == {
        ("opportunity", 10, 8, 2),
        ("account", 3, 3, 0),
    }
    loaded, quarantined, _ = fates(tmp_path / "b.duckdb")
    assert set(quarantined) == {3, 6} and len(loaded) == 8


def test_latin1_header_fails_that_file_with_a_named_error(tmp_path: Path) -> None:
    extracts = tmp_path / "extracts"
    path = write_extract(extracts, "salesforce", "opportunity", DAY, "")
    path.write_bytes("id,_fivetran_synced,nam\xe9\n1,2023-01-01 00:00:00,x\n".encode("latin-1"))
    write_extract(extracts, "salesforce", "account", DAY, sample_rows("salesforce", "account", 3))
    summary = load_extracts(tmp_path / "b.duckdb", extracts)
    [failed] = summary.failures
    assert failed.table == "opportunity" and failed.status == FAILED
    assert "opportunity/2023-01-01.csv" in failed.error and "UTF-8" in failed.error
    with duckdb.connect(str(tmp_path / "b.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw_salesforce.account").fetchone()[0] == 3
        statuses = con.execute("SELECT table_name, status FROM audit.load_manifest ORDER BY 1").fetchall()
    assert statuses == [("account", "loaded"), ("opportunity", "failed")]


def test_dangling_symlink_is_a_failed_file(tmp_path: Path) -> None:
    extracts = tmp_path / "extracts"
    write_extract(extracts, "salesforce", "account", DAY, sample_rows("salesforce", "account", 3))
    link = extracts / "salesforce" / "opportunity" / f"{DAY.isoformat()}.csv"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "gone.csv")
    summary = load_extracts(tmp_path / "b.duckdb", extracts)
    [failed] = summary.failures
    assert failed.file == "salesforce/opportunity/2023-01-01.csv"
    assert "symbolic link" in failed.error and "gone.csv" in failed.error
    assert get_table("salesforce", "account")  # the other file loaded
    assert [f.rows_loaded for f in summary.files if not f.failed] == [3]


def test_a_dangling_symlink_is_a_pending_file_not_an_error_hiding_the_others(tmp_path: Path) -> None:
    extracts = tmp_path / "extracts"
    write_extract(extracts, "salesforce", "account", DAY, sample_rows("salesforce", "account", 3))
    link = extracts / "salesforce" / "opportunity" / f"{DAY.isoformat()}.csv"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "gone.csv")
    db = tmp_path / "b.duckdb"
    account, opportunity = "salesforce/account/2023-01-01.csv", "salesforce/opportunity/2023-01-01.csv"
    assert pending_dates(extracts, db) == {DAY: [account, opportunity]}
    load_extracts(db, extracts)  # the account file loads, the link fails
    assert pending_dates(extracts, db) == {DAY: [opportunity]}


def test_a_table_folder_linked_to_another_folder_is_loaded_and_other_folder_links_reported(
    tmp_path: Path,
) -> None:
    delivered = tmp_path / "delivered"
    write_extract(delivered, "salesforce", "account", DAY, sample_rows("salesforce", "account", 3))
    extracts = tmp_path / "extracts"
    (extracts / "salesforce").mkdir(parents=True)
    (extracts / "salesforce" / "account").symlink_to(delivered / "salesforce" / "account")
    (delivered / "salesforce" / "account" / "old").symlink_to(tmp_path)  # a link to a folder, deeper
    summary = load_extracts(tmp_path / "b.duckdb", extracts)
    assert [(f.file, f.rows_loaded) for f in summary.files] == [("salesforce/account/2023-01-01.csv", 3)]
    assert list(summary.unknown_paths) == ["salesforce/account/old"]
    with duckdb.connect(str(tmp_path / "b.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw_salesforce.account").fetchone()[0] == 3


def test_two_versions_with_the_same_sync_time_are_counted_as_a_conflict(tmp_path: Path) -> None:
    extracts = tmp_path / "extracts"
    rows = sample_rows("salesforce", "account", 4)
    same_time = dict(rows[1], name="Other name")  # account id-1 again, same _fivetran_synced, new value
    duplicate = dict(rows[2])  # an exact duplicate is not a conflict
    later = dict(
        rows[3], name="Renamed", _fivetran_synced="2024-02-01 00:00:00"
    )  # a newer version is not either
    write_extract(extracts, "salesforce", "account", DAY, [*rows, same_time, duplicate, later])
    db = tmp_path / "b.duckdb"
    load_extracts(db, extracts)
    with duckdb.connect(str(db), read_only=True) as con:
        count, sample = version_conflicts(con, get_table("salesforce", "account"))
    assert count == 1 and len(sample) == 1 and rows[1]["id"] in sample[0]


SHAPES = {
    "plain": b"id,name\n1,a\n2,b\n",
    "no-final-line-end": b"id,name\n1,a\n2,b",
    "crlf": b"id,name\r\n1,a\r\n2,b\r\n",
    "quoted-fields": b'id,name\n1,"a, b"\n2,"c"\n',
    "line-break-in-quotes": b'id,name\n1,"a\nb"\n2,c\n',
    "unterminated-quote": b'id,name\n1,"a\n2,b\n3,c\n',
    "text-after-closing-quote": b'id,name\n1,"a"x\n2,b\n',
    "blank-lines": b"id,name\n\n1,a\n\n\n2,b\n",
    "blank-crlf-line": b"id,name\r\n\r\n1,a\r\n",
    "leading-blank-line": b"\nid,name\n1,a\n",
    "lone-cr-at-end": b"id,name\n1,a\n\r",
    "header-only": b"id,name\n",
    "header-no-line-end": b"id,name",
    "empty": b"",
    "bom": b"\xef\xbb\xbfid,name\n1,a\n",
    "quoted-header-with-line-break": b'"id\nx",name\n1,a\n',
    "header-odd-quote": b'id,"name\n1,a\n',
    "invalid-utf8": b"id,name\n1,\xe9t\xe9\n2,b\n",
}


@pytest.mark.parametrize("block", [3, 7, 1 << 22], ids=["block-3", "block-7", "block-4MiB"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_one_pass_file_facts_equal_the_separate_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str, block: int
) -> None:
    """``facts.file_facts`` (one read: checksum, line count, records, header) gives what
    ``discovery.digest``, ``records.count_records`` and ``records.header_bytes`` give, at any block
    boundary (``block``: the read size)."""
    from revenue_warehouse.loader import facts
    from revenue_warehouse.loader.discovery import digest
    from revenue_warehouse.loader.records import count_records, header_bytes

    path = tmp_path / "2023-01-01.csv"
    path.write_bytes(SHAPES[shape])
    monkeypatch.setattr(facts, "BLOCK", block)
    checksum, line_rows, irregular = digest(path)
    got = facts.file_facts(path)
    assert (got.checksum, got.line_rows, got.irregular) == (checksum, line_rows, irregular)
    assert got.records == (count_records(path) if irregular else line_rows)
    assert got.header == header_bytes(path)
