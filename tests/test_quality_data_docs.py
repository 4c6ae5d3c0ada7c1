"""GX Data Docs on the shared built warehouse: built once per check run, after every suite, and its index
lists every validation GX stored for every suite and run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import AS_OF
from great_expectations.data_context.data_context.abstract_data_context import AbstractDataContext

from revenue_warehouse.quality.runner import run_checks
from revenue_warehouse.quality.suites import SUITES

pytestmark = pytest.mark.slow


def stored_validations(docs: Path) -> set[str]:
    """Every validation result GX stored (written when a suite is validated, before any docs are built),
    as the site-relative page the index must link: ``validations/<suite path>/<run>/<time>/<batch>.html``."""
    store = docs / ".validation_results"
    return {
        "validations/" + p.relative_to(store).with_suffix(".html").as_posix() for p in store.rglob("*.json")
    }


def test_docs_are_built_once_and_list_every_suites_latest_result(
    built_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[int] = []
    real_build = AbstractDataContext.build_data_docs

    def counted(self: AbstractDataContext, *args, **kwargs):  # GX's own build, counted
        builds.append(1)
        return real_build(self, *args, **kwargs)

    monkeypatch.setattr(AbstractDataContext, "build_data_docs", counted)
    docs = tmp_path / "docs"
    for run_id in ("run-1", "run-2"):
        run_checks(built_db, run_id, as_of=AS_OF, docs_dir=docs)
    assert len(builds) == 2  # once per check run, not once per validation
    site = docs / "all"
    pages = stored_validations(site)
    index = (site / "index.html").read_text()
    linked = set(re.findall(r"'_table_row_link_path': '(validations/[^']+\.html)'", index))
    assert pages and linked == pages
    assert all((site / page).is_file() for page in pages)
    # every suite's latest result: each suite has a page of the last run, and each run validated as many
    runs = {run: {p for p in pages if f"/{run}/" in p} for run in ("run-1", "run-2")}
    assert len(runs["run-1"]) == len(runs["run-2"]) and runs["run-1"] | runs["run-2"] == pages
    assert {p.split("/")[1] for p in runs["run-2"]} == set(SUITES)
