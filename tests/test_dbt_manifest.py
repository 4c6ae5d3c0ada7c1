"""``warehouse run`` parses the dbt project only when the manifest is stale: a fresh manifest (written
after every parse input changed, same environment) is reused as it is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from revenue_warehouse.dbt import prepare_manifest, run_dbt
from revenue_warehouse.paths import PROJECT_DIR

pytestmark = pytest.mark.slow

MANIFEST = PROJECT_DIR / "target" / "manifest.json"


def test_a_fresh_manifest_is_not_parsed_again_a_stale_one_is(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    prepare_manifest(db)  # whatever state target/ was in, now it is fresh for this environment
    written = MANIFEST.stat().st_mtime_ns
    assert prepare_manifest(db) is False
    assert MANIFEST.stat().st_mtime_ns == written
    # a parse input changed after the manifest was written (seen as the manifest being older than it)
    old = (PROJECT_DIR / "dbt_project.yml").stat().st_mtime - 60
    os.utime(MANIFEST, (old, old))
    assert prepare_manifest(db) is True
    assert MANIFEST.stat().st_mtime_ns > written
    # another build file name is another environment: dbt-duckdb names the database after the file
    assert prepare_manifest(tmp_path / "other" / "warehouse.duckdb") is True
    assert prepare_manifest(tmp_path / "other" / "warehouse.duckdb") is False
    assert prepare_manifest(db) is True


def test_a_new_data_folder_reuses_the_manifest_dbt_would_parse_there(tmp_path: Path) -> None:
    """A build file of the same name in another folder (a fresh data dir) is not parsed again, and that is
    sound: what dbt parses for the new folder is the manifest reused, apart from its run metadata."""
    prepare_manifest(tmp_path / "first" / "build.duckdb")
    elsewhere = tmp_path / "second" / "build.duckdb"
    assert prepare_manifest(elsewhere) is False
    run_dbt(["parse"], elsewhere, target_path=tmp_path / "target")
    parsed = without_run_metadata(json.loads((tmp_path / "target" / "manifest.json").read_text()))
    reused = without_run_metadata(json.loads(MANIFEST.read_text()))
    assert {n["database"] for n in parsed["nodes"].values()} == {"build"}
    assert parsed == reused


def test_other_duckdb_limits_reuse_the_manifest_dbt_would_parse_with_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The DuckDB limits reach only the connection (the profile's ``config_options``): a run with other
    limits (a scale-100 run with a memory limit before a scale-10 run without) does not parse again, and
    that is sound: what dbt parses with them is the manifest reused, apart from its run metadata."""
    from revenue_warehouse.settings import reset_settings

    db = tmp_path / "build.duckdb"
    prepare_manifest(db)
    monkeypatch.setenv("WAREHOUSE_DUCKDB_MEMORY_LIMIT", "3GB")
    monkeypatch.setenv("WAREHOUSE_DUCKDB_THREADS", "1")
    monkeypatch.setenv("WAREHOUSE_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    reset_settings()
    assert prepare_manifest(db) is False
    proc = run_dbt(["parse", "--no-partial-parse"], db, target_path=tmp_path / "target")
    assert '"duckdb_memory_limit": "3GB"' in proc.args[proc.args.index("--vars") + 1]
    parsed = without_run_metadata(json.loads((tmp_path / "target" / "manifest.json").read_text()))
    assert parsed == without_run_metadata(json.loads(MANIFEST.read_text()))


def without_run_metadata(value: Any) -> Any:
    """A manifest without what differs between two parses of the same project: its ``metadata`` (run
    id, time) and every resource's parse time ``created_at``."""
    if isinstance(value, dict):
        return {k: without_run_metadata(v) for k, v in value.items() if k not in ("metadata", "created_at")}
    if isinstance(value, list):
        return [without_run_metadata(v) for v in value]
    return value


def test_make_warehouse_run_and_the_code_location_prepare_the_manifest_one_way(tmp_path: Path) -> None:
    """The code location prepares a stale manifest itself when it loads (no `make manifest` needed first),
    through the same function as `make manifest` and `warehouse run`: after it, both find it fresh."""
    env = {
        **os.environ,
        "WAREHOUSE_BUILD_DB": str(tmp_path / "build.duckdb"),
        "WAREHOUSE_EXTRACTS_DIR": str(tmp_path / "extracts"),
    }
    prepare_manifest(tmp_path / "build.duckdb")
    old = (PROJECT_DIR / "dbt_project.yml").stat().st_mtime - 60
    os.utime(MANIFEST, (old, old))  # stale: a parse input changed after it was written
    load = subprocess.run(
        [sys.executable, "-c", "import orchestration.definitions"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert load.returncode == 0, load.stderr[-2000:]
    assert MANIFEST.stat().st_mtime > old + 60
    make = subprocess.run(
        [sys.executable, "-m", "revenue_warehouse.dbt"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert (make.returncode, make.stdout) == (0, "dbt manifest: fresh, not parsed again\n"), make.stderr
    assert prepare_manifest(tmp_path / "build.duckdb") is False  # what `warehouse run` calls
    # and nothing else runs dbt parse: the Makefile's manifest target is that module, `warehouse run` and
    # the code location call prepare_manifest
    recipe = (PROJECT_DIR / "Makefile").read_text().split("\nmanifest:", 1)[1].split("\n\n", 1)[0]
    assert recipe.splitlines()[1].strip() == "$(BIN)/python -m revenue_warehouse.dbt"
    sources = [
        *(PROJECT_DIR / "revenue_warehouse").rglob("*.py"),
        *(PROJECT_DIR / "orchestration").rglob("*.py"),
    ]
    parsing = sorted(
        p.name for p in sources if '["parse"]' in p.read_text() or "dbt parse --" in p.read_text()
    )
    assert parsing == ["dbt.py"]
    assert "prepare_manifest(db)" in (PROJECT_DIR / "revenue_warehouse" / "commands" / "run.py").read_text()
