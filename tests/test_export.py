"""``warehouse export`` on small serving files written by hand here (no dbt build): the output folder's
name is data, never SQL, and a failure is one line on stderr with exit code 1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq


def export(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "revenue_warehouse.cli", "export", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def serving_file(path: Path) -> Path:
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        con.execute("create schema audit")
        con.execute(
            "create table marts.accounts as select * from (values (1, 'Acme'), (2, 'O''Brien Ltd')) v(id, name)"
        )
        con.execute("create table audit.publication as select 'g1' as generation")
    finally:
        con.close()
    return path


def test_export_into_a_folder_with_a_quote_in_its_name(tmp_path: Path) -> None:
    serving = serving_file(tmp_path / "serving.duckdb")
    out = tmp_path / "bob's exports"
    proc = export(str(out), "--serving", str(serving))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    accounts = pq.read_table(out / "marts" / "accounts.parquet").to_pylist()
    assert accounts == [{"id": 1, "name": "Acme"}, {"id": 2, "name": "O'Brien Ltd"}]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["publication"] == {"generation": "g1"}
    rows = {(e["schema"], e["table"]): e["rows"] for e in manifest["tables"]}
    assert rows == {("marts", "accounts"): 2, ("audit", "publication"): 1}


def test_export_of_a_missing_serving_file_is_a_one_line_error(tmp_path: Path) -> None:
    proc = export(str(tmp_path / "out"), "--serving", str(tmp_path / "none.duckdb"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("warehouse export: error: ")
    assert "none.duckdb" in proc.stderr


def test_export_of_a_file_that_is_not_a_database_is_a_one_line_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a database\n")
    proc = export(str(tmp_path / "out"), "--serving", str(junk))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "junk.duckdb" in proc.stderr
    assert "not a valid DuckDB database" in proc.stderr and "build database" not in proc.stderr
