"""The GX runner on small hand-made build files whose faults are known: exact failing counts, sample
keys, audit.check_results rows, Data Docs, configuration errors, and GX kept off import paths;
handoff check models: leaks below and above the floor, no_records, not_applicable, and an empty input
under a non-empty upstream."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.company import Company
from revenue_warehouse.paths import PROJECT_DIR
from revenue_warehouse.quality.config import load_config, validate_against
from revenue_warehouse.quality.results import CheckFailed, raise_on_blocking, read_results
from revenue_warehouse.quality.runner import run_checks
from revenue_warehouse.quality.suites import SUITES

FILE = "hubspot/contact/2024-01-01.csv"
# the hand-made builds below hold HubSpot (marketing) data only
MARKETING_ONLY = Company(frozenset({"marketing"}), frozenset({"marketing", "sales"}), "test")


def make_loaded_db(
    path: Path, missing_in_staging: tuple[int, ...], lost_rows: int, failed_files: int
) -> None:
    """50 contacts loaded from one file with 2 quarantined records (one of them for two reasons); ``lost_rows`` rows of the file are
    neither loaded nor quarantined; staging lacks ``missing_in_staging``; ``failed_files`` failed."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema raw_hubspot; create schema staging; create schema audit")
        con.execute(
            f"create table raw_hubspot.contact as select i as id, '{FILE}' as _source_file, "
            "date '2024-01-01' as _extract_date from range(1, 51) t(i)"
        )
        excluded = ", ".join(str(i) for i in missing_in_staging) or "-1"
        con.execute(
            "create view staging.stg_hubspot__contacts as "
            f"select id as contact_id from raw_hubspot.contact where id not in ({excluded})"
        )
        # what the dbt model quality.qc_staging_ids holds for it
        con.execute(
            "create schema quality; create table quality.qc_staging_ids as select 'stg_hubspot__contacts' as "
            "staging_model, 'raw_hubspot' as source_schema, 'contact' as source_table, 'contact_id' as key_column, "
            "count(distinct contact_id) as staging_ids from staging.stg_hubspot__contacts"
        )
        con.execute(
            "create table audit.load_manifest (system varchar, table_name varchar, extract_date date, file varchar, "
            "rows_in_file bigint, rows_loaded bigint, rows_quarantined bigint, status varchar, run_id varchar, "
            "loaded_at timestamp)"
        )
        con.execute(
            f"insert into audit.load_manifest values ('hubspot', 'contact', '2024-01-01', '{FILE}', "
            f"{52 + lost_rows}, 50, 2, 'loaded', 'r1', now())"
        )
        for i in range(failed_files):
            con.execute(
                "insert into audit.load_manifest values ('hubspot', 'contact', ?, ?, 0, 0, 0, 'failed', 'r1', now())",
                [f"2024-02-0{i + 1}", f"hubspot/contact/2024-02-0{i + 1}.csv"],
            )
        con.execute(
            "create table audit.quarantine (system varchar, table_name varchar, extract_date date, file varchar, "
            "row_number bigint, column_name varchar)"
        )
        # record 9 is quarantined for two reasons: still one record of the file
        con.execute(
            "insert into audit.quarantine values "
            f"('hubspot', 'contact', '2024-01-01', '{FILE}', 5, 'email'), "
            f"('hubspot', 'contact', '2024-01-01', '{FILE}', 9, 'email'), "
            f"('hubspot', 'contact', '2024-01-01', '{FILE}', 9, 'createdate')"
        )
    finally:
        con.close()


def by_name(results: list) -> dict:
    return {r.expectation: r for r in results}


