"""DuckDB limits from the environment reach every connection: the Python ones (loader, checks,
publish, orchestration use ``duckdb_limits.connect``) and dbt's, through the profile's settings."""

from __future__ import annotations

import json
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
