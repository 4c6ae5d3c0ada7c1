"""The GX suites are visible in the Dagster code location: one GX-backed asset check per suite on
the check model it reads (blocking when checks.yml says so), and the publish asset downstream of them."""

from __future__ import annotations

import subprocess
import sys

import dagster as dg
import pytest

from revenue_warehouse.quality.config import load_config
from revenue_warehouse.quality.suites import SUITES


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs  # prepares the dbt manifest itself (dbt parse unless fresh)

    return defs


def test_definitions_carry_the_gx_asset_checks_and_the_gated_publish_asset(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    gx_checks = {k.name: k for k in graph.asset_check_keys if k.name.startswith("gx_")}
    assert set(gx_checks) == {f"gx_{name}" for name in SUITES}
    expected_asset = {
        "gx_load_completeness": "quality/qc_staging_ids",
        "gx_marketing_to_sales": "quality/qc_mql_has_sales_owner",
        "gx_sales_to_customer_success": "quality/qc_won_deal_has_cs_introduction",
        "gx_customer_success_to_renewal": "quality/qc_term_end_has_renewal_opportunity",
    }
    config = load_config()
    for name, key in gx_checks.items():
        assert key.asset_key.to_user_string() == expected_asset[name]
        # the guarded mart is a real dbt asset of the code location, not a dangling key
        assert graph.get(key.asset_key).is_materializable, f"{key.asset_key} is not a dbt asset"
        spec = graph.get_check_spec(key)
        suite = SUITES[name.removeprefix("gx_")]
        assert spec.blocking == any(config.get(suite.name, e).blocking for e in suite.expectation_names)
        assert getattr(spec.metadata["gx_suite"], "value", spec.metadata["gx_suite"]) == suite.name
    publish = graph.get(dg.AssetKey(["serving", "warehouse"]))
    assert {k.asset_key for k in gx_checks.values()} <= publish.parent_keys
    refresh = defs.resolve_job_def("refresh")
    assert dg.AssetKey(["serving", "warehouse"]) in refresh.asset_layer.executable_asset_keys
    assert set(gx_checks.values()) <= set(refresh.asset_layer.asset_graph.asset_check_keys)
    # Loading the code location imports neither Great Expectations (about 7 s per process) nor pandas
    # (about 1 s; the GX preload imports it while dbt runs)
    code = "import sys, orchestration.definitions; print('great_expectations' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[-2:] == ["False", "False"]


def test_a_refresh_run_preloads_great_expectations_and_a_load_run_does_not(defs: dg.Definitions) -> None:
    from orchestration.quality import runs_gx_checks

    assert runs_gx_checks(defs.resolve_job_def("refresh"))
    assert not runs_gx_checks(defs.resolve_job_def("load_raw"))
    # preload_gx imports GX in a background thread (warehouse run overlaps it with the loads and dbt)
    code = (
        "import sys; from orchestration.quality import preload_gx; t = preload_gx(); "
        "print('great_expectations' in sys.modules, end=' '); t.join(); "
        "print(sys.modules['great_expectations'].__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[-1] == "great_expectations"
