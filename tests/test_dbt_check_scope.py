"""A daily run's dbt tests on the incremental staging models read the rows loaded since the model last
passed them (macros/check_scope.sql, docs/decisions.md#scoped-dbt-tests-on-a-daily-run), and that
scope still catches what it must: a bad record arriving in the new day's extract fails the daily run,
and keeps failing it until a run passes; a re-delivery that brings back a version no test ever read,
or a full rebuild of the model, makes the next tests read the whole model; ``checks_scope: full`` and
``--full-refresh`` read every row.

The builds use the production selection (``PRODUCTION_EXCLUDE``): a model's column tests run inside its
``column_tests`` test (macros/column_tests.sql). A covered test's outcome is read as an operator reads
it: passed with its ``column_tests`` test, or failed on the rows dbt's on-run-end line names.

Real simulated extracts (scale 0.05), the real loader and real dbt on a DuckDB file. The bad records
are shaped by hand: a new opportunity with a negative amount (``non_negative`` on
``stg_salesforce__opportunities.amount``)."""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
import wap_support
from wap_support import read_rows

from revenue_warehouse.dbt import PRODUCTION_EXCLUDE, run_dbt

pytestmark = pytest.mark.slow

SIM = {"scale": 0.05, "seed": 5, "start": date(2023, 1, 1), "end": date(2023, 2, 20)}
DAYS = [SIM["end"] - timedelta(days=1), SIM["end"]]  # held back from the base, delivered one by one
TEST = "non_negative_stg_salesforce__opportunities_amount"
MODEL = "stg_salesforce__opportunities"
SELECT = ["--select", "staging", "--indirect-selection", "cautious"]


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    wap_support.write_rows(path, header, rows, quoting=csv.QUOTE_NONNUMERIC)  # every value quoted


def build(db: Path, extracts: Path, as_of: date, target: Path, *extra: str, dbt_vars: dict | None = None):
    """Load what is new in ``extracts`` and ``dbt build`` staging; run_results of the build by test name."""
    from revenue_warehouse.loader import load_extracts

    load_extracts(db, extracts, run_id=f"scope-{target.name}").raise_for_failures()
    proc = run_dbt(
        ["build", *SELECT, "--exclude", *PRODUCTION_EXCLUDE, *extra],
        db,
        dbt_vars={"as_of_date": as_of.isoformat(), **(dbt_vars or {})},
        target_path=target,
        check=False,
    )
    results = json.loads((target / "run_results.json").read_text())["results"]
    outcomes = {r["unique_id"].split(".")[2]: (r["status"], r["failures"]) for r in results}
    failed = {
        found["test"]: found["failures"]
        for found in map(json.loads, re.findall(r"column test failed: (\{.*\})", proc.stdout))
    }
    for name, (status, _) in list(outcomes.items()):
        for covered in COVERED.findall(compiled_test(target, name)) if "column_tests_" in name else []:
            if covered in failed:
                outcomes[covered] = ("fail", failed[covered])
            else:
                outcomes[covered] = ("pass", 0) if status in ("pass", "fail") else (status, None)
    return outcomes


COVERED = re.compile(r"^select '([^']+)' as test_name$", re.MULTILINE)


def checked_through(db: Path) -> dict[str, object]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(
            con.execute("select model, checked_through from check_state.dbt_checked_through").fetchall()
        )


def compiled_test(target: Path, name: str) -> str:
    """The compiled SQL of test ``name``, or of the ``column_tests`` test that ran it."""
    found = list((target / "compiled").rglob(f"{name}.sql"))
    if not found:
        found = [
            p
            for p in (target / "compiled").rglob("*column_tests_*.sql")
            if f"'{name}' as test_name" in p.read_text()
        ]
    (path,) = found
    return path.read_text(encoding="utf-8")


def deliver(generated: Path, extracts: Path, day: date) -> None:
    for path in generated.glob(f"*/*/{day.isoformat()}.*"):
        target = extracts / path.relative_to(generated)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)


