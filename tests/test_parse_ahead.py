"""``ParseAhead`` (revenue_warehouse/parse_ahead.py) is never an error of the run and never leaves the
build file's parse lock held: a parse that fails keeps nothing, one that cannot start is skipped, one
still running when the run ends is stopped. The dbt command is replaced by a stand-in process here (the
real parse ahead, with dbt, is in tests/test_dbt_partial_parse.py)."""

from __future__ import annotations

import fcntl
import sys
import time
from pathlib import Path

import pytest

from revenue_warehouse import parse_ahead
from revenue_warehouse.dbt import parse_lock, partial_parse_cache
from revenue_warehouse.parse_ahead import ParseAhead


def lock_is_free(db: Path) -> bool:
    with parse_lock(db).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def stand_in(monkeypatch: pytest.MonkeyPatch, cmd: list[str]) -> None:
    monkeypatch.setattr(parse_ahead, "dbt_command", lambda *args, **kwargs: cmd)


def test_a_failed_parse_ahead_keeps_nothing_and_frees_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "build.duckdb"
    stand_in(monkeypatch, [sys.executable, "-c", "import sys; sys.exit(3)"])
    with ParseAhead(db) as ahead:
        assert ahead.started
        ahead.wait()
        assert lock_is_free(db)
    assert ahead.returncode == 3
    assert not partial_parse_cache(db).exists()


def test_a_parse_ahead_that_cannot_start_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Skipped with one line saying why, without a traceback (``warehouse run`` starts the parse ahead
    before its output goes to its log, so the line reaches the terminal)."""
    db = tmp_path / "build.duckdb"
    stand_in(monkeypatch, [str(tmp_path / "no-such-dbt")])
    with ParseAhead(db) as ahead:  # no exception: the build would parse instead
        assert not ahead.started
        assert lock_is_free(db)
    assert not partial_parse_cache(db).exists()
    [record] = [r for r in caplog.records if r.name == parse_ahead.__name__]
    assert record.exc_info is None and "no-such-dbt" in record.getMessage()
    assert "\n" not in record.getMessage()


@pytest.mark.parametrize("sigterm", ["default", "ignored"])
def test_a_run_that_ends_first_stops_its_parse_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sigterm: str
) -> None:
    """Stopped with SIGTERM, or killed after a grace period when the process ignores SIGTERM (in one CI
    run the stand-in outlived SIGTERM and slept its 120 s out; a process can inherit SIGTERM ignored)."""
    db = tmp_path / "build.duckdb"
    ready = tmp_path / "ready"  # written by the stand-in once its SIGTERM disposition is set
    ignore = "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN); " if sigterm == "ignored" else ""
    stand_in(
        monkeypatch,
        [sys.executable, "-c", f"{ignore}open({str(ready)!r}, 'w').close(); import time; time.sleep(120)"],
    )
    started = time.monotonic()
    with ParseAhead(db) as ahead:
        assert ahead.started and not lock_is_free(db)  # held while it runs: a dbt step would wait
        while not ready.exists() and time.monotonic() - started < 20:
            time.sleep(0.05)
        assert ready.exists()
    assert time.monotonic() - started < 30
    assert ahead.returncode is not None and ahead.returncode < 0  # stopped, not finished
    assert lock_is_free(db) and not partial_parse_cache(db).exists()


def test_warehouse_run_parses_ahead_from_its_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``warehouse run`` on a new build file has the dbt project parsing before the refresh job starts: the
    parse begins before the run lists the extracts, imports Dagster and plans the job (one core), not in
    the job's load step. Here the refresh job is a stand-in that looks at the build file's parse lock and
    stops the run; the parse is a stand-in process, stopped with the run."""
    import argparse

    from orchestration import refresh
    from revenue_warehouse import dbt
    from revenue_warehouse.commands import run as run_command
    from revenue_warehouse.settings import reset_settings

    day = tmp_path / "extracts" / "hubspot" / "contact" / "2024-01-01.csv"
    day.parent.mkdir(parents=True)
    day.write_text("id\n")
    db = tmp_path / "data" / "warehouse" / "build.duckdb"
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WAREHOUSE_BUILD_DB", str(db))
    monkeypatch.setenv("WAREHOUSE_SERVING_DB", str(tmp_path / "data" / "warehouse" / "serving.duckdb"))
    reset_settings()
    stand_in(monkeypatch, [sys.executable, "-c", "import time; time.sleep(120)"])
    monkeypatch.setattr(dbt, "prepare_manifest", lambda *args, **kwargs: False)

    class JobStarted(Exception):
        pass

    at_job_start: list[bool] = []

    def refresh_job(extracts: Path, db_path: Path, **kwargs: object) -> None:
        at_job_start.append(parse_lock(db_path).parent.is_dir() and not lock_is_free(db_path))
        raise JobStarted

    monkeypatch.setattr(refresh, "run_refresh", refresh_job)
    args = argparse.Namespace(extracts=tmp_path / "extracts", scale=0.1, seed=1, start=None, end=None)
    started = time.monotonic()
    with pytest.raises(JobStarted):
        run_command.handle(args)
    reset_settings()
    assert at_job_start == [True]  # the parse ahead of db was under way when the job started
    assert time.monotonic() - started < 30  # and was stopped with the run
    assert lock_is_free(db) and not partial_parse_cache(db).exists()


def test_the_parse_runs_below_the_run_s_priority(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse takes the CPU the run leaves idle (loads, Dagster's planning) instead of a fair share
    of it: its process is ``PARSE_NICENESS`` nicer than the run's."""
    import os

    db = tmp_path / "build.duckdb"
    seen = tmp_path / "niceness"
    # the stand-in waits for its priority to be set (right after it starts), then writes it down
    code = f"import os, time; time.sleep(1); open({str(seen)!r}, 'w').write(str(os.nice(0)))"
    stand_in(monkeypatch, [sys.executable, "-c", code])
    with ParseAhead(db) as ahead:
        assert ahead.started
        ahead.wait()
    assert ahead.returncode == 0
    assert int(seen.read_text()) == min(os.nice(0) + parse_ahead.PARSE_NICENESS, 19)
