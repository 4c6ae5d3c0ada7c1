"""dbt starts from the build file's kept parsed project (partial parsing) when only the as-of date changed,
both through ``revenue_warehouse.dbt.run_dbt`` and in the Dagster refresh job, and still uses the new
date. The evidence is dbt's own: its log lines about partial parsing, and whether it wrote a new
``partial_parse.msgpack`` (dbt writes one only when it parsed something)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.dbt import partial_parse_cache, run_dbt
from revenue_warehouse.settings import reset_settings

pytestmark = pytest.mark.slow  # real dbt runs

FULL_PARSE = ("Unable to do partial parsing", "Starting full parse")


def dbt_log(folder: Path) -> str:
    return (folder / "dbt.log").read_text()


def last_day_on_or_before_as_of(db: Path) -> date:
    """dim_date's ``is_on_or_before_as_of`` is true up to the as-of date the build used."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT max(date_day) FROM core.dim_date WHERE is_on_or_before_as_of").fetchone()[
            0
        ]


def build_dim_date(db: Path, work: Path, name: str, as_of: str) -> str:
    """``dbt run`` of dim_date only with this as-of date; dbt's log (written at debug level)."""
    logs = work / f"logs-{name}"
    run_dbt(
        ["run", "--select", "dim_date", "--log-path", str(logs)],
        db,
        dbt_vars={"as_of_date": as_of},
        target_path=work / f"target-{name}",
    )
    return dbt_log(logs)


def test_a_new_as_of_date_reuses_the_parsed_project_and_is_the_date_used(
    built_db: Path, tmp_path: Path
) -> None:
    """Two runs on one build file with different as-of dates: the second does not parse the project
    again (dbt says partial parsing found nothing changed) and dim_date carries its date, not the first
    run's. A run on another build file keeps its own parsed project and leaves the first one's alone."""
    db = tmp_path / "a" / "build.duckdb"
    other = tmp_path / "b" / "build.duckdb"
    for path in (db, other):
        path.parent.mkdir()
        shutil.copy(built_db, path)  # the file only: no kept parsed project yet

    first = build_dim_date(db, tmp_path, "first", "2025-06-30")
    assert any(line in first for line in FULL_PARSE)  # nothing kept for this file: a full parse, then kept
    assert partial_parse_cache(db).is_file()
    assert last_day_on_or_before_as_of(db) == date(2025, 6, 30)

    second = build_dim_date(db, tmp_path, "second", "2025-03-14")
    assert not any(line in second for line in FULL_PARSE), second
    assert "Partial parsing enabled, no changes found, skipping parsing" in second
    assert last_day_on_or_before_as_of(db) == date(2025, 3, 14)

    kept = partial_parse_cache(db).stat()
    elsewhere = build_dim_date(other, tmp_path, "other", "2025-01-31")
    assert any(line in elsewhere for line in FULL_PARSE)  # another file: its own kept project
    assert partial_parse_cache(other).is_file()
    assert last_day_on_or_before_as_of(other) == date(2025, 1, 31)
    assert (partial_parse_cache(db).stat().st_ino, partial_parse_cache(db).stat().st_mtime_ns) == (
        kept.st_ino,
        kept.st_mtime_ns,
    )
    third = build_dim_date(db, tmp_path, "third", "2025-04-01")
    assert "Partial parsing enabled, no changes found, skipping parsing" in third
    assert last_day_on_or_before_as_of(db) == date(2025, 4, 1)


def test_a_changed_var_still_parses_again(built_db: Path, tmp_path: Path) -> None:
    """dbt's own guard stays in force: a var that can change the parsed project (here a calendar end)
    makes it parse the whole project again, so a kept project is never used for other vars."""
    db = tmp_path / "build.duckdb"
    shutil.copy(built_db, db)
    build_dim_date(db, tmp_path, "first", "2025-06-30")
    logs = tmp_path / "logs-changed"
    run_dbt(
        ["run", "--select", "dim_date", "--log-path", str(logs)],
        db,
        dbt_vars={"as_of_date": "2025-06-30", "dim_date_end": "2025-12-31"},
        target_path=tmp_path / "target-changed",
    )
    assert "config vars, config profile, or config target have changed" in dbt_log(logs)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT max(date_day) FROM core.dim_date").fetchone()[0] == date(2025, 12, 31)


