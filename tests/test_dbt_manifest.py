"""``warehouse run`` parses the dbt project only when the manifest is stale: a fresh manifest (written
after every parse input changed, same environment) is reused as it is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from revenue_warehouse.dbt import prepare_manifest
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
    # another environment (the profile reads the build file from WAREHOUSE_BUILD_DB)
    assert prepare_manifest(tmp_path / "other" / "build.duckdb") is True
    assert prepare_manifest(tmp_path / "other" / "build.duckdb") is False