def test_load_completeness_counts_exactly_the_broken_records(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    make_loaded_db(db, missing_in_staging=(3, 7, 11), lost_rows=4, failed_files=2)
    results = by_name(
        run_checks(db, "run-1", ["load_completeness"], docs_dir=tmp_path / "docs", company=MARKETING_ONLY)
    )
    assert results.pop("declared_system_loaded").success
    assert results["raw_ids_reach_staging"].failing_record_count == 3
    assert results["raw_ids_reach_staging"].sample_failing_keys == [
        "raw_hubspot.contact -> stg_hubspot__contacts"
    ]
    assert results["file_rows_accounted"].failing_record_count == 4
    assert results["file_rows_accounted"].sample_failing_keys == [FILE]
    assert results["file_loaded"].failing_record_count == 2
    assert all(not r.success and r.severity == "error" for r in results.values())
    with pytest.raises(CheckFailed) as failed:
        raise_on_blocking(list(results.values()))
    assert (
        "suite load_completeness: expectation raw_ids_reach_staging failed (error): 3 failing records"
        in str(failed.value)
    )
    # audit.check_results holds every result of the run, and re-running the suite replaces them.
    run_checks(db, "run-1", ["load_completeness"], docs_dir=None, company=MARKETING_ONLY)
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = by_name(read_results(con, "run-1"))
        assert con.execute("select count(*) from audit.check_results").fetchone()[0] == 4
    finally:
        con.close()
    assert stored["raw_ids_reach_staging"].failing_record_count == 3
    assert stored["file_rows_accounted"].threshold == "unaccounted_rows = 0"
    assert stored["file_loaded"].gx_expectation == "expect_column_values_to_be_in_set"
    # GX Data Docs HTML is written for people to browse, and its index keeps every run's validations.
    index = tmp_path / "docs" / "load_completeness" / "index.html"
    assert index.exists() and "run-1" in index.read_text()
    run_checks(db, "run-7", ["load_completeness"], docs_dir=tmp_path / "docs", company=MARKETING_ONLY)
    pages = set(re.findall(r"validations/load_completeness/(\w+)/(run-\d)/", index.read_text()))
    assert pages == {(f, r) for f in ("systems", "files", "raw_to_staging") for r in ("run-1", "run-7")}


def test_load_completeness_passes_on_complete_data(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    make_loaded_db(db, missing_in_staging=(), lost_rows=0, failed_files=0)
    results = run_checks(db, "run-2", ["load_completeness"], docs_dir=None, company=MARKETING_ONLY)
    assert [r.expectation for r in results if not r.success] == []
    assert all(r.failing_record_count == 0 for r in results)
    # a declared system that never delivered extracts is a missing feed
    everything = Company(frozenset({"marketing", "crm", "billing"}), frozenset(), "test")
    declared = by_name(run_checks(db, "run-3", ["load_completeness"], docs_dir=None, company=everything))
    missing = declared["declared_system_loaded"]
    assert (missing.success, missing.failing_record_count) == (False, 2)
    assert sorted(missing.sample_failing_keys) == ["salesforce", "stripe"]


def test_every_check_in_code_has_a_severity_and_thresholds(tmp_path: Path) -> None:
    config = load_config()
    validate_against(config, {n: s.expectation_names for n, s in SUITES.items()})
    assert {s for s, _ in config.checks} == set(SUITES)
    bad = tmp_path / "checks.yml"
    bad.write_text(
        "suites:\n  load_completeness:\n    file_loaded: {severity: error}\n    bogus: {severity: warn}\n"
    )
    with pytest.raises(ValueError, match="unknown check load_completeness.bogus"):
        validate_against(load_config(bad), {n: s.expectation_names for n, s in SUITES.items()})
    bad.write_text("suites:\n  load_completeness:\n    file_loaded: {severity: fatal}\n")
    with pytest.raises(ValueError, match="severity must be one of"):
        load_config(bad)
    bad.write_text("suites:\n  x:\n    y: {severity: error, kind: handoff}\n")
    with pytest.raises(ValueError, match="a handoff check needs a floor"):
        load_config(bad)
    handoff = [c for c in config.checks.values() if c.kind == "handoff"]
    assert handoff and all("floor" in c.params for c in handoff)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("suites:\n  x: [unclosed\n", r"checks.yml: line 3, column 1: expected ','"),
        ("- severity: error\n", r"checks.yml: the file must be a mapping \(name: value\), got list"),
        ("suites:\n  x:\n    - y\n", r"checks.yml: suites.x must be a mapping"),
        (
            "suites:\n  x:\n    y: {severity: error, kind: handoff, floor: most}\n",
            r"x.y: floor must be a number",
        ),
    ],
)
def test_a_malformed_checks_file_is_a_value_error_naming_file_and_place(
    tmp_path: Path, text: str, message: str
) -> None:
    bad = tmp_path / "checks.yml"
    bad.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_config(bad)