def test_a_parse_ahead_is_waited_for_and_is_the_parse_dbt_starts_from(tmp_path: Path) -> None:
    """A new build file (nothing kept; the project target's parse is for another file): ``ParseAhead``
    parses in the background and holds the file's parse lock, so a dbt command entering
    ``partial_parsing`` meanwhile waits for it and starts from its result, which dbt accepts (its log
    says it skipped parsing). Without the wait, that command would copy the project target's parse at
    once and parse in full. A build file with a kept parse starts no parse ahead."""
    from revenue_warehouse.dbt import PARTIAL_PARSE_FILE, partial_parsing, prepare_manifest
    from revenue_warehouse.parse_ahead import ParseAhead

    prepare_manifest()  # the settings' build file, as the code location prepares it
    db = tmp_path / "fresh" / "build.duckdb"  # no file yet: dbt parse does not open it
    target = tmp_path / "target"
    with ParseAhead(db) as ahead:
        assert ahead.started
        with partial_parsing(db, target):
            assert ahead.returncode == 0  # the lock was held until the parse ahead finished
            assert (target / PARTIAL_PARSE_FILE).read_bytes() == partial_parse_cache(db).read_bytes()
    logs = tmp_path / "logs-after"
    run_dbt(["parse", "--no-write-json", "--log-path", str(logs)], db, target_path=tmp_path / "t2")
    after = dbt_log(logs)
    assert not any(line in after for line in FULL_PARSE), after[:3000]
    assert "Partial parsing enabled, no changes found, skipping parsing" in after
    with ParseAhead(db) as again:
        assert not again.started


def test_the_refresh_job_reuses_the_parsed_project_on_the_next_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Dagster refresh job, a first run then a daily run with one more extract day: the daily run's
    dbt step writes no new parsed project (dbt writes ``partial_parse.msgpack`` whenever it parsed
    anything, which would replace the kept file) and its build uses the new day as its as-of date.

    The step's temporary target folder, looked at just before it is deleted, has the parsed project but
    none of dbt's JSON artifacts nor (unless the operator set DBT_LOG_LEVEL_FILE, as for the first run
    here) dbt's file log; the log asked for is kept as ``<log dir>/dbt-<run id>.log``."""
    from orchestration import dbt_assets
    from orchestration.refresh import run_refresh
    from revenue_warehouse.dbt import prepare_manifest
    from revenue_warehouse.simulator import generate

    prepare_manifest()  # the settings' build file, as the code location prepares it
    extracts = tmp_path / "sim"
    generate(extracts, scale=0.05, seed=3, start=date(2023, 1, 1), end=date(2023, 1, 12))
    held = tmp_path / "held"
    for path in sorted(extracts.glob("*/*/2023-01-12.csv")):
        (held / path.parent.relative_to(extracts)).mkdir(parents=True, exist_ok=True)
        shutil.move(path, held / path.relative_to(extracts))
    monkeypatch.setenv("WAREHOUSE_SERVING_DB", str(tmp_path / "serving.duckdb"))
    logs = tmp_path / "logs"
    monkeypatch.setenv("WAREHOUSE_LOG_DIR", str(logs))
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")  # the first run: the operator asks for dbt's file log
    reset_settings()
    db = tmp_path / "build.duckdb"
    targets: list[set[str]] = []  # what each run's dbt step left in its target folder
    keep_file_log = dbt_assets.keep_file_log

    def look_then_keep(target: Path, run_id: str) -> Path | None:
        targets.append({p.name for p in target.iterdir()})
        return keep_file_log(target, run_id)

    monkeypatch.setattr(dbt_assets, "keep_file_log", look_then_keep)

    first = run_refresh(extracts, db)
    assert not [e for e in first.errors if e.startswith(("load_", "warehouse_dbt_models"))]
    assert last_day_on_or_before_as_of(db) == date(2023, 1, 11)
    kept = partial_parse_cache(db).stat()
    asked_for = logs / f"dbt-{first.run_id}.log"
    first_log = asked_for.read_text()
    # the new build file's project was parsed during the loads (ParseAhead): the step started from it
    assert not any(line in first_log for line in FULL_PARSE), first_log[:3000]
    assert "Partial parsing enabled, no changes found, skipping parsing" in first_log  # a debug line, kept

    monkeypatch.delenv("DBT_LOG_LEVEL_FILE")
    reset_settings()
    for path in sorted(held.glob("*/*/*.csv")):
        shutil.move(path, extracts / path.relative_to(held))
    daily = run_refresh(extracts, db)
    assert not [e for e in daily.errors if e.startswith(("load_", "warehouse_dbt_models"))]
    assert last_day_on_or_before_as_of(db) == date(2023, 1, 12)
    now = partial_parse_cache(db).stat()
    assert (now.st_ino, now.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)

    artifacts = {"manifest.json", "run_results.json", "semantic_manifest.json", "graph.gpickle"}
    assert len(targets) == 2 and all("partial_parse.msgpack" in t and not t & artifacts for t in targets)
    assert "dbt.log" in targets[0] and "dbt.log" not in targets[1]
    assert sorted(p.name for p in logs.glob("dbt-*.log")) == [asked_for.name]
