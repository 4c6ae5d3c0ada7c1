"""The publication gate and ``warehouse publish``: only a build whose every blocking check ran and
passed for the run is published; anything else leaves the served file byte-identical."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.cli import main
from revenue_warehouse.publish import current_generation
from revenue_warehouse.quality.config import load_config
from revenue_warehouse.quality.gate import NotChecked, assert_publishable
from revenue_warehouse.quality.results import CheckFailed, CheckResult, write_results


def result(suite: str, expectation: str, severity: str, success: bool, run_id: str = "run-1") -> CheckResult:
    return CheckResult(
        run_id=run_id, suite=suite, gx_suite=suite, expectation=expectation, gx_expectation="expect_x",
        guards="funnel.fct_handoffs", handoff=suite, severity=severity, success=success,
        observed_value="", threshold="", element_count=10, failing_record_count=0 if success else 2,
        sample_failing_keys=[] if success else ["a", "b"],
    )  # fmt: skip


def all_results(run_id: str, failing: tuple[str, str] | None = None) -> list[CheckResult]:
    return [
        result(c.suite, c.expectation, c.severity, (c.suite, c.expectation) != failing, run_id)
        for c in load_config().checks.values()
    ]


def make_build(path: Path, results: list[CheckResult]) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marketing; create table marketing.fct_leads as select 1 as lead_id")
        write_results(con, results)
    finally:
        con.close()


def test_gate_requires_every_blocking_check_to_have_run_and_passed(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    duckdb.connect(str(db)).close()
    with pytest.raises(NotChecked, match="no check results"):
        assert_publishable(db)
    partial = [r for r in all_results("run-1") if r.suite != "customer_success_to_renewal"]
    make_build(db, partial)
    with pytest.raises(NotChecked, match="customer_success_to_renewal.ended_term_has_outcome"):
        assert_publishable(db, "run-1")
    con = duckdb.connect(str(db))
    write_results(
        con, all_results("run-2", failing=("sales_to_customer_success", "won_deal_has_cs_introduction"))
    )
    write_results(con, all_results("run-3", failing=("marketing_to_sales", "crm_lead_has_marketing_contact")))
    con.close()
    with pytest.raises(
        CheckFailed, match="handoff sales_to_customer_success: expectation won_deal_has_cs_intro"
    ):
        assert_publishable(db, "run-2")
    # A failing warning does not block.
    assert len(assert_publishable(db, "run-3")) == len(load_config().checks)


def test_warehouse_publish_refuses_a_failed_run_and_publishes_a_passed_one(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    serving, good, bad = tmp_path / "serving.duckdb", tmp_path / "good.duckdb", tmp_path / "bad.duckdb"
    make_build(good, all_results("good-run"))
    make_build(bad, all_results("bad-run", failing=("customer_success_to_renewal", "ended_term_has_outcome")))
    assert main(["publish", "--db", str(good), "--serving", str(serving)]) == 0
    assert current_generation(serving) == "good-run"
    before = serving.read_bytes()
    assert main(["publish", "--db", str(bad), "--serving", str(serving)]) == 1
    out = capsys.readouterr().out
    assert (
        "not published" in out and "handoff customer_success_to_renewal" in out and "sample ids: a, b" in out
    )
    assert serving.read_bytes() == before


def test_run_summary_reports_marts_checks_and_publication(tmp_path: Path) -> None:
    from revenue_warehouse.publish import publish
    from revenue_warehouse.quality.report import wap_summary

    serving, good, bad = tmp_path / "serving.duckdb", tmp_path / "good.duckdb", tmp_path / "bad.duckdb"
    make_build(good, all_results("good-run"))
    make_build(
        bad, all_results("bad-run", failing=("sales_to_customer_success", "won_deal_has_cs_introduction"))
    )
    publish(good, serving, generation="good-run")
    text = wap_summary(good, serving, "good-run")
    assert "marketing.fct_leads" in text and f"published: {serving} (generation good-run)" in text
    assert f"GX checks: {len(load_config().checks)} passed, 0 warned, 0 failed (blocking)" in text
    text = wap_summary(bad, serving, "bad-run")
    assert f"NOT published: {serving} still serves generation good-run" in text
    assert "FAIL handoff sales_to_customer_success: expectation won_deal_has_cs_introduction failed" in text
    assert "http://127.0.0.1:3000" in text and "read_only=True" in text
