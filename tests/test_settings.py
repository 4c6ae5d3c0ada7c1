"""The typed settings object: defaults, overrides, one-line errors naming the variable, DuckDB
limits that reach a real connection, and no module that writes the environment."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from test_loader_support import sample_rows, write_extract

from revenue_warehouse.settings import (
    PROJECT_DIR,
    DuckDBLimits,
    PostgresSettings,
    Settings,
    SettingsError,
    get_settings,
)


def test_defaults_hang_off_the_data_directory(tmp_path: Path) -> None:
    s = Settings.from_env({"WAREHOUSE_DATA_DIR": str(tmp_path)})
    assert s.extracts_dir == tmp_path / "extracts"
    assert s.build_db == tmp_path / "warehouse" / "build.duckdb"
    assert s.serving_db == tmp_path / "warehouse" / "serving.duckdb"
    assert s.data_docs_dir == tmp_path / "quality" / "data_docs"
    assert s.checks_config == PROJECT_DIR / "revenue_warehouse" / "quality" / "checks.yml"
    assert (s.start_date, s.pii_salt) == (None, None)
    assert (s.future_extract_days, s.as_of_max_jump_days) == (1, 31)
    assert s.data_docs_runs == 30
    assert s.duckdb.config() == {}
    assert s.log_file == tmp_path / "logs" / "warehouse.log"
    assert s.company_config == PROJECT_DIR / "revenue_warehouse" / "company.yml"
    assert s.dbt_manifest == PROJECT_DIR / "target" / "manifest.json"
    assert s.spark_dir == tmp_path / "spark"
    assert (s.serving_storage_version, s.dagster_home) == ("v1.1.0", None)
    assert s.postgres == PostgresSettings("127.0.0.1", 5432, "postgres", "", "warehouse")


def test_every_variable_overrides_its_field(tmp_path: Path) -> None:
    s = Settings.from_env(
        {
            "WAREHOUSE_EXTRACTS_DIR": str(tmp_path / "x"),
            "WAREHOUSE_BUILD_DB": str(tmp_path / "b.duckdb"),
            "WAREHOUSE_SERVING_DB": str(tmp_path / "s.duckdb"),
            "WAREHOUSE_START_DATE": "2024-02-01",
            "WAREHOUSE_PII_SALT": "pepper",
            "WAREHOUSE_FUTURE_EXTRACT_DAYS": "0",
            "WAREHOUSE_AS_OF_MAX_JUMP_DAYS": "7",
            "WAREHOUSE_DATA_DOCS_RUNS": "0",
            "WAREHOUSE_DUCKDB_MEMORY_LIMIT": "300MB",
            "WAREHOUSE_DUCKDB_THREADS": "1",
            "WAREHOUSE_DUCKDB_TEMP_DIR": str(tmp_path / "spill"),
            "WAREHOUSE_LOG_FILE": str(tmp_path / "w.log"),
            "WAREHOUSE_COMPANY_CONFIG": str(tmp_path / "company.yml"),
            "WAREHOUSE_DBT_MANIFEST": str(tmp_path / "manifest.json"),
            "WAREHOUSE_SPARK_DIR": str(tmp_path / "spark-here"),
            "WAREHOUSE_SERVING_STORAGE_VERSION": "v1.2.0",
            "DAGSTER_HOME": str(tmp_path / "dagster"),
            "WAREHOUSE_PG_HOST": "db.example.com",
            "WAREHOUSE_PG_PORT": "6543",
            "WAREHOUSE_PG_USER": "loader",
            "WAREHOUSE_PG_PASSWORD": "secret",
            "WAREHOUSE_PG_DBNAME": "revenue",
        }
    )
    assert (s.log_file, s.company_config, s.dbt_manifest, s.spark_dir, s.dagster_home) == (
        tmp_path / "w.log",
        tmp_path / "company.yml",
        tmp_path / "manifest.json",
        tmp_path / "spark-here",
        tmp_path / "dagster",
    )
    assert s.serving_storage_version == "v1.2.0"
    assert s.postgres == PostgresSettings("db.example.com", 6543, "loader", "secret", "revenue")
    assert (s.extracts_dir, s.build_db, s.serving_db) == (
        tmp_path / "x",
        tmp_path / "b.duckdb",
        tmp_path / "s.duckdb",
    )
    assert (s.start_date, s.pii_salt) == (date(2024, 2, 1), "pepper")
    assert (s.future_extract_days, s.as_of_max_jump_days) == (0, 7)
    assert s.data_docs_runs == 0
    assert s.duckdb == DuckDBLimits("300MB", 1, tmp_path / "spill")
    assert s.replace(build_db="other.duckdb").build_db == Path("other.duckdb").resolve()


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("WAREHOUSE_START_DATE", "yesterday"),
        ("WAREHOUSE_DUCKDB_THREADS", "-2"),
        ("WAREHOUSE_START_DATE", "2024-13-01"),
        ("WAREHOUSE_FUTURE_EXTRACT_DAYS", "-1"),
        ("WAREHOUSE_AS_OF_MAX_JUMP_DAYS", "a week"),
        ("WAREHOUSE_PG_PORT", "postgres"),
        ("WAREHOUSE_DATA_DOCS_RUNS", "-3"),
    ],
)
def test_a_bad_value_is_a_one_line_error_naming_the_variable(var: str, value: str) -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env({var: value})
    assert var in str(err.value) and value in str(err.value) and "\n" not in str(err.value)


def test_duckdb_limits_reach_a_real_connection(tmp_path: Path) -> None:
    limits = DuckDBLimits(memory_limit="256MB", threads=1, temp_directory=tmp_path / "spill")
    with duckdb.connect(str(tmp_path / "x.duckdb"), config=limits.config()) as con:
        threads, memory, temp = con.execute(
            "select current_setting('threads'), current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
    assert (threads, temp) == (1, str(tmp_path / "spill"))
    assert memory.startswith("2") and "MiB" in memory  # DuckDB reports 256MB as 244.1 MiB


def test_settings_are_read_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WAREHOUSE_BUILD_DB", str(tmp_path / "first.duckdb"))
    first = get_settings()
    monkeypatch.setenv("WAREHOUSE_BUILD_DB", str(tmp_path / "second.duckdb"))
    assert get_settings() is first and first.build_db == tmp_path / "first.duckdb"


# The one exception: the local Spark JVM that pyspark launches reads these two from the process
# environment only (not configuration of this project, and never read back by it).
SPARK_LAUNCH_VARIABLES = {"'SPARK_LOCAL_IP'", "'PYSPARK_PYTHON'"}


def _environ_writes(path: Path) -> list[str]:
    """``os.environ[...] =``, ``os.environ.update/setdefault/pop``, ``os.putenv`` in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        targets = node.targets if isinstance(node, ast.Assign) else []
        for t in targets:
            if isinstance(t, ast.Subscript) and ast.unparse(t.value) == "os.environ":
                found.append(f"{path}:{node.lineno}")
        if isinstance(node, ast.Call) and ast.unparse(node.func) in {
            "os.environ.update",
            "os.environ.setdefault",
            "os.environ.pop",
            "os.putenv",
        }:
            spark_launch = (
                path.name == "spark.py" and node.args and ast.unparse(node.args[0]) in SPARK_LAUNCH_VARIABLES
            )
            if not spark_launch:
                found.append(f"{path}:{node.lineno}")
    return found


