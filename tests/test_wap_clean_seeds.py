"""No false alarms: clean generated data, with dirt switched off and on, over several seeds, passes
every blocking GX check (the shared seed-7 extracts are checked by test_wap_e2e's first run)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from revenue_warehouse.dbt import run_dbt
from revenue_warehouse.loader import load_extracts
from revenue_warehouse.quality.runner import run_checks

pytestmark = pytest.mark.slow
START, END = date(2023, 1, 1), date(2024, 12, 31)


@pytest.mark.parametrize(("seed", "dirt"), [(3, "off"), (11, None)], ids=["seed3-dirt-off", "seed11-dirt-on"])
def test_clean_data_passes_every_blocking_check(seed: int, dirt: str | None, tmp_path: Path) -> None:
    from revenue_warehouse.simulator import generate

    extracts, db = tmp_path / "extracts", tmp_path / "build.duckdb"
    generate(extracts, scale=0.05, seed=seed, start=START, end=END, **({"dirt": dirt} if dirt else {}))
    load_extracts(db, extracts, run_id=f"seed-{seed}")
    run_dbt(["build"], db, dbt_vars={"as_of_date": END.isoformat()}, target_path=tmp_path / "target")
    results = run_checks(db, f"seed-{seed}", as_of=END, docs_dir=None)
    blocking_failures = [r.message() for r in results if r.blocking_failure]
    assert blocking_failures == []
    # the checks really looked at records of every handoff
    checked = {r.expectation: r.element_count for r in results}
    assert checked["mql_has_sales_owner"] > 0
    assert checked["won_deal_has_cs_introduction"] > 0
    assert checked["term_end_has_renewal_opportunity"] > 0
