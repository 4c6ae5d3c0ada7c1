"""DuckDB limits from the environment reach every connection: the Python ones (loader, checks,
publish, orchestration use ``duckdb_limits.connect``) and dbt's, through the profile's settings."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse import duckdb_limits
from revenue_warehouse.dbt import run_dbt
from revenue_warehouse.settings import reset_settings

LIMITS = {
    "WAREHOUSE_DUCKDB_MEMORY_LIMIT": "300MB",
    "WAREHOUSE_DUCKDB_THREADS": "1",
}
SETTINGS_SQL = (
    "select current_setting('memory_limit') as memory_limit, current_setting('threads') as threads, "
    "current_setting('temp_directory') as temp_directory"
)


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """The settings are read once per process: read them again around each test."""
    reset_settings()
    yield
    reset_settings()


def expected(temp: Path) -> dict[str, str]:
    """What DuckDB itself reports for these limits, set by hand on a plain connection."""
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '300MB'; SET threads = 1; SET temp_directory = '{temp}'")
    row = con.execute(SETTINGS_SQL).fetchone()
    return {"memory_limit": row[0], "threads": str(row[1]), "temp_directory": row[2]}


def test_connections_get_the_limits_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {**LIMITS, "WAREHOUSE_DUCKDB_TEMP_DIR": str(tmp_path / "spill")}.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    from revenue_warehouse.loader.api import connect as loader_connect

    for con in (duckdb_limits.connect(tmp_path / "a.duckdb"), loader_connect(tmp_path / "b.duckdb")):
        row = con.execute(SETTINGS_SQL).fetchone()
        con.close()
        assert {"memory_limit": row[0], "threads": str(row[1]), "temp_directory": row[2]} == expected(
            tmp_path / "spill"
        )


def test_unset_limits_leave_duckdb_defaults_and_bad_threads_are_refused() -> None:
    assert duckdb_limits.duckdb_config({}) == {}
    with pytest.raises(ValueError, match="WAREHOUSE_DUCKDB_THREADS"):
        duckdb_limits.duckdb_config({"WAREHOUSE_DUCKDB_THREADS": "0"})


@pytest.mark.slow
def test_dbt_connections_get_the_limits_through_the_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {**LIMITS, "WAREHOUSE_DUCKDB_TEMP_DIR": str(tmp_path / "spill")}.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    db = tmp_path / "build.duckdb"
    proc = run_dbt(
        ["show", "--inline", SETTINGS_SQL, "--output", "json", "--log-format", "json"],
        db,
        target_path=tmp_path / "target",
    )
    shown = None
    for line in proc.stdout.splitlines():
        data = json.loads(line).get("data", {}) if line.startswith("{") else {}
        if "preview" in data:
            shown = json.loads(data["preview"])[0]
    assert shown is not None, proc.stdout[-2000:]
    assert {k: str(v) for k, v in shown.items()} == expected(tmp_path / "spill")


def test_every_pipeline_connection_goes_through_the_limits() -> None:
    """No module of the pipeline opens DuckDB around the limits: every ``duckdb.connect(`` call in
    the package and the orchestration is in ``duckdb_limits`` itself, except the dashboard's, a
    reader process of the serving file that the pipeline's limits do not govern."""
    root = Path(__file__).resolve().parent.parent
    allowed = {Path("revenue_warehouse/duckdb_limits.py"), Path("revenue_warehouse/dashboard/queries.py")}
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("revenue_warehouse", "orchestration")
        for path in sorted((root / folder).rglob("*.py"))
        if path.relative_to(root) not in allowed
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "duckdb.connect(" in line
        and not line.lstrip().startswith(("#", '"""', 'f"'))
        and "``duckdb.connect``" not in line
    ]
    assert offenders == [], f"DuckDB opened without the configured limits at {offenders}"


SPILL_PROJECT = {
    "dbt_project.yml": (
        "name: spill_check\nversion: '1.0'\nconfig-version: 2\nprofile: revenue_warehouse\n"
        "models:\n  spill_check:\n    +materialized: table\n"
    ),
    # 3,000,000 distinct rows (7919 and the prime 100000007 are coprime): far more than 50MB to
    # deduplicate, so DuckDB spills to the profile's temp_directory
    "models/spilled.sql": "select distinct range * 7919 % 100000007 as x, 'padding-' || range as y from range(3000000)",
    "models/after_spill.sql": "select count(*) as n from {{ ref('spilled') }}",
}


@pytest.mark.slow
def test_dbt_connection_after_a_spill_keeps_working(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model that spills under the limit, then a model on dbt's next connection: through the
    project's profile both build (dbt-duckdb re-ran `SET temp_directory` on each new cursor when the
    limits were profile `settings`, and DuckDB refuses that once a query has spilled)."""
    from revenue_warehouse.dbt import PROJECT_DIR, dbt_env, dbt_executable

    for name, value in {
        "WAREHOUSE_DUCKDB_MEMORY_LIMIT": "50MB",
        "WAREHOUSE_DUCKDB_THREADS": "1",
        "WAREHOUSE_DUCKDB_TEMP_DIR": str(tmp_path / "spill"),
    }.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    project = tmp_path / "project"
    for relative, text in SPILL_PROJECT.items():
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(text, encoding="utf-8")
    db = tmp_path / "spill.duckdb"
    cmd = [dbt_executable(), "run", "--threads", "1", "--project-dir", str(project)]
    cmd += [
        "--profiles-dir",
        str(PROJECT_DIR),
        "--vars",
        json.dumps({**duckdb_limits.dbt_limits(db), "build_db": str(db)}),
    ]
    proc = subprocess.run(cmd, cwd=project, env=dbt_env(db, None), capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select n from main.after_spill").fetchall() == [(3_000_000,)]