def test_no_module_writes_the_environment() -> None:
    modules = [
        *(PROJECT_DIR / "revenue_warehouse").rglob("*.py"),
        *(PROJECT_DIR / "orchestration").rglob("*.py"),
    ]
    assert len(modules) > 20
    assert [w for m in modules for w in _environ_writes(m)] == []


# Reading the environment is the settings' job. dbt.py copies it whole for the dbt subprocess, and
# spark.py passes SPARK_LOCAL_IP on to the Spark JVM (not this project's configuration).
ENVIRONMENT_READERS = {"settings.py", "dbt.py", "spark.py"}


def _environ_reads(path: Path) -> list[str]:
    """``os.environ`` or ``os.getenv`` used anywhere in a module."""
    return [
        f"{path}:{node.lineno}"
        for node in ast.walk(ast.parse(path.read_text()))
        if (isinstance(node, ast.Attribute) and ast.unparse(node) in {"os.environ", "os.getenv"})
    ]


def test_only_the_settings_read_the_environment() -> None:
    modules = [
        *(PROJECT_DIR / "revenue_warehouse").rglob("*.py"),
        *(PROJECT_DIR / "orchestration").rglob("*.py"),
    ]
    reads = [r for m in modules if m.name not in ENVIRONMENT_READERS for r in _environ_reads(m)]
    assert reads == []


def test_partitions_module_reads_nothing_at_import() -> None:
    """A broken WAREHOUSE_START_DATE fails the settings, never the import of the partitions module."""
    proc = subprocess.run(
        [sys.executable, "-c", "import orchestration.partitions"],
        cwd=PROJECT_DIR,
        env={"WAREHOUSE_START_DATE": "not-a-date", "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def test_partitions_start_at_the_first_extract_date_unless_configured(tmp_path: Path) -> None:
    from orchestration.partitions import DEFAULT_START, partitions_for

    def first(start: date | None) -> str:
        return partitions_for(start, extracts).get_first_partition_key()

    extracts = tmp_path / "extracts"
    assert first(None) == DEFAULT_START.isoformat()
    for day in (date(2024, 5, 3), date(2024, 5, 1)):
        write_extract(extracts, "stripe", "invoice", day, sample_rows("stripe", "invoice", 1))
    assert first(None) == "2024-05-01"
    assert first(date(2024, 1, 1)) == "2024-01-01"
