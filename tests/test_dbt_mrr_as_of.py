"""MRR, churn and retention on as-of dates on the 1st, the 15th and the last day of a month
(docs/metrics.md#mrr): several seeds, generated with dirt on, loaded and built by real dbt. The
current month is measured on the as-of date from the subscriptions live then, recomputed here from
the extract files alone; every figure also equals the simulator's truth."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from simulator_support import latest, open_extracts
from test_dbt_customer_success import _diff, _query, _retention_from_truth, _truth

from revenue_warehouse.paths import PROJECT_DIR

pytestmark = pytest.mark.slow

# (seed, as-of date): a 1st, a 15th, a leap-year last day and a 31st.
CASES = [(3, date(2024, 5, 15)), (11, date(2024, 6, 1)), (5, date(2024, 2, 29)), (8, date(2024, 3, 31))]


@pytest.fixture(scope="module", params=CASES, ids=[f"seed{s}-{d}" for s, d in CASES])
def as_of_build(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, date]:
    from revenue_warehouse.dbt import run_dbt
    from revenue_warehouse.loader import load_extracts
    from revenue_warehouse.simulator import generate

    seed, as_of = request.param
    work = tmp_path_factory.mktemp(f"as_of_{seed}")
    extracts = work / "extracts"
    generate(extracts, scale=0.1, seed=seed, start=date(2022, 7, 1), end=as_of)
    db = work / "build.duckdb"
    load_extracts(db, extracts, run_id="pytest")
    run_dbt(
        [
            "build",
            "--select",
            "+dim_customers",
            "+fct_customer_mrr_monthly",
            "+fct_retention_cohorts",
            "+fct_renewals",
            "--indirect-selection",
            "cautious",
        ],
        db,
        dbt_vars={"as_of_date": as_of.isoformat()},
        target_path=work / "target",
    )
    return db, extracts, as_of


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def live_subscription_mrr(extracts: Path, as_of: date) -> pd.DataFrame:
    """MRR per customer of the subscriptions live on the as-of date, from the extract files alone:
    started on or before it and not ended by it, valued by the invoice line covering that day
    (net amount in USD x periods per year / 12, rounded to the cent)."""
    con = open_extracts(extracts)
    fx = PROJECT_DIR / "seeds" / "fx_rates.csv"
    rows = con.execute(f"""
        with subs as (select * from {latest("stripe_subscription")}),
        lines as (select * from {latest("stripe_invoice_line_item")} where type = 'subscription'),
        plans as (select * from {latest("stripe_plan")})
        select s.customer_id, l.period_end::timestamp::date as period_end,
               l.amount::bigint - coalesce(l.discount_amount, '0')::bigint as net_minor,
               cast(f.rate_to_usd as varchar) as rate, p.interval, p.interval_count::int as interval_count
        from subs s
        join lines l on l.subscription_id = s.id
            and l.period_start::timestamp::date <= $as_of and $as_of < l.period_end::timestamp::date
        join plans p on p.id = l.plan_id
        join read_csv('{fx}', all_varchar=true) f on upper(f.currency) = upper(l.currency)
        where s.start_date::timestamp::date <= $as_of
            and (s.ended_at is null or s.ended_at::timestamp::date > $as_of)
    """, {"as_of": as_of}).df()  # fmt: skip
    per_year = {"day": 365, "week": 52, "month": 12, "year": 1}
    rows["mrr"] = [
        _cents(Decimal(int(n)) / 100 * Decimal(r) * per_year[i] / (12 * c))
        for n, r, i, c in zip(
            rows["net_minor"], rows["rate"], rows["interval"], rows["interval_count"], strict=True
        )
    ]
    rows["ends_in_as_of_month"] = [
        d.year == as_of.year and d.month == as_of.month for d in rows["period_end"]
    ]
    return rows


def test_current_month_is_measured_on_the_as_of_date(as_of_build: tuple[Path, Path, date]) -> None:
    db, extracts, as_of = as_of_build
    live = live_subscription_mrr(extracts, as_of)
    assert live["customer_id"].nunique() >= 10, "the simulation should have live customers"
    if as_of.day < 28:
        # the shape the month-end rule got wrong: a live line whose period ends later this month
        assert live["ends_in_as_of_month"].any()
    expected = live.groupby("customer_id")["mrr"].sum().map(lambda v: f"{v:.2f}").to_dict()
    month = as_of.replace(day=1).isoformat()
    mart = _query(
        db,
        f"""select customer_id, printf('%.2f', mrr_usd) as mrr_usd, mrr_movement
            from customer_success.fct_customer_mrr_monthly where month_start = '{month}'""",
    )
    current = dict(zip(mart["customer_id"], mart["mrr_usd"], strict=True))
    active = {c: v for c, v in current.items() if v != "0.00"}
    assert active == expected, "current-month MRR must be the MRR of the subscriptions live on the as-of date"
    churned_live = mart[(mart["mrr_movement"] == "churn") & mart["customer_id"].isin(expected)]
    assert churned_live.empty, f"live customers marked churned:\n{churned_live.to_string()}"
    customers = _query(
        db,
        "select customer_id, lifecycle_status, printf('%.2f', current_mrr_usd) as mrr from customer_success.dim_customers",
    )
    live_rows = customers[customers["customer_id"].isin(expected)]
    assert len(live_rows) == len(expected)
    assert (live_rows["lifecycle_status"] != "churned").all(), live_rows[
        live_rows["lifecycle_status"] == "churned"
    ]
    assert dict(zip(live_rows["customer_id"], live_rows["mrr"], strict=True)) == expected


def test_mrr_churn_and_retention_equal_the_truth(as_of_build: tuple[Path, Path, date]) -> None:
    db, extracts, as_of = as_of_build
    truth = _truth(extracts, "mrr_monthly")[["stripe_customer_id", "month", "mrr_usd", "movement"]]
    mart = _query(
        db,
        """select customer_id as stripe_customer_id, strftime(month_start, '%Y-%m-%d') as month,
                  printf('%.2f', mrr_usd) as mrr_usd, mrr_movement as movement
           from customer_success.fct_customer_mrr_monthly""",
    )
    assert len(truth) > 50 and "new" in set(truth["movement"])
    diff = _diff(truth, mart, ["stripe_customer_id", "month"])
    assert diff.empty, f"{len(diff)} customer-months differ from the truth:\n{diff.head(20).to_string()}"
    expected = _retention_from_truth(truth, as_of.replace(day=1).isoformat())
    cohorts = _query(
        db,
        """select strftime(cohort_month, '%Y-%m-%d') as cohort_month, months_since_start, starting_customers,
                  active_customers, logo_retention, gross_revenue_retention, net_revenue_retention
           from customer_success.fct_retention_cohorts""",
    )
    key = ["cohort_month", "months_since_start"]
    merged = expected.merge(cohorts, on=key, how="outer", suffixes=("_truth", "_mart"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head(10).to_string()
    for column in ("starting_customers", "active_customers", "logo_retention", "gross_revenue_retention",
                   "net_revenue_retention"):  # fmt: skip
        bad = merged[merged[f"{column}_truth"] != merged[f"{column}_mart"]]
        assert bad.empty, f"{column} differs from the truth (exactly):\n{bad.head(10).to_string()}"
    renewals = _truth(extracts, "renewals")
    mart = _query(
        db,
        """select subscription_id, strftime(term_end_date, '%Y-%m-%d') as term_end_date,
                  renewal_outcome as outcome, printf('%.2f', mrr_before_usd) as mrr_before,
                  coalesce(printf('%.2f', mrr_after_usd), '') as mrr_after
           from customer_success.fct_renewals""",
    )
    diff = _diff(renewals[["subscription_id", "term_end_date", "outcome", "mrr_before", "mrr_after"]], mart,
                 ["subscription_id", "term_end_date"])  # fmt: skip
    assert diff.empty, f"{len(diff)} term ends differ from the truth:\n{diff.head(20).to_string()}"


def test_money_is_fixed_point_and_ratios_are_double(as_of_build: tuple[Path, Path, date]) -> None:
    db, _, _ = as_of_build
    with duckdb.connect(str(db), read_only=True) as con:
        types = dict(
            con.execute(
                """select table_name || '.' || column_name, data_type from information_schema.columns
                   where table_schema = 'customer_success'
                     and (column_name like '%mrr_usd' or column_name like '%retention' or column_name = 'seat_utilisation')"""
            ).fetchall()
        )
    assert types, "the customer-success marts should have MRR columns"

    def expected(column: str) -> str:
        return "DOUBLE" if column.endswith(("retention", "utilisation")) else "DECIMAL(18,2)"

    wrong = {c: t for c, t in types.items() if t != expected(c.split(".")[1])}
    assert not wrong, wrong
