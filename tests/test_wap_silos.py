"""Silos as configuration and schema drift, through the real ``refresh`` job (what ``warehouse run``
runs) on simulated extracts: a company with marketing automation and a CRM but no billing system
publishes its marketing, sales and funnel marts, the checks needing billing report
``not_applicable`` with the reason and the run summary lists them; then a renamed stage column
fails its file naming both columns and nothing is published."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from wap_support import read_rows, served, write_rows

from revenue_warehouse.publish import current_generation
from revenue_warehouse.settings import reset_settings

pytestmark = pytest.mark.slow
SIM = {"scale": 0.05, "seed": 5, "start": date(2024, 1, 1), "end": date(2024, 12, 31)}
NEEDS_BILLING = {
    "won_deal_has_billing_customer",
    "won_deal_has_subscription_in_time",
    "deal_amount_matches_subscription",
    "term_end_has_renewal_opportunity",
    "ended_term_has_outcome",
    # the recent-window sub-checks that checks.yml ships on the handoff expectations needing billing
    "won_deal_has_billing_customer.recent_7d",
    "won_deal_has_subscription_in_time.recent_7d",
    "term_end_has_renewal_opportunity.recent_28d",
    "ended_term_has_outcome.recent_28d",
}


def null_stages(build: Path) -> int:
    con = duckdb.connect(str(build), read_only=True)
    try:
        return con.execute(
            "select count(*) from raw_salesforce.opportunity where stage_name is null"
        ).fetchone()[0]
    finally:
        con.close()


def test_marketing_and_crm_only_publish_and_a_renamed_column_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.refresh import run_refresh
    from revenue_warehouse.dbt import prepare_manifest
    from revenue_warehouse.quality.report import wap_summary
    from revenue_warehouse.simulator import generate

    extracts, build, serving = tmp_path / "extracts", tmp_path / "build.duckdb", tmp_path / "serving.duckdb"
    generate(extracts, **SIM)
    shutil.rmtree(extracts / "stripe")  # this company has no billing system
    company = tmp_path / "company.yml"
    company.write_text("systems: [marketing, crm]\n")
    monkeypatch.setenv("WAREHOUSE_COMPANY_CONFIG", str(company))
    monkeypatch.setenv("WAREHOUSE_SERVING_DB", str(serving))
    monkeypatch.setenv("WAREHOUSE_DATA_DOCS_DIR", str(tmp_path / "docs"))
    reset_settings()  # settings are read once per process: take the changed environment
    prepare_manifest()

    first = run_refresh(extracts, build)
    assert first.success, first.errors
    assert current_generation(serving) == first.run_id
    for mart in (
        "marketing.fct_leads",
        "sales.fct_opportunities",
        "funnel.fct_handoffs",
        "funnel.fct_revenue_funnel",
    ):
        assert served(serving, f"select count(*) from {mart}")[0][0] > 0, mart
    # billing models build empty with their columns
    assert served(serving, "select count(*) from customer_success.fct_renewals") == [(0,)]
    statuses = dict(
        served(
            serving, f"select expectation, status from audit.check_results where run_id = '{first.run_id}'"
        )
    )
    assert {e for e, s in statuses.items() if s == "not_applicable"} == NEEDS_BILLING
    assert statuses["won_deal_has_cs_introduction"] == "passed"  # a CRM check still applies
    assert statuses["declared_system_loaded"] == "passed"
    reasons = served(
        serving,
        f"select distinct reason from audit.check_results where run_id = '{first.run_id}' and status = 'not_applicable'",
    )
    assert reasons == [(f"no billing system ({company})",)]
    summary = wap_summary(build, serving, first.run_id)
    assert f"{len(NEEDS_BILLING)} not applicable" in summary
    assert (
        "NOT APPLICABLE handoff sales_to_customer_success: expectation won_deal_has_billing_customer not_applicable: no billing system"
        in summary
    )

    # The CRM renames the opportunity stage column in its latest delivery: that file fails naming both
    # columns, the run fails and the served file stays as it was.
    latest = sorted((extracts / "salesforce" / "opportunity").glob("*.csv"))[-1]
    header, rows = read_rows(latest)
    write_rows(latest, ["stage" if c == "stage_name" else c for c in header],
               [{("stage" if k == "stage_name" else k): v for k, v in r.items()} for r in rows])  # fmt: skip
    before, nulls_before = serving.read_bytes(), null_stages(build)
    second = run_refresh(extracts, build)
    assert not second.success
    assert serving.read_bytes() == before
    [(file, error)] = second.failed_files
    assert file.endswith(f"salesforce/opportunity/{latest.name}")
    assert "declared column 'stage_name' missing, undeclared column 'stage' present" in error
    assert null_stages(build) == nulls_before  # no opportunity lost its stage to the rename