def test_great_expectations_stays_off_the_import_path() -> None:
    code = (
        "import sys, revenue_warehouse.quality.runner, revenue_warehouse.publish, revenue_warehouse.cli; "
        "print('great_expectations' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


WON_DEAL_MODELS = (
    "qc_won_deal_has_cs_introduction",
    "qc_won_deal_has_onboarding_kickoff",
    "qc_won_deal_has_billing_customer",
    "qc_won_deal_has_subscription_in_time",
    "qc_deal_amount_matches_subscription",
)


HAND_AS_OF = date(2025, 3, 31)


def make_handoff_db(
    path: Path,
    won_deals: int,
    leaking: tuple[int, ...],
    pending: int,
    onboarding: bool,
    recent: tuple[int, ...] = (),
) -> None:
    """``won_deals`` won New Business deals in sales.fct_opportunities; the check models hold one decided
    row per deal (``leaking`` ones not met) plus ``pending`` undecided ones, or nothing at all when
    ``onboarding`` is false (the onboarding mart came out empty). The ``recent`` deals came due 2 days
    before HAND_AS_OF, the others 60 days before."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema sales; create schema quality; create schema customer_success")
        con.execute(  # the dbt seed: which departments each handoff is between
            "create schema reference; create table reference.handoff_slas as select * from read_csv(?)",
            [str(PROJECT_DIR / "seeds" / "handoff_slas.csv")],
        )
        con.execute(
            "create table sales.fct_opportunities as select 'o' || i as opportunity_id, true as is_won, "
            "false as is_deleted, 'new_business' as deal_category from range(?) t(i)",
            [won_deals],
        )
        bad = ", ".join(f"'o{i}'" for i in leaking) or "''"
        new = ", ".join(str(i) for i in recent) or "-1"
        for model in WON_DEAL_MODELS:
            con.execute(
                f"create table quality.{model} as select 'o' || i as check_key, 'o' || i not in ({bad}) as is_met, "
                f"true as is_decided, cast(? as date) - cast(case when i in ({new}) then 2 else 60 end as integer) "
                "as due_date from range(?) t(i) where ? union all "
                "select 'p' || i, false, false, cast(? as date) from range(?) t(i) where ?",
                [HAND_AS_OF, won_deals, onboarding, HAND_AS_OF, pending, onboarding],
            )
    finally:
        con.close()


def handoff_config(tmp_path: Path, floor: float) -> object:
    import yaml

    raw = yaml.safe_load((Path(load_config().source)).read_text())
    raw["suites"]["sales_to_customer_success"]["won_deal_has_cs_introduction"]["floor"] = floor
    path = tmp_path / f"checks-{floor}.yml"
    path.write_text(yaml.safe_dump(raw))
    return load_config(path)


EVERYTHING = Company(
    frozenset({"marketing", "crm", "billing"}),
    frozenset({"marketing", "sales", "customer_success", "renewal"}),
    "test",
)


def test_leaks_below_the_floor_are_reported_and_above_it_block(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    make_handoff_db(db, won_deals=20, leaking=(3, 11), pending=4, onboarding=True)
    # 2 of 20 decided deals leak: 90% met, above the shipped floor (0.8): reported, not blocking
    results = by_name(
        run_checks(db, "run-1", ["sales_to_customer_success"], docs_dir=None, company=EVERYTHING)
    )
    intro = results["won_deal_has_cs_introduction"]
    assert (intro.success, intro.status, intro.kind) == (True, "passed", "handoff")
    assert (intro.failing_record_count, intro.element_count) == (2, 20)  # pending deals are not counted
    assert sorted(intro.sample_failing_keys) == ["o11", "o3"]
    raise_on_blocking(list(results.values()))
    con = duckdb.connect(str(db), read_only=True)
    stored = by_name(read_results(con, "run-1"))["won_deal_has_cs_introduction"]
    con.close()
    assert (stored.failing_record_count, stored.status, stored.success) == (2, "passed", True)
    # the same break under a floor of 0.95 blocks, naming handoff, expectation, count and ids
    strict = handoff_config(tmp_path, 0.95)
    results = run_checks(
        db, "run-2", ["sales_to_customer_success"], docs_dir=None, company=EVERYTHING, config=strict
    )
    with pytest.raises(CheckFailed) as failed:
        raise_on_blocking(results)
    message = str(failed.value)
    assert (
        "handoff sales_to_customer_success: expectation won_deal_has_cs_introduction failed (error): "
        in message
    )
    assert "2 failing records (20 rows checked" in message and "o3" in message and "o11" in message
    assert [f.expectation for f in failed.value.failures] == ["won_deal_has_cs_introduction"]


def test_empty_input_with_won_deals_fails_and_without_reports_no_records(tmp_path: Path) -> None:
    empty_onboarding = tmp_path / "empty.duckdb"
    make_handoff_db(empty_onboarding, won_deals=5, leaking=(), pending=0, onboarding=False)
    results = by_name(
        run_checks(empty_onboarding, "r", ["sales_to_customer_success"], docs_dir=None, company=EVERYTHING)
    )
    for result in results.values():
        assert (result.success, result.status, result.severity, result.kind) == (
            False,
            "failed",
            "error",
            "integrity",
        )
        assert "is empty while its upstream has 5 records" in result.reason
    with pytest.raises(
        CheckFailed, match="deal_amount_matches_subscription failed \\(error\\): quality.qc_deal_amount"
    ):
        raise_on_blocking(list(results.values()))

    nothing = tmp_path / "nothing.duckdb"
    make_handoff_db(nothing, won_deals=0, leaking=(), pending=0, onboarding=False)
    results = run_checks(nothing, "r", ["sales_to_customer_success"], docs_dir=None, company=EVERYTHING)
    assert {(r.status, r.success, r.failing_record_count) for r in results} == {("no_records", True, 0)}
    raise_on_blocking(results)

    only_pending = tmp_path / "pending.duckdb"
    make_handoff_db(only_pending, won_deals=0, leaking=(), pending=3, onboarding=True)
    results = run_checks(only_pending, "r", ["sales_to_customer_success"], docs_dir=None, company=EVERYTHING)
    assert {r.status for r in results} == {"no_records"}
    assert all("none of the 3 records" in r.reason for r in results)


def test_checks_of_an_absent_system_or_department_do_not_apply(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    make_handoff_db(db, won_deals=5, leaking=(0, 1, 2, 3), pending=0, onboarding=True)
    no_billing = Company(frozenset({"marketing", "crm"}), EVERYTHING.departments, "company.yml")
    results = by_name(run_checks(db, "r", ["sales_to_customer_success"], docs_dir=None, company=no_billing))
    applies = {"won_deal_has_cs_introduction", "won_deal_has_onboarding_kickoff"}
    for name, result in results.items():
        if name in applies:
            assert result.status == "failed"  # 4 of 5 leak: under any floor
        elif name.split(".")[0] in applies:  # its recent window: every deal came due 60 days ago
            assert (name, result.status) == ("won_deal_has_cs_introduction.recent_28d", "no_records")
        else:
            assert (result.status, result.success) == ("not_applicable", True)
            assert result.reason == "no billing system (company.yml)"
    no_cs = Company(EVERYTHING.systems, frozenset({"marketing", "sales"}), "company.yml")
    results = run_checks(
        db, "r", ["sales_to_customer_success", "customer_success_to_renewal"], docs_dir=None, company=no_cs
    )
    assert {r.status for r in results} == {"not_applicable"}
    assert all("no customer_success department" in r.reason for r in results)
    raise_on_blocking(results)


def test_a_feed_stopped_last_week_blocks_through_the_recent_window(tmp_path: Path) -> None:
    """50 decided won deals, 4 of them came due in the last week: when none of those 4 is billed (a
    billing sync that stopped) the overall share is 46/50 = 92%, above the 0.9 floor, yet the
    7-day window holds 0 of 4 met, under its 0.5 floor: the sub-check fails and blocks."""
    recent = (5, 17, 30, 44)
    broken = tmp_path / "broken.duckdb"
    make_handoff_db(broken, won_deals=50, leaking=recent, pending=3, onboarding=True, recent=recent)
    results = by_name(
        run_checks(
            broken, "r", ["sales_to_customer_success"], docs_dir=None, company=EVERYTHING, as_of=HAND_AS_OF
        )
    )
    overall = results["won_deal_has_billing_customer"]
    assert (overall.success, overall.failing_record_count, overall.element_count) == (True, 4, 50)
    window = results["won_deal_has_billing_customer.recent_7d"]
    assert (window.success, window.status, window.severity, window.kind) == (
        False,
        "failed",
        "error",
        "handoff",
    )
    assert (window.failing_record_count, window.element_count) == (4, 4)
    assert sorted(window.sample_failing_keys) == ["o17", "o30", "o44", "o5"]
    with pytest.raises(CheckFailed) as failed:
        raise_on_blocking(list(results.values()))
    message = str(failed.value)
    assert (
        "handoff sales_to_customer_success: expectation won_deal_has_billing_customer.recent_7d failed (error): "
        "4 failing records (4 rows checked" in message
    )
    assert all(f"o{i}" in message for i in recent)
    assert "won_deal_has_billing_customer failed" not in message  # the all-history floor held

    # the same deals billed: every window passes
    healthy = tmp_path / "healthy.duckdb"
    make_handoff_db(healthy, won_deals=50, leaking=(3,), pending=3, onboarding=True, recent=recent)
    results = run_checks(
        healthy, "r", ["sales_to_customer_success"], docs_dir=None, company=EVERYTHING, as_of=HAND_AS_OF
    )
    windows = [r for r in results if r.expectation.endswith(".recent_7d")]
    assert {(r.status, r.element_count) for r in windows} == {("passed", 4)}
    raise_on_blocking(results)

    # nothing came due in the last week: the window reports no_records, neither pass nor failure
    quiet = tmp_path / "quiet.duckdb"
    make_handoff_db(quiet, won_deals=50, leaking=(3,), pending=0, onboarding=True)
    results = by_name(
        run_checks(
            quiet, "r", ["sales_to_customer_success"], docs_dir=None, company=EVERYTHING, as_of=HAND_AS_OF
        )
    )
    window = results["won_deal_has_billing_customer.recent_7d"]
    assert (window.status, window.element_count) == ("no_records", 0)
    assert "due_date in the 7 days to 2025-03-31" in window.reason


def test_recent_window_configuration_errors(tmp_path: Path) -> None:
    import yaml

    raw = yaml.safe_load((Path(load_config().source)).read_text())
    billing = raw["suites"]["sales_to_customer_success"]["won_deal_has_billing_customer"]
    billing["recent_days"], billing["recent_floor"] = 0, 0.5
    path = tmp_path / "bad.yml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ValueError, match="won_deal_has_billing_customer: recent_days must be a whole number"):
        load_config(path)
    billing["recent_days"] = 7
    del billing["recent_floor"]
    path.write_text(yaml.safe_dump(raw))
    assert (
        load_config(path)
        .get("sales_to_customer_success", "won_deal_has_billing_customer")
        .params["recent_floor"]
        == 0.5
    )  # the documented default
    raw["suites"]["sales_to_customer_success"]["deal_amount_matches_subscription"]["recent_days"] = 7
    path.write_text(yaml.safe_dump(raw))
    db = tmp_path / "build.duckdb"
    make_handoff_db(db, won_deals=5, leaking=(), pending=0, onboarding=True)
    with pytest.raises(
        ValueError,
        match="deal_amount_matches_subscription .quality.qc_deal_amount_matches_subscription has no",
    ):
        run_checks(
            db,
            "r",
            ["sales_to_customer_success"],
            docs_dir=None,
            company=EVERYTHING,
            config=load_config(path),
        )


@pytest.mark.slow
def test_a_billing_sync_stop_on_the_built_warehouse_blocks(built_db: Path, tmp_path: Path) -> None:
    """The built warehouse (simulator, real dbt): the billing sync stops 27 days before the as-of date,
    so every won deal closed since loses its Stripe customer and subscription in the onboarding mart;
    the check models are rebuilt by dbt. The deals that came due in the last 7 days (closed
    quality_grace_days + 0..6 days ago, counted here by hand) all leak: the 7-day windows fail and
    block while the all-history shares stay above their floors."""
    import yaml
    from conftest import AS_OF

    from revenue_warehouse.dbt import run_dbt

    grace = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["quality_grace_days"]
    db = tmp_path / "build.duckdb"
    shutil.copy(built_db, db)
    before = by_name(
        run_checks(
            db, "before", ["sales_to_customer_success"], docs_dir=None, company=EVERYTHING, as_of=AS_OF
        )
    )
    raise_on_blocking(list(before.values()))  # without the break the shipped configuration publishes

    window_start, window_end = AS_OF - timedelta(days=grace + 6), AS_OF - timedelta(days=grace)
    stop = AS_OF - timedelta(days=grace + 6)
    con = duckdb.connect(str(db))
    try:
        week = {
            r[0]
            for r in con.execute(
                "select opportunity_id from customer_success.fct_onboarding "
                "where cast(closed_at as date) between ? and ?",
                [window_start, window_end],
            ).fetchall()
        }
        decided, billed = con.execute(
            "select count(*), count(stripe_customer_id) from customer_success.fct_onboarding "
            "where cast(closed_at as date) <= ?",
            [window_end],
        ).fetchone()
        con.execute(
            "update customer_success.fct_onboarding set stripe_customer_id = null, subscription_id = null, "
            "subscribed_at = null, days_close_to_subscription = null where cast(closed_at as date) >= ?",
            [stop],
        )
    finally:
        con.close()
    k = len(week)
    assert k > 0, "no won deal came due in the last week of the simulation: the test would prove nothing"
    assert (billed - k) / decided >= 0.9, "the break must keep the all-history share above the floor"
    run_dbt(
        ["run", "-s", "qc_won_deal_has_billing_customer", "qc_won_deal_has_subscription_in_time"],
        db,
        dbt_vars={"as_of_date": AS_OF.isoformat()},
        target_path=tmp_path / "target",
    )
    results = run_checks(
        db, "after", ["sales_to_customer_success"], docs_dir=None, company=EVERYTHING, as_of=AS_OF
    )
    after = by_name(results)
    assert after["won_deal_has_billing_customer"].success  # the all-history floor alone would publish
    window = after["won_deal_has_billing_customer.recent_7d"]
    assert (window.success, window.failing_record_count, window.element_count) == (False, k, k)
    assert set(window.sample_failing_keys) <= week and len(window.sample_failing_keys) == min(k, 10)
    with pytest.raises(CheckFailed) as failed:
        raise_on_blocking(results)
    message = str(failed.value)
    assert (
        "handoff sales_to_customer_success: expectation won_deal_has_billing_customer.recent_7d failed (error): "
        f"{k} failing records ({k} rows checked" in message
    )
    assert window.sample_failing_keys[0] in message
    assert not after["won_deal_has_subscription_in_time.recent_7d"].success


def _drop_owners(db: Path, person_ids: list[str]) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute(
            "update marketing.fct_leads set owner_id = null where person_id in (select unnest(?))",
            [person_ids],
        )
    finally:
        con.close()


@pytest.mark.slow
def test_mqls_without_owner_block_when_recent_and_publish_when_spread(built_db: Path, tmp_path: Path) -> None:
    """The built warehouse (simulator, real dbt): the MQLs whose handoff SLA ran out in the last 7 days
    (counted here by hand from funnel.fct_handoffs) lose their sales owner, as when lead routing stops;
    dbt rebuilds quality.qc_mql_has_sales_owner. The 7-day window of mql_has_sales_owner fails and
    blocks while the all-history share stays above its floor. The same number of owners dropped from
    MQLs spread over older history publishes."""
    from conftest import AS_OF

    from revenue_warehouse.dbt import run_dbt

    con = duckdb.connect(str(built_db), read_only=True)
    try:
        # decided MQL handoffs, oldest first, with the day their SLA ran out and whether they have an owner
        mqls = con.execute(
            """select h.journey_id, cast(h.due_at as date), l.owner_id is not null
            from funnel.fct_handoffs as h join marketing.fct_leads as l on l.person_id = h.journey_id
            where h.handoff = 'marketing_to_sales' and h.status <> 'pending' and l.owner_id is not null
            order by h.due_at, h.journey_id"""
        ).fetchall()
        decided = con.execute(
            "select count(*), count(*) filter (where is_met) from quality.qc_mql_has_sales_owner where is_decided"
        ).fetchone()
    finally:
        con.close()
    week = [p for p, due, _ in mqls if AS_OF - timedelta(days=7) < due <= AS_OF]
    k = len(week)
    assert k > 0, "no MQL came due in the last week of the simulation: the test would prove nothing"
    assert (decided[1] - k) / decided[0] >= 0.9, "the break must keep the all-history share above the floor"
    older = [p for p, due, _ in mqls if due <= AS_OF - timedelta(days=30)]
    spread = older[:: len(older) // k][:k]  # k MQLs spread evenly over the older history

    results = {}
    for name, people in (("recent", week), ("spread", spread)):
        db = tmp_path / f"{name}.duckdb"
        shutil.copy(built_db, db)
        _drop_owners(db, people)
        run_dbt(
            ["run", "-s", "qc_mql_has_sales_owner"],
            db,
            dbt_vars={"as_of_date": AS_OF.isoformat()},
            target_path=tmp_path / f"target-{name}",
        )
        results[name] = run_checks(
            db, name, ["marketing_to_sales"], docs_dir=None, company=EVERYTHING, as_of=AS_OF
        )

    recent = by_name(results["recent"])
    overall = recent["mql_has_sales_owner"]
    assert overall.success and overall.failing_record_count == decided[0] - decided[1] + k
    window = recent["mql_has_sales_owner.recent_7d"]
    assert (window.success, window.failing_record_count, window.element_count) == (False, k, k)
    assert set(window.sample_failing_keys) == set(week[:10])
    with pytest.raises(CheckFailed) as failed:
        raise_on_blocking(results["recent"])
    assert (
        "handoff marketing_to_sales: expectation mql_has_sales_owner.recent_7d failed (error): "
        f"{k} failing records ({k} rows checked" in str(failed.value)
    )

    spread_results = by_name(results["spread"])
    assert spread_results["mql_has_sales_owner"].failing_record_count == decided[0] - decided[1] + k
    assert spread_results["mql_has_sales_owner.recent_7d"].status == "passed"
    raise_on_blocking(results["spread"])  # the same k leaks spread over history publish


def _comparable(results: list) -> list[tuple]:
    return [
        (
            r.suite,
            r.expectation,
            r.status,
            r.severity,
            r.success,
            r.failing_record_count,
            r.sample_failing_keys,
        )
        for r in results
    ]


def test_a_suite_whose_frames_cannot_be_fetched_reports_one_blocking_error_and_the_other_reports(
    tmp_path: Path, monkeypatch
) -> None:
    """Load completeness on a build without audit.load_manifest crashes fetching its frames (a real
    DuckDB catalog error); the handoff suite beside it reports exactly what it reports alone."""
    monkeypatch.setenv("WAREHOUSE_LOG_FILE", str(tmp_path / "warehouse.log"))
    db = tmp_path / "build.duckdb"
    make_handoff_db(db, won_deals=5, leaking=(1,), pending=0, onboarding=True)
    alone = run_checks(db, "alone", ["sales_to_customer_success"], docs_dir=None, company=EVERYTHING)
    docs = tmp_path / "docs"
    results = run_checks(
        db, "both", ["load_completeness", "sales_to_customer_success"], docs_dir=docs, company=EVERYTHING
    )
    [crash] = [r for r in results if r.suite == "load_completeness"]
    assert (crash.expectation, crash.status, crash.severity, crash.success) == (
        "suite_error",
        "error",
        "error",
        False,
    )
    assert crash.reason.startswith("fetching its frames: RuntimeError: suite load_completeness, frame ")
    assert "audit.load_manifest" in crash.reason and "\n" not in crash.reason
    assert crash.message().startswith("suite load_completeness: could not run (error): fetching its frames")
    assert _comparable([r for r in results if r.suite != "load_completeness"]) == _comparable(alone)
    with duckdb.connect(str(db), read_only=True) as con:
        written = read_results(con, "both")
    assert _comparable(written) == sorted(_comparable(results), key=lambda t: (t[0], t[1]))
    with pytest.raises(CheckFailed, match="suite load_completeness: could not run"):
        raise_on_blocking(results)
    # the traceback in the log file; Data Docs of the suite that ran
    assert "Traceback" in (tmp_path / "warehouse.log").read_text()
    assert "sales_to_customer_success" in (docs / "all" / "index.html").read_text()


def test_a_suite_raising_inside_gx_blocks_even_when_configured_to_warn(tmp_path: Path, monkeypatch) -> None:
    from revenue_warehouse.quality import runner
    from revenue_warehouse.quality.gate import assert_publishable

    db = tmp_path / "build.duckdb"
    make_loaded_db(db, missing_in_staging=(), lost_rows=0, failed_files=0)
    seed = PROJECT_DIR / "seeds" / "handoff_slas.csv"
    with duckdb.connect(str(db)) as con:  # the handoff suites' floors (the dbt seed)
        con.execute(
            f"create schema reference; create table reference.handoff_slas as from read_csv('{seed}')"
        )
    text = (PROJECT_DIR / "revenue_warehouse" / "quality" / "checks.yml").read_text()
    head, tail = text.split("  marketing_to_sales:", 1)
    warn_only = tmp_path / "checks.yml"  # every load-completeness expectation of severity warn
    warn_only.write_text(head.replace("severity: error", "severity: warn") + "  marketing_to_sales:" + tail)
    real = runner._run_gx

    def raising(context, source, name, df, frame, suite, *args, **kwargs):
        if suite.name == "load_completeness":
            raise ValueError("an expectation GX could not evaluate")
        return real(context, source, name, df, frame, suite, *args, **kwargs)

    monkeypatch.setattr(runner, "_run_gx", raising)
    errors: list[tuple[str, str]] = []
    results = run_checks(
        db,
        "run-1",
        config=load_config(warn_only),
        docs_dir=tmp_path / "docs",
        company=MARKETING_ONLY,
        on_error=lambda what, exc: errors.append((what, str(exc))),
    )
    assert errors == [("suite load_completeness", "an expectation GX could not evaluate")]
    [crash] = [r for r in results if r.suite == "load_completeness"]
    assert (crash.status, crash.severity, crash.blocking_failure) == ("error", "error", True)
    assert crash.reason == "validating: ValueError: an expectation GX could not evaluate"
    assert {r.suite for r in results} == set(SUITES)  # the three handoff suites: not applicable
    assert {r.status for r in results if r.suite != "load_completeness"} == {"not_applicable"}
    with pytest.raises(CheckFailed, match="suite load_completeness: could not run"):
        assert_publishable(db, "run-1", config=load_config(warn_only))


def test_data_docs_failing_loses_no_result(tmp_path: Path, monkeypatch) -> None:
    from revenue_warehouse.quality import runner

    def failing(context, validated):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(runner, "build_docs", failing)
    db = tmp_path / "build.duckdb"
    make_loaded_db(db, missing_in_staging=(4, 8), lost_rows=0, failed_files=0)
    errors: list[str] = []
    results = run_checks(
        db,
        "run-1",
        ["load_completeness"],
        docs_dir=tmp_path / "docs",
        company=MARKETING_ONLY,
        on_error=lambda what, exc: errors.append(what),
    )
    assert errors == ["Data Docs"]
    assert by_name(results)["raw_ids_reach_staging"].failing_record_count == 2
    with duckdb.connect(str(db), read_only=True) as con:
        assert _comparable(read_results(con, "run-1")) == sorted(_comparable(results), key=lambda t: t[1])


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt(), duckdb.InterruptException("INTERRUPT Error")])
def test_an_interrupt_is_never_a_check_result(tmp_path: Path, monkeypatch, interrupt: BaseException) -> None:
    from revenue_warehouse.quality import runner

    def interrupted(*args, **kwargs):
        raise interrupt

    monkeypatch.setattr(runner, "_fetch_frame", interrupted)
    db = tmp_path / "build.duckdb"
    make_loaded_db(db, missing_in_staging=(), lost_rows=0, failed_files=0)
    with pytest.raises(type(interrupt)):
        run_checks(db, "run-1", docs_dir=None, company=MARKETING_ONLY, on_error=lambda *a: None)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "select count(*) from information_schema.tables where table_name = 'check_results'"
        ).fetchone() == (0,)


def test_the_data_docs_index_lists_the_last_runs_and_keeps_older_pages(tmp_path: Path, monkeypatch) -> None:
    """WAREHOUSE_DATA_DOCS_RUNS=2: after three check runs the index links the pages of the last two;
    the first run's pages and results stay on disk."""
    monkeypatch.setenv("WAREHOUSE_DATA_DOCS_RUNS", "2")
    db = tmp_path / "build.duckdb"
    make_loaded_db(db, missing_in_staging=(4, 8), lost_rows=0, failed_files=0)
    docs = tmp_path / "docs"
    for run_id in ("run-1", "run-2", "run-3"):
        run_checks(db, run_id, ["load_completeness"], docs_dir=docs, company=MARKETING_ONLY)
    site = docs / "load_completeness"
    pages = {p.relative_to(site).as_posix() for p in (site / "validations").rglob("*.html")}
    by_run = {run: {p for p in pages if f"/{run}/" in p} for run in ("run-1", "run-2", "run-3")}
    assert by_run["run-1"] and len(by_run["run-1"]) == len(by_run["run-2"]) == len(by_run["run-3"])
    assert len(list((site / ".validation_results").rglob("*.json"))) == len(pages)
    index = (site / "index.html").read_text()
    linked = set(re.findall(r"'_table_row_link_path': '(validations/[^']+\.html)'", index))
    assert linked == by_run["run-2"] | by_run["run-3"]