def record_files(folder: Path, after: date) -> tuple[str, list[Path]]:
    """An opportunity whose versions were all delivered after ``after``, and the files holding them."""
    seen: dict[str, list[Path]] = {}
    for path in sorted(folder.glob("*.csv")):
        for row in read_rows(path)[1]:
            seen.setdefault(row["id"], []).append(path)
    for record_id, paths in sorted(seen.items()):
        if date.fromisoformat(paths[0].stem) > after:
            return record_id, sorted(set(paths))
    raise AssertionError(f"no opportunity first delivered after {after}")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Extracts without the last two days, built (staging and its tests), with one opportunity that has
    an older, negative-amount version delivered on the first day: never in force, so no test read it."""
    from revenue_warehouse.simulator import generate

    root = tmp_path_factory.mktemp("scope")
    generated = root / "generated"
    generate(generated, **SIM)
    extracts = root / "extracts"
    shutil.copytree(generated, extracts)
    for day in DAYS:
        for path in extracts.glob(f"*/*/{day.isoformat()}.*"):
            path.unlink()
    folder = extracts / "salesforce" / "opportunity"
    first = date.fromisoformat(sorted(folder.glob("*.csv"))[0].stem)
    hidden, files = record_files(folder, first)
    header, rows = read_rows(files[0])
    older = {**next(r for r in rows if r["id"] == hidden), "amount": "-700.00"}
    earlier = folder / f"{first.isoformat()}.csv"
    older["_fivetran_synced"] = f"{first.isoformat()} 23:59:59"
    write_rows(earlier, header, [*read_rows(earlier)[1], older])
    db = root / "base" / "build.duckdb"
    db.parent.mkdir()
    results = build(db, extracts, DAYS[0] - timedelta(days=1), root / "base" / "target")
    assert results[TEST] == ("pass", 0), results[TEST]
    return {
        "root": root,
        "generated": generated,
        "extracts": extracts,
        "db": db,
        "hidden": hidden,
        "files": files,
    }


def copy_base(base: dict, tmp_path: Path) -> tuple[Path, Path]:
    extracts, db = tmp_path / "extracts", tmp_path / "build.duckdb"
    shutil.copytree(base["extracts"], extracts)
    shutil.copy(base["db"], db)
    return extracts, db


def test_the_base_build_records_every_scoped_model_as_checked(base: dict) -> None:
    through = checked_through(base["db"])
    with duckdb.connect(str(base["db"]), read_only=True) as con:
        staging = {
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'staging'"
            ).fetchall()
        }
        newest = con.execute(f"select max(_loaded_at) from staging.{MODEL}").fetchone()[0]
    # every staging model (the one keyed on two columns too: its not_null test is scoped, its unique
    # test reads the whole table)
    assert set(through) == staging
    assert through[MODEL] == newest


def test_a_bad_record_in_the_new_day_fails_the_daily_check_until_a_run_passes(
    base: dict, tmp_path: Path
) -> None:
    extracts, db = copy_base(base, tmp_path)
    before = checked_through(db)
    deliver(base["generated"], extracts, DAYS[0])
    folder = extracts / "salesforce" / "opportunity"
    path = folder / f"{DAYS[0].isoformat()}.csv"
    header, template = read_rows(sorted(folder.glob("*.csv"))[-1])
    rows = read_rows(path)[1] if path.exists() else []  # no opportunity file that day: a new one
    synced = f"{DAYS[0].isoformat()} 23:59:59"
    bad = {**template[0], "id": "006BADAMOUNT00001", "amount": "-123.00", "_fivetran_synced": synced}
    write_rows(path, header, [*rows, bad])
    results = build(db, extracts, DAYS[0], tmp_path / "day1")
    assert results[TEST] == ("fail", 1)
    # the daily run's check read only the rows loaded since the last passing run
    assert f"_loaded_at > cast('{before[MODEL]}" in compiled_test(tmp_path / "day1", TEST)
    after = checked_through(db)
    assert after[MODEL] == before[MODEL]  # its rows stay in scope
    assert after["stg_hubspot__contacts"] > before["stg_hubspot__contacts"]  # a passing model moves on
    # the next day is clean, and the bad record (loaded the day before) still fails the check
    deliver(base["generated"], extracts, DAYS[1])
    assert build(db, extracts, DAYS[1], tmp_path / "day2")[TEST] == ("fail", 1)
    assert checked_through(db)[MODEL] == before[MODEL]


def test_a_redelivery_that_brings_back_an_unread_version_checks_the_whole_model(
    base: dict, tmp_path: Path
) -> None:
    extracts, db = copy_base(base, tmp_path)
    deliver(base["generated"], extracts, DAYS[0])
    # the days holding the opportunity's versions are re-delivered without them: its older, negative
    # version (loaded with the base, before the last passing run) is in force again
    for file in base["files"]:
        path = extracts / file.relative_to(base["extracts"])
        header, rows = read_rows(path)
        write_rows(path, header, [r for r in rows if r["id"] != base["hidden"]])
    results = build(db, extracts, DAYS[0], tmp_path / "day1")
    assert results[TEST] == ("fail", 1)
    assert "_loaded_at >" not in compiled_test(tmp_path / "day1", TEST)


def test_full_scope_on_demand_and_with_full_refresh_reads_every_row(base: dict, tmp_path: Path) -> None:
    extracts, db = copy_base(base, tmp_path)
    with duckdb.connect(str(db)) as con:  # an old record made negative behind the pipeline's back
        (old,) = con.execute(f"select min(opportunity_id) from staging.{MODEL} where amount > 0").fetchone()
        con.execute(f"update staging.{MODEL} set amount = -1 where opportunity_id = ?", [old])
        con.execute("update raw_salesforce.opportunity set amount = -1 where id = ?", [old])
    deliver(base["generated"], extracts, DAYS[0])
    # the daily run's scope does not read it ...
    assert build(db, extracts, DAYS[0], tmp_path / "daily")[TEST] == ("pass", 0)
    # ... a full-scope run does, and so does a full refresh (staging rebuilt from raw)
    full = build(db, extracts, DAYS[0], tmp_path / "full", dbt_vars={"checks_scope": "full"})
    assert full[TEST] == ("fail", 1)
    assert "_loaded_at >" not in compiled_test(tmp_path / "full", TEST)
    refreshed = build(db, extracts, DAYS[0], tmp_path / "refresh", "--full-refresh")
    assert refreshed[TEST] == ("fail", 1)
    assert "_loaded_at >" not in compiled_test(tmp_path / "refresh", TEST)


def test_a_full_refresh_without_tests_leaves_the_next_run_to_check_every_row(
    base: dict, tmp_path: Path
) -> None:
    extracts, db = copy_base(base, tmp_path)
    with duckdb.connect(str(db)) as con:  # an old raw row changed by hand, then staging rebuilt
        (old,) = con.execute(f"select min(opportunity_id) from staging.{MODEL} where amount > 0").fetchone()
        con.execute("update raw_salesforce.opportunity set amount = -1 where id = ?", [old])
    as_of = {"as_of_date": (DAYS[0] - timedelta(days=1)).isoformat()}
    run_dbt(
        ["run", "--select", "staging", "--full-refresh"], db, dbt_vars=as_of, target_path=tmp_path / "run"
    )
    deliver(base["generated"], extracts, DAYS[0])
    # the rebuilt rows keep their old load times: the daily run reads the whole model all the same
    results = build(db, extracts, DAYS[0], tmp_path / "daily")
    assert results[TEST] == ("fail", 1)
    assert "_loaded_at >" not in compiled_test(tmp_path / "daily", TEST)


def test_unique_on_duckdb_reports_every_duplicated_value_like_dbts_own_test(
    base: dict, tmp_path: Path
) -> None:
    """macros/test_unique.sql (DuckDB: the values' hashes grouped first) fails on the rows dbt's own
    `unique` fails on: one failing row per duplicated value, however many times it repeats."""
    _, db = copy_base(base, tmp_path)
    test = "unique_stg_salesforce__opportunities_opportunity_id"
    with duckdb.connect(str(db)) as con:
        first, second = [
            r[0]
            for r in con.execute(
                f"select opportunity_id from staging.{MODEL} order by opportunity_id limit 2"
            ).fetchall()
        ]
        for record, copies in ((first, 1), (second, 2)):  # one value twice, another three times
            for _ in range(copies):
                con.execute(
                    f"insert into staging.{MODEL} select * from staging.{MODEL} where opportunity_id = ? limit 1",
                    [record],
                )
        expected = con.execute(
            f"select count(*) from (select opportunity_id from staging.{MODEL} group by 1 having count(*) > 1)"
        ).fetchone()[0]
    assert expected == 2
    target = tmp_path / "test"
    run_dbt(
        ["test", "--select", test],
        db,
        dbt_vars={"as_of_date": DAYS[0].isoformat(), "checks_scope": "full"},
        target_path=target,
        check=False,
    )
    results = json.loads((target / "run_results.json").read_text())["results"]
    (result,) = [r for r in results if r["unique_id"].split(".")[2] == test]  # the on-run-end hook aside
    assert (result["status"], result["failures"]) == ("fail", expected)
    assert "hash(opportunity_id)" in compiled_test(target, test)
