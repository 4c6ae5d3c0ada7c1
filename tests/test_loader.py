"""The loader on hand-written extracts: counts, provenance, idempotence, re-delivery, bad input."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from test_loader_support import csv_text, rows_in_csv, sample_rows, write_extract

from revenue_warehouse.contract import TABLES, get_table
from revenue_warehouse.loader import (
    FAILED,
    LOADED,
    REPLACED,
    SKIPPED_DUPLICATE,
    LoadError,
    extract_dates,
    load_extracts,
    load_file,
)

D1, D2, D3 = date(2023, 1, 1), date(2023, 1, 2), date(2023, 1, 3)
ROWS = {("hubspot", "contact"): 5, ("salesforce", "opportunity"): 4, ("stripe", "invoice"): 3}


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def table_checksum(db: Path, qualified: str) -> tuple:
    """Row count and an order-independent hash of every business and provenance column but load time/run."""
    return query(
        db,
        f"SELECT count(*), sum(hash(COLUMNS(* EXCLUDE (_loaded_at, _run_id)))) FROM {qualified}",
    )[0]


@pytest.fixture
def clean_extracts(tmp_path: Path) -> Path:
    root = tmp_path / "extracts"
    for (system, table), n in ROWS.items():
        for k, day in enumerate((D1, D2, D3)):
            write_extract(root, system, table, day, sample_rows(system, table, n + k, start=100 * k))
    return root


def test_row_counts_equal_file_rows_with_provenance(clean_extracts: Path, tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    summary = load_extracts(db, clean_extracts, run_id="r1")
    assert not summary.failures
    assert {f.status for f in summary.files} == {LOADED}
    for (system, table), _ in ROWS.items():
        files = sorted((clean_extracts / system / table).glob("*.csv"))
        expected = sum(rows_in_csv(f) for f in files)
        assert query(db, f"SELECT count(*) FROM raw_{system}.{table}")[0][0] == expected
        # every data row of every file is there once, numbered 1..n in file order
        per_file = query(
            db,
            f"""SELECT _source_file, _extract_date, min(_source_row_number), max(_source_row_number),
                       count(DISTINCT _source_row_number), any_value(_run_id)
                FROM raw_{system}.{table} GROUP BY ALL ORDER BY 1""",
        )
        assert [(p, d, lo, hi, n, r) for p, d, lo, hi, n, r in per_file] == [
            (
                f"{system}/{table}/{f.stem}.csv",
                date.fromisoformat(f.stem),
                1,
                rows_in_csv(f),
                rows_in_csv(f),
                "r1",
            )
            for f in files
        ]
    # values typed per the contract
    amount, created = query(
        db, "SELECT amount, created_date FROM raw_salesforce.opportunity WHERE id = 'id-1'"
    )[0]
    assert str(amount) == "1.25" and created.isoformat(" ") == "2023-01-02 10:01:00"
    manifest = query(
        db, "SELECT count(*), sum(rows_in_file), bool_and(status = 'loaded') FROM audit.load_manifest"
    )
    assert manifest == [(9, sum(n + k for n in ROWS.values() for k in range(3)), True)]


def test_second_run_is_identical_and_recognises_same_files(clean_extracts: Path, tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    load_extracts(db, clean_extracts, run_id="r1")
    before = {t: table_checksum(db, f"raw_{t[0]}.{t[1]}") for t in ROWS}
    loaded_at = query(db, "SELECT DISTINCT _loaded_at FROM raw_hubspot.contact")
    summary = load_extracts(db, clean_extracts, run_id="r2")
    assert {f.status for f in summary.files} == {SKIPPED_DUPLICATE}
    assert {t: table_checksum(db, f"raw_{t[0]}.{t[1]}") for t in ROWS} == before
    assert query(db, "SELECT DISTINCT _loaded_at FROM raw_hubspot.contact") == loaded_at
    # a forced reload of one date (load_file) replaces exactly that date: still no duplicates
    with duckdb.connect(str(db)) as con:
        path = clean_extracts / "hubspot" / "contact" / f"{D2}.csv"
        load_file(
            con,
            get_table("hubspot", "contact"),
            path,
            extract_date=D2,
            run_id="r3",
            source_name=f"hubspot/contact/{D2}.csv",
        )
    assert table_checksum(db, "raw_hubspot.contact") == before[("hubspot", "contact")]
    assert query(db, "SELECT count(*) FROM raw_hubspot.contact WHERE _run_id = 'r3'") == [(6,)]


def test_unchanged_files_are_skipped_by_size_and_mtime_without_being_read(
    clean_extracts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from revenue_warehouse.loader import facts

    db = tmp_path / "build.duckdb"
    load_extracts(db, clean_extracts, run_id="r1")
    before = {t: table_checksum(db, f"raw_{t[0]}.{t[1]}") for t in ROWS}
    read: list[str] = []
    real_facts = facts.file_facts

    def counting_facts(path: Path):  # records every file the loader reads to hash
        read.append(path.relative_to(clean_extracts).as_posix())
        return real_facts(path)

    monkeypatch.setattr(facts, "file_facts", counting_facts)
    summary = load_extracts(db, clean_extracts, run_id="r2")
    assert {f.status for f in summary.files} == {SKIPPED_DUPLICATE} and read == []
    # touched (same bytes, new mtime): read, recognised by checksum, the new mtime recorded
    touched = clean_extracts / "hubspot" / "contact" / f"{D2}.csv"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    summary = load_extracts(db, clean_extracts, run_id="r3")
    assert {f.status for f in summary.files} == {SKIPPED_DUPLICATE} and read == [f"hubspot/contact/{D2}.csv"]
    # files skipped unchanged get no manifest row, only a count per table and run; the touched one gets its row
    files = len(summary.files)
    assert query(db, "SELECT run_id, file FROM audit.load_manifest WHERE run_id IN ('r2', 'r3')") == [
        ("r3", f"hubspot/contact/{D2}.csv")
    ]
    assert query(db, "SELECT run_id, sum(files_unchanged) FROM audit.load_runs GROUP BY 1 ORDER BY 1") == [
        ("r2", files),
        ("r3", files - 1),
    ]
    read.clear()
    assert {f.status for f in load_extracts(db, clean_extracts, run_id="r4").files} == {SKIPPED_DUPLICATE}
    assert read == []
    # a re-delivery with other content (another size) is read and replaces its date
    write_extract(clean_extracts, "stripe", "invoice", D2, sample_rows("stripe", "invoice", 2, start=900))
    status = {
        (f.table, f.extract_date): f.status for f in load_extracts(db, clean_extracts, run_id="r5").files
    }
    assert status[("invoice", D2)] == REPLACED and read == [f"stripe/invoice/{D2}.csv"]
    assert {t: table_checksum(db, f"raw_{t[0]}.{t[1]}") for t in ROWS if t[1] != "invoice"} == {
        t: v for t, v in before.items() if t[1] != "invoice"
    }
    # the manifest records each file's size and mtime as loaded
    recorded = query(
        db,
        "SELECT file_size, file_mtime_ns FROM audit.load_manifest WHERE run_id = 'r5' AND file = ?",
        [f"stripe/invoice/{D2}.csv"],
    )
    stat = (clean_extracts / "stripe" / "invoice" / f"{D2}.csv").stat()
    assert recorded == [(stat.st_size, stat.st_mtime_ns)]


def test_changed_redelivery_replaces_that_date_only(clean_extracts: Path, tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    load_extracts(db, clean_extracts, run_id="r1")
    write_extract(clean_extracts, "stripe", "invoice", D2, sample_rows("stripe", "invoice", 2, start=900))
    summary = load_extracts(db, clean_extracts, run_id="r2")
    status = {(f.table, f.extract_date): f.status for f in summary.files}
    assert status[("invoice", D2)] == REPLACED
    assert [s for k, s in status.items() if k != ("invoice", D2)] == [SKIPPED_DUPLICATE] * 8
    rows = query(db, "SELECT _extract_date, count(*), min(id) FROM raw_stripe.invoice GROUP BY 1 ORDER BY 1")
    assert rows == [(D1, 3, "id-0"), (D2, 2, "id-900"), (D3, 5, "id-200")]


def test_corrupted_files_quarantine_or_fail_named_while_the_rest_loads(
    clean_extracts: Path, tmp_path: Path
) -> None:
    good = sample_rows("salesforce", "opportunity", 6, start=500)
    header = list(good[0])
    lines = csv_text(good).splitlines()
    bad_date = dict(good[1], close_date="2023-02-30")  # row 2: impossible date
    bad_amount = dict(good[3], amount="12,5 EUR")  # row 4: non-numeric amount (quoted, has a comma)
    text = csv_text([good[0], bad_date, good[2], bad_amount, good[4]], header)
    truncated = lines[6][: len(lines[6]) // 3]  # row 6: a line cut short
    write_extract(clean_extracts, "salesforce", "opportunity", D2, text + truncated + "\n")
    # missing required column: the file fails, naming file and column
    no_id = [
        {k: v for k, v in r.items() if k != "property_createdate"}
        for r in sample_rows("hubspot", "contact", 3)
    ]
    write_extract(clean_extracts, "hubspot", "contact", D3, no_id)
    # empty file and a file with a byte-order mark
    write_extract(clean_extracts, "stripe", "invoice", D1, "")
    write_extract(clean_extracts, "stripe", "invoice", D3, "id,_fivetran_synced,customer_id,created\r\n")
    write_extract(
        clean_extracts, "stripe", "invoice", D2, sample_rows("stripe", "invoice", 4, start=700), bom=True
    )

    db = tmp_path / "build.duckdb"
    summary = load_extracts(db, clean_extracts, run_id="bad")
    by_key = {(f.table, f.extract_date): f for f in summary.files}

    failed = by_key[("contact", D3)]
    assert failed.status == FAILED
    assert "hubspot/contact/2023-01-03.csv" in failed.error and "'property_createdate'" in failed.error
    assert [f for f in summary.files if f.failed] == [failed]
    with pytest.raises(LoadError, match="property_createdate"):
        summary.raise_for_failures()

    opp = by_key[("opportunity", D2)]
    assert (opp.rows_in_file, opp.rows_loaded, opp.rows_quarantined) == (6, 3, 3)
    quarantine = query(
        db,
        "SELECT row_number, column_name, error_type, raw_line, reason FROM audit.quarantine ORDER BY row_number",
    )
    assert [(r[0], r[1], r[2]) for r in quarantine] == [
        (2, "close_date", "cast"),
        (4, "amount", "cast"),
        (6, quarantine[2][1], "parse"),
    ]
    assert "'2023-02-30' is not a valid DATE" in quarantine[0][4]
    assert '"12,5 EUR"' in quarantine[1][3] and "DECIMAL" in quarantine[1][4]
    assert quarantine[2][3] == truncated
    # one reason per missing column, listed in sorted order whatever order the parser reported them in
    found = len(next(csv.reader([truncated])))
    missing = sorted(
        f"Expected Number of Columns: {len(header)} Found: {n}" for n in range(found, len(header))
    )
    assert found < len(header) - 1 and quarantine[2][4] == "MISSING COLUMNS: " + "; ".join(missing)
    assert query(
        db,
        f"SELECT _source_row_number FROM raw_salesforce.opportunity WHERE _extract_date = '{D2}' ORDER BY 1",
    ) == [(1,), (3,), (5,)]

    assert (by_key[("invoice", D1)].status, by_key[("invoice", D1)].rows_in_file) == (LOADED, 0)
    assert (by_key[("invoice", D3)].status, by_key[("invoice", D3)].rows_in_file) == (LOADED, 0)
    bom = by_key[("invoice", D2)]
    assert (bom.rows_loaded, bom.rows_quarantined) == (4, 0)
    assert query(db, f"SELECT min(id) FROM raw_stripe.invoice WHERE _extract_date = '{D2}'") == [("id-700",)]
    # every other partition loaded
    assert query(db, "SELECT count(*) FROM raw_hubspot.contact") == [(5 + 6,)]
    # accounting identity, per file, in the manifest
    assert query(
        db, "SELECT count(*) FROM audit.load_manifest WHERE rows_in_file <> rows_loaded + rows_quarantined"
    ) == [(0,)]
    for f in summary.files:
        assert f.rows_in_file == f.rows_loaded + f.rows_quarantined


def test_fixing_a_failed_file_loads_it(clean_extracts: Path, tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    rows = sample_rows("hubspot", "contact", 2)
    write_extract(clean_extracts, "hubspot", "contact", D1, csv_text(rows, ["id", "_fivetran_synced"]))
    first = load_extracts(db, clean_extracts, dates=[D1], systems=["hubspot"], run_id="r1")
    assert [f.status for f in first.files] == [FAILED]
    assert query(db, "SELECT count(*) FROM raw_hubspot.contact") == [(0,)]
    write_extract(clean_extracts, "hubspot", "contact", D1, rows)
    second = load_extracts(db, clean_extracts, dates=[D1], systems=["hubspot"], run_id="r2")
    assert [(f.status, f.rows_loaded) for f in second.files] == [(LOADED, 2)]


def test_new_columns_are_kept_and_reported_and_missing_optional_ones_are_null(tmp_path: Path) -> None:
    root = tmp_path / "extracts"
    # one file adds a column (schema evolution), another lacks an optional one (an older form); a file
    # doing both at once is a likely rename and fails (test_renamed_column_fails_naming_both_columns)
    rows = [dict(r, brand_new_field=f"x{i}") for i, r in enumerate(sample_rows("stripe", "plan", 3))]
    write_extract(root, "stripe", "plan", D1, rows)
    older = sample_rows("stripe", "plan", 2, start=10)
    for r in older:
        del r["nickname"]
    write_extract(root, "stripe", "plan", D2, older)
    db = tmp_path / "build.duckdb"
    summary = load_extracts(db, root, run_id="r1")
    assert [f.new_columns for f in summary.files] == [["brand_new_field"], []]
    assert query(
        db, "SELECT _extract_date, brand_new_field, nickname FROM raw_stripe.plan ORDER BY _extract_date, id"
    ) == [
        (D1, "x0", "nickname-0"),
        (D1, "x1", "nickname-1"),
        (D1, "x2", "nickname-2"),
        (D2, None, None),
        (D2, None, None),
    ]
    assert query(db, "SELECT new_columns FROM audit.load_manifest ORDER BY extract_date") == [
        (["brand_new_field"],),
        ([],),
    ]
    # ... and in the run summary, not only in the manifest
    from orchestration.refresh import RefreshSummary, _read_db, format_summary

    run = RefreshSummary("r1", True, str(D1), str(D2))
    _read_db(run, db)
    assert run.new_columns == {"raw_stripe.plan": ["brand_new_field"]}
    assert "  raw_stripe.plan: brand_new_field" in format_summary(run).splitlines()


def test_renamed_column_fails_naming_both_columns(tmp_path: Path) -> None:
    root = tmp_path / "extracts"
    rows = [
        {("stage" if k == "stage_name" else k): v for k, v in r.items()}
        for r in sample_rows("salesforce", "opportunity", 3)
    ]
    write_extract(root, "salesforce", "opportunity", D1, rows)
    write_extract(
        root, "salesforce", "opportunity", D2, sample_rows("salesforce", "opportunity", 2, start=10)
    )
    db = tmp_path / "build.duckdb"
    summary = load_extracts(db, root, run_id="r1")
    [renamed, fine] = sorted(summary.files, key=lambda f: f.extract_date)
    assert (renamed.status, fine.status) == (FAILED, LOADED)
    assert f"salesforce/opportunity/{D1}.csv" in renamed.error
    assert "declared column 'stage_name' missing, undeclared column 'stage' present" in renamed.error
    assert query(db, "SELECT count(*), count(stage_name) FROM raw_salesforce.opportunity") == [(2, 2)]


def test_row_numbers_stay_true_around_multiline_fields_and_rejects(tmp_path: Path) -> None:
    rows = sample_rows("hubspot", "email_event", 5)
    rows[0]["recipient"] = "line one\nline two, with comma"
    text = csv_text(rows).splitlines(keepends=True)
    # header, row1 (2 physical lines), row2, then an extra-columns row as row 3, then rows 3..5 as 4..6
    corrupted = "".join(text[:4]) + "x,y,z,w,v,u,t,s\n" + "".join(text[4:])
    path = write_extract(tmp_path, "hubspot", "email_event", D1, corrupted)
    with duckdb.connect(str(tmp_path / "b.duckdb")) as con:
        result = load_file(con, get_table("hubspot", "email_event"), path, extract_date=D1, run_id="r")
        assert (result.rows_in_file, result.rows_loaded, result.rows_quarantined) == (6, 5, 1)
        got = con.execute("SELECT _source_row_number, id FROM raw_hubspot.email_event ORDER BY 1").fetchall()
        assert got == [(1, "id-0"), (2, "id-1"), (4, "id-2"), (5, "id-3"), (6, "id-4")]
        assert con.execute("SELECT row_number, error_type FROM audit.quarantine").fetchall() == [(3, "parse")]


def test_parquet_extracts_load_like_csv(tmp_path: Path) -> None:
    root = tmp_path / "extracts"
    rows = sample_rows("stripe", "usage_record", 4)
    src = write_extract(tmp_path / "csv", "stripe", "usage_record", D1, rows)
    target = root / "stripe" / "usage_record" / f"{D1}.parquet"
    target.parent.mkdir(parents=True)
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{src}', all_varchar = true)) TO '{target}' (FORMAT parquet)")
    db = tmp_path / "build.duckdb"
    summary = load_extracts(db, root, run_id="r1")
    assert [(f.status, f.rows_loaded) for f in summary.files] == [(LOADED, 4)]
    assert query(db, "SELECT _source_row_number, quantity FROM raw_stripe.usage_record ORDER BY 1") == [
        (i + 1, 1000 + i) for i in range(4)
    ]


def test_load_file_raises_naming_file_and_column(tmp_path: Path) -> None:
    path = write_extract(
        tmp_path,
        "stripe",
        "subscription",
        D1,
        csv_text(sample_rows("stripe", "subscription", 2), ["id", "_fivetran_synced"]),
    )
    with (
        duckdb.connect() as con,
        pytest.raises(LoadError, match=r"subscription/2023-01-01.csv: missing required column 'customer_id'"),
    ):
        load_file(con, get_table("stripe", "subscription"), path, extract_date=D1, run_id="r")


def test_unknown_paths_are_reported_not_ignored(clean_extracts: Path, tmp_path: Path) -> None:
    (clean_extracts / "stripe" / "not_a_table").mkdir()
    (clean_extracts / "stripe" / "not_a_table" / f"{D1}.csv").write_text("id\n1\n")
    (clean_extracts / "stripe" / "invoice" / "notes.txt").write_text("hi")
    summary = load_extracts(tmp_path / "b.duckdb", clean_extracts, systems=["stripe"], run_id="r")
    assert summary.unknown_paths == {
        "stripe/invoice/notes.txt": "not a .csv or .parquet file",
        f"stripe/not_a_table/{D1}.csv": "stripe has no contract table 'not_a_table'",
    }


def test_an_extract_not_named_yyyy_mm_dd_is_reported_not_loaded_under_a_date(
    clean_extracts: Path, tmp_path: Path
) -> None:
    """``date.fromisoformat`` reads all of these as 2023-01-04 (or 2023-01-02 for the week date);
    none is named ``YYYY-MM-DD``, so none is loaded, and each is listed with the reason."""
    odd = ["20230104.csv", "2023-W01-1.csv", "2023-01-04T00.csv", "2023-01-4.csv"]
    for name in odd:
        (clean_extracts / "stripe" / "invoice" / name).write_text("id,customer_id\nin_x,cus_x\n")
    summary = load_extracts(tmp_path / "b.duckdb", clean_extracts, systems=["stripe"], run_id="r")
    assert summary.unknown_paths == {
        f"stripe/invoice/{name}": f"file name {name.removesuffix('.csv')!r} is not a date (YYYY-MM-DD)"
        for name in odd
    }
    assert summary.failures == []
    # only the three well-named dates were loaded
    assert query(
        tmp_path / "b.duckdb", "select distinct _extract_date from raw_stripe.invoice order by 1"
    ) == [
        (D1,),
        (D2,),
        (D3,),
    ]
    assert query(tmp_path / "b.duckdb", "select count(*) from raw_stripe.invoice where id = 'in_x'") == [(0,)]
    assert extract_dates(clean_extracts) == [D1, D2, D3]


def test_what_lies_beside_the_system_folders_is_reported_once(clean_extracts: Path, tmp_path: Path) -> None:
    shutil.copytree(clean_extracts / "stripe", clean_extracts / "Stripe_old")  # a misspelled system
    (clean_extracts / "notes.txt").write_text("hi")
    (clean_extracts / "_truth").mkdir(exist_ok=True)  # not an extract, by convention
    summary = load_extracts(tmp_path / "b.duckdb", clean_extracts, run_id="r")
    not_a_system = "not a source system (known: hubspot, salesforce, stripe)"
    assert summary.unknown_paths == {"Stripe_old/": not_a_system, "notes.txt": not_a_system}
    only_stripe = load_extracts(tmp_path / "c.duckdb", clean_extracts, systems=["stripe"], run_id="r")
    assert only_stripe.unknown_paths == {}


def test_every_contract_table_loads_from_generated_sample_rows(tmp_path: Path) -> None:
    root = tmp_path / "extracts"
    for t in TABLES:
        write_extract(root, t.system, t.name, D1, sample_rows(t.system, t.name, 3))
    summary = load_extracts(tmp_path / "b.duckdb", root, run_id="r")
    assert len(summary.files) == len(TABLES)
    assert [
        (f.table, f.rows_loaded, f.rows_quarantined)
        for f in summary.files
        if (f.rows_loaded, f.rows_quarantined) != (3, 0)
    ] == []


def test_every_contract_table_of_the_loaded_systems_exists_even_without_files(tmp_path: Path) -> None:
    root = tmp_path / "extracts"
    write_extract(root, "stripe", "plan", D1, sample_rows("stripe", "plan", 2))
    db = tmp_path / "b.duckdb"
    load_extracts(db, root, systems=["stripe", "salesforce"], run_id="r")
    tables = query(
        db, "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema LIKE 'raw_%'"
    )
    expected = {(f"raw_{t.system}", t.name) for t in TABLES if t.system in ("stripe", "salesforce")}
    assert set(tables) == expected
    assert query(db, "SELECT count(*) FROM raw_stripe.invoice") == [(0,)]


def test_quoted_line_breaks_among_many_files_keep_every_files_row_numbers(tmp_path: Path) -> None:
    root = tmp_path / "extracts"
    for k, day in enumerate((D1, D2, D3)):
        rows = sample_rows("hubspot", "email_event", 3, start=10 * k)
        if day == D2:  # line-counted rows (5) differ from CSV rows (3): the batch falls back per file
            rows[0]["recipient"] = "first line\nsecond line\nthird line"
        write_extract(root, "hubspot", "email_event", day, rows)
    db = tmp_path / "b.duckdb"
    summary = load_extracts(db, root, run_id="r")
    assert [(f.rows_in_file, f.rows_loaded) for f in summary.files] == [(3, 3)] * 3
    got = query(db, "SELECT _extract_date, _source_row_number, id FROM raw_hubspot.email_event ORDER BY 1, 2")
    assert got == [(day, i + 1, f"id-{10 * k + i}") for k, day in enumerate((D1, D2, D3)) for i in range(3)]
    assert query(db, "SELECT recipient FROM raw_hubspot.email_event WHERE id = 'id-10'") == [
        ("first line\nsecond line\nthird line",)
    ]


def test_warehouse_load_from_and_to_load_the_extract_dates_in_the_range(tmp_path: Path) -> None:
    """``--from`` alone loads every date from it to the last extract date, ``--to`` alone every date
    up to it, both the dates between (inclusive); the dates come from the files, not the calendar."""
    from revenue_warehouse.cli import main

    days = [date(2024, 3, d) for d in (1, 2, 5, 9)]
    extracts = tmp_path / "extracts"
    for i, day in enumerate(days):
        write_extract(
            extracts, "salesforce", "account", day, sample_rows("salesforce", "account", 2, start=10 * i)
        )

    def loaded(db: Path, *args: str) -> list[date]:
        assert main(["load", "--extracts", str(extracts), "--db", str(db), *args]) == 0
        return [r[0] for r in query(db, "select distinct extract_date from audit.load_manifest order by 1")]

    assert loaded(tmp_path / "from.duckdb", "--from", "2024-03-02") == days[1:]
    assert loaded(tmp_path / "to.duckdb", "--to", "2024-03-05") == days[:3]
    assert loaded(tmp_path / "both.duckdb", "--from", "2024-03-02", "--to", "2024-03-08") == days[1:3]


def test_accounting_violations_count_every_date_checked_and_list_only_the_violating_ones(
    clean_extracts: Path, tmp_path: Path
) -> None:
    from revenue_warehouse.loader import accounting_violations

    db = tmp_path / "build.duckdb"
    load_extracts(db, clean_extracts, run_id="r1")
    table = get_table("hubspot", "contact")
    dates = extract_dates(clean_extracts)
    with duckdb.connect(str(db)) as con:
        assert accounting_violations(con, table) == (len(dates), [])
        con.execute(
            "DELETE FROM raw_hubspot.contact WHERE _extract_date = ? AND _source_row_number = 1", [D2]
        )
        checked, bad = accounting_violations(con, table)
        assert checked == len(dates)
        assert [(v["extract_date"], v["file"], v["unaccounted_rows"]) for v in bad] == [
            (D2.isoformat(), f"hubspot/contact/{D2}.csv", 1)
        ]
        assert accounting_violations(con, table, [D1]) == (1, [])
        assert [v["extract_date"] for v in accounting_violations(con, table, [D1, D2])[1]] == [D2.isoformat()]
        assert accounting_violations(con, table, [date(2030, 1, 1)]) == (0, [])


def _everything(db: Path) -> dict[str, list[tuple]]:
    """Every row of every raw, audit and loader_state table but load times and run ids, sorted."""
    tables = query(
        db,
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name LIKE 'raw_%' "
        "OR schema_name IN ('audit', 'loader_state') ORDER BY 1, 2",
    )
    rows = {}
    for schema, name in tables:
        excluded = "_loaded_at, _run_id" if schema.startswith("raw_") else None
        if schema == "audit":
            excluded = {"load_manifest": "loaded_at, run_id", "quarantine": "quarantined_at, run_id"}.get(
                name, "loaded_at, run_id"
            )
        if schema == "loader_state":
            excluded = "computed_at" if name == "version_conflict_tables" else None
        columns = f"* EXCLUDE ({excluded})" if excluded else "*"
        rows[f"{schema}.{name}"] = sorted(
            query(db, f"SELECT {columns} FROM {schema}.{name}"), key=lambda r: tuple(map(str, r))
        )
    return rows


def test_tables_load_at_once_on_their_own_connections_as_one_by_one(
    clean_extracts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from revenue_warehouse.loader import api

    # quarantined rows (a bad cast, a short row), a failed file, an empty file, a multi-line field, a new column
    good = sample_rows("salesforce", "opportunity", 4, start=500)
    bad = dict(good[1], close_date="2023-02-30")
    write_extract(
        clean_extracts, "salesforce", "opportunity", D2, csv_text([good[0], bad, good[2]]) + "x,y\n"
    )
    no_id = [
        {k: v for k, v in r.items() if k != "property_createdate"}
        for r in sample_rows("hubspot", "contact", 3)
    ]
    write_extract(clean_extracts, "hubspot", "contact", D3, no_id)
    write_extract(clean_extracts, "stripe", "invoice", D1, "")
    events = sample_rows("hubspot", "email_event", 3)
    events[1]["recipient"] = "line one\nline two"
    write_extract(clean_extracts, "hubspot", "email_event", D1, events)
    extra = [dict(r, brand_new="x") for r in sample_rows("stripe", "customer", 2)]
    write_extract(clean_extracts, "stripe", "customer", D1, extra)

    one_by_one, at_once = tmp_path / "one.duckdb", tmp_path / "once.duckdb"
    monkeypatch.setattr(api, "load_workers", lambda con: 1)
    serial = load_extracts(one_by_one, clean_extracts, run_id="r")
    # two loads must be in flight together: the first two wait at a barrier for each other (loading one
    # table after another, the first would wait alone and fail with BrokenBarrierError)
    barrier, lock, threads, calls = threading.Barrier(2, timeout=10), threading.Lock(), set(), []
    real = api.load_table_files

    def together(con, table, files, **kwargs):
        with lock:
            threads.add(threading.get_ident())
            calls.append(table.name)
            first_two = len(calls) <= 2
        if first_two:
            barrier.wait()
        return real(con, table, files, **kwargs)

    monkeypatch.setattr(api, "load_workers", lambda con: 2)
    monkeypatch.setattr(api, "load_table_files", together)
    concurrent = load_extracts(at_once, clean_extracts, run_id="r")
    assert len(threads) == 2 and len(calls) == len(ROWS) + 2  # every table with a file, on two threads
    assert [(f.system, f.table, f.extract_date, f.status, f.rows_in_file, f.rows_loaded, f.rows_quarantined,
             f.error, f.new_columns) for f in concurrent.files] == [
        (f.system, f.table, f.extract_date, f.status, f.rows_in_file, f.rows_loaded, f.rows_quarantined,
         f.error, f.new_columns) for f in serial.files
    ]  # fmt: skip
    assert {f.status for f in serial.files} == {LOADED, FAILED}
    assert query(at_once, "SELECT count(*) FROM audit.quarantine") == [(2,)]
    assert _everything(at_once) == _everything(one_by_one)


def test_an_interrupted_load_raises_and_records_no_failed_file(
    clean_extracts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from revenue_warehouse.loader import api

    def interrupted(*args, **kwargs):  # what a load interrupted on its own connection raises
        raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")

    monkeypatch.setattr(api, "load_batch", interrupted)
    db = tmp_path / "build.duckdb"
    with pytest.raises(duckdb.InterruptException):
        load_extracts(db, clean_extracts, systems=["stripe"], run_id="r")
    assert query(db, "SELECT count(*) FROM audit.load_manifest") == [(0,)]
