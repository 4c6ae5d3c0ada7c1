"""Shared fixtures: small generated extracts (dirt on), loaded through the real loader, built by
real dbt. Session scoped: generated and built once, copied where a test needs to change things."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
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


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder that ``build`` fills once per test run. Under pytest-xdist the workers share it: the first
    to need it builds it under a file lock, the others wait and reuse it (read-only, like every user of
    these session fixtures), so the simulation and the warehouse build are made once, not once per worker."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        folder = tmp_path_factory.mktemp(name)
        build(folder)
        return folder
    root = tmp_path_factory.getbasetemp().parent  # the run's temporary folder, shared by its workers
    folder = root / f"shared-{name}"
    with (root / f"shared-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".complete").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            (folder / ".complete").touch()
    return folder


def worker_copy(tmp_path_factory: pytest.TempPathFactory, name: str, shared: Path) -> Path:
    """This worker's own copy of a shared folder (a DuckDB file is opened read-write by some tests, and a
    second process may not open it then); the folder itself outside pytest-xdist."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return shared
    local = tmp_path_factory.mktemp(name)
    shutil.copytree(shared, local, dirs_exist_ok=True)
    return local


@pytest.fixture(scope="session")
def small_extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from revenue_warehouse.simulator import generate

    return built_once(tmp_path_factory, "extracts", lambda out: generate(out, **SIM))


@pytest.fixture(scope="session")
def loaded_db(small_extracts: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from revenue_warehouse.loader import load_extracts

    def load(folder: Path) -> None:
        load_extracts(folder / "build.duckdb", small_extracts, run_id="pytest")

    return (
        worker_copy(tmp_path_factory, "loaded", built_once(tmp_path_factory, "loaded", load)) / "build.duckdb"
    )


@pytest.fixture(scope="session")
def built_db(loaded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the loaded database with every dbt model built and every dbt test passing."""
    from revenue_warehouse.dbt import run_dbt

    def build(work: Path) -> None:
        db = work / "build.duckdb"
        shutil.copy(loaded_db, db)
        run_dbt(["build"], db, dbt_vars={"as_of_date": AS_OF.isoformat()}, target_path=work / "target")

    return (
        worker_copy(tmp_path_factory, "built", built_once(tmp_path_factory, "built", build)) / "build.duckdb"
    )


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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs a full dbt build ``slow`` (``make test-fast`` leaves them out)."""
    for item in items:
        if FULL_BUILD_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


# ``make test`` runs two pytest-xdist workers (``-n 2 --dist loadgroup``). A unit of work is one test
# module (its module-scoped fixtures are built once), except the modules below, which share state of the
# project checkout and so run as one unit, one after the other: they write the project's own
# ``target/`` (dbt parse/run without ``--target-path``; the Dagster code location and ``warehouse run``
# prepare ``target/manifest.json``, and ``test_dbt_manifest`` times its rewrites) or use the Makefile's
# ``DAGSTER_HOME``. A new test module that does any of that belongs here.
PROJECT_STATE_MODULES = frozenset(
    {
        "test_bring_your_own_data",
        "test_cli",
        "test_dbt_manifest",
        "test_failures_cli",
        "test_orchestration_definitions",
        "test_orchestration_raw",
        "test_orchestration_refresh",
        "test_quality_dagster",
        "test_run_output",
        "test_semantic_layer",
        "test_wap_dagster",
        "test_wap_definitions",
        "test_wap_silos",
    }
)
PROJECT_STATE = "project_state"
# Units handed out first, longest first (the `--durations` of the last CI), so that no long unit is left
# for the end while the other worker idles; the other units follow, most tests first.
LONGEST_FIRST = (
    PROJECT_STATE,
    "test_incremental_equivalence",
    "test_wap_kill",
    "test_dbt_mrr_as_of",
    "test_wap_e2e",
    "test_simulator_extend_build",
    "test_wap_clean_seeds",
    "test_dbt_reshaped_company",
    "test_analyst_guide",
    "test_rebuild_identical",
    "test_impossible_values",
)


def work_unit(nodeid: str) -> str:
    """The xdist work unit of a test: ``project_state`` for the modules above, else its module."""
    module = nodeid.split("::", 1)[0]
    return PROJECT_STATE if Path(module).stem in PROJECT_STATE_MODULES else module


def unit_rank(unit: str, tests: int) -> tuple[int, int]:
    name = Path(unit).stem
    first = LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)
    return first, -tests


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadgroup`` with the units above. (pytest-xdist 3.8's own loadgroup, which reads
    ``xdist_group`` marks, does nothing on pytest 9.2: pytest-dev/pytest-xdist#1386.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ProjectScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

        def _assign_work_unit(self, node: object) -> None:
            for unit in sorted(self.workqueue, key=lambda u: unit_rank(u, len(self.workqueue[u]))):
                self.workqueue.move_to_end(unit)
            super()._assign_work_unit(node)

    return ProjectScheduling(config, log)
