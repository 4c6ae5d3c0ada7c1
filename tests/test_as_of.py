"""The as-of date (issue 14 item 3, issue 9): future-dated extracts are refused with a named error,
the as-of date never moves backwards nor jumps silently, and dbt refuses to build without it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from test_loader_support import sample_rows, write_extract

from revenue_warehouse.as_of import resolve_as_of, run_date
from revenue_warehouse.dbt import run_dbt
from revenue_warehouse.loader import latest_loaded_date, load_extracts


def test_a_file_dated_2099_is_refused_and_does_not_move_the_as_of_date(tmp_path: Path) -> None:
    extracts = tmp_path / "extracts"
    real = date(2024, 3, 31)
    write_extract(extracts, "salesforce", "account", real, sample_rows("salesforce", "account", 3))
    write_extract(
        extracts, "salesforce", "account", date(2099, 1, 1), sample_rows("salesforce", "account", 2)
    )
    db = tmp_path / "b.duckdb"
    summary = load_extracts(db, extracts)
    [failed] = summary.failures
    assert failed.extract_date == date(2099, 1, 1)
    assert "FutureExtractError" in failed.error and "2099-01-01.csv" in failed.error
    with duckdb.connect(str(db), read_only=True) as con:
        assert latest_loaded_date(con) == real
        assert con.execute("SELECT count(*) FROM raw_salesforce.account").fetchone()[0] == 3
        assert con.execute(
            "SELECT status FROM audit.load_manifest WHERE extract_date = '2099-01-01'"
        ).fetchall() == [("failed",)]


@pytest.mark.parametrize(("tolerance", "refused"), [(None, False), ("0", True)])
def test_tomorrow_is_within_the_configured_tolerance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tolerance: str | None, refused: bool
) -> None:
    if tolerance is None:
        monkeypatch.delenv("WAREHOUSE_FUTURE_EXTRACT_DAYS", raising=False)
    else:
        monkeypatch.setenv("WAREHOUSE_FUTURE_EXTRACT_DAYS", tolerance)
    extracts = tmp_path / "extracts"
    tomorrow = run_date() + timedelta(days=1)
    write_extract(extracts, "salesforce", "account", tomorrow, sample_rows("salesforce", "account", 2))
    summary = load_extracts(tmp_path / "b.duckdb", extracts)
    assert bool(summary.failures) is refused


def test_the_as_of_date_never_moves_backwards_and_a_big_jump_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAREHOUSE_AS_OF_MAX_JUMP_DAYS", "10")
    with duckdb.connect(str(tmp_path / "b.duckdb")) as con:
        with pytest.raises(ValueError, match="no extract has been loaded"):
            resolve_as_of(con, "r0", None)
        first = resolve_as_of(con, "r1", date(2024, 1, 10))
        assert (first.value, first.warnings) == (date(2024, 1, 10), [])
        steady = resolve_as_of(con, "r2", date(2024, 1, 15))
        assert (steady.value, steady.warnings) == (date(2024, 1, 15), [])
        back = resolve_as_of(con, "r3", date(2024, 1, 12))
        assert back.value == date(2024, 1, 15) and "never moves backwards" in back.warnings[0]
        jump = resolve_as_of(con, "r4", date(2024, 3, 1))
        assert jump.value == date(2024, 3, 1) and "jumps 46 days" in jump.warnings[0]
        log = con.execute(
            "SELECT run_id, as_of_date, warning IS NOT NULL FROM audit.as_of_log ORDER BY run_id"
        )
        assert log.fetchall() == [
            ("r1", date(2024, 1, 10), False),
            ("r2", date(2024, 1, 15), False),
            ("r3", date(2024, 1, 15), True),
            ("r4", date(2024, 3, 1), True),
        ]


@pytest.mark.slow
def test_dbt_without_the_as_of_date_fails_with_a_clear_message(tmp_path: Path) -> None:
    proc = run_dbt(
        ["compile", "--select", "dim_date"], tmp_path / "none.duckdb", check=False, target_path=tmp_path / "t"
    )
    assert proc.returncode != 0
    assert "as_of_date is not set" in proc.stdout + proc.stderr
    proc = run_dbt(
        ["compile", "--select", "dim_date"],
        tmp_path / "none.duckdb",
        dbt_vars={"as_of_date": "2024-02-30x"},
        check=False,
        target_path=tmp_path / "t",
    )
    assert proc.returncode != 0 and "is not a YYYY-MM-DD date" in proc.stdout + proc.stderr
