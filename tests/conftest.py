"""Shared fixtures: small generated extracts (dirt on), loaded through the real loader, built by
real dbt. Session scoped: generated and built once, copied where a test needs to change things."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from revenue_warehouse import paths

# The simulation every end-to-end test shares: small, with every kind of dirt switched on.
SIM = {"scale": 0.1, "seed": 7, "start": date(2023, 1, 1), "end": date(2025, 6, 30)}
AS_OF = SIM["end"]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """Fivetran's reference fixtures (``../shared`` beside the project, or ``WAREHOUSE_SHARED_DIR``).
    Optional: the core tests use the project's own tests/fixtures; these extra tests skip without it."""
    override = os.environ.get("WAREHOUSE_SHARED_DIR")
    path = Path(override) if override else paths.PROJECT_DIR.parent / "shared"
    if not (path / "fixtures" / "fivetran").is_dir():
        pytest.skip(
            f"reference fixtures not present: no fixtures/fivetran in {path} (set WAREHOUSE_SHARED_DIR)"
        )
    return path


@pytest.fixture(scope="session")
def small_extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from revenue_warehouse.simulator import generate

    out = tmp_path_factory.mktemp("extracts")
    generate(out, **SIM)
    return out


@pytest.fixture(scope="session")
def loaded_db(small_extracts: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from revenue_warehouse.loader import load_extracts

    db = tmp_path_factory.mktemp("loaded") / "build.duckdb"
    load_extracts(db, small_extracts, run_id="pytest")
    return db


@pytest.fixture(scope="session")
def built_db(loaded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the loaded database with every dbt model built and every dbt test passing."""
    from revenue_warehouse.dbt import run_dbt

    work = tmp_path_factory.mktemp("built")
    db = work / "build.duckdb"
    shutil.copy(loaded_db, db)
    run_dbt(["build"], db, dbt_vars={"as_of_date": AS_OF.isoformat()}, target_path=work / "target")
    return db


@pytest.fixture(scope="session")
def served_db(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared build published to a serving file (descriptions from the build's own dbt manifest)."""
    import os

    from revenue_warehouse.publish import publish
    from revenue_warehouse.settings import reset_settings

    serving = tmp_path_factory.mktemp("served") / "serving.duckdb"
    previous = os.environ.get("WAREHOUSE_DBT_MANIFEST")
    os.environ["WAREHOUSE_DBT_MANIFEST"] = str(built_db.parent / "target" / "manifest.json")
    reset_settings()  # settings are read once: read this manifest path
    try:
        publish(built_db, serving, generation="pytest-served")
    finally:
        if previous is None:
            os.environ.pop("WAREHOUSE_DBT_MANIFEST", None)
        else:
            os.environ["WAREHOUSE_DBT_MANIFEST"] = previous
        reset_settings()
    return serving


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Settings are read once per process; a test that changes the environment gets them read anew."""
    from revenue_warehouse.settings import reset_settings

    reset_settings()
    yield
    reset_settings()


# Fixtures that build the whole warehouse with dbt: a test that needs one is an end-to-end test.
FULL_BUILD_FIXTURES = {"built_db", "served_db"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs a full dbt build ``slow`` (``make test-fast`` leaves them out)."""
    for item in items:
        if FULL_BUILD_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
