"""A daily increment end to end: extracts generated to D are loaded and built, extended by N days
(`warehouse generate --extend-days N`), loaded and built again; the marts then equal the truth as of
D+N, which has late updates still in flight in every late-updated table (the warehouse can only
know those records at their last delivered state, and so does the truth)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from simulator_support import truth_csv, truth_json
from test_dbt_customer_success import _diff, _query
from test_dbt_marketing_sales import FUNNEL_SQL, FUNNEL_STAGES

from revenue_warehouse.cli import main
from revenue_warehouse.dbt import PRODUCTION_EXCLUDE, run_dbt
from revenue_warehouse.simulator import generate

pytestmark = pytest.mark.slow

D, N = date(2024, 3, 27), 3
# every later change delivered late: at D+N all four late-updated tables have one in flight
WORLD = {"scale": 0.05, "seed": 3, "start": date(2023, 1, 1), "horizon": date(2024, 12, 31)}
DIRT = {"late_updates": 1.0}


def load_and_build(db: Path, extracts: Path, as_of: date) -> None:
    from revenue_warehouse.loader import load_extracts

    load_extracts(db, extracts, run_id=f"extend-{as_of}").raise_for_failures()
    run_dbt(["build", "--exclude", *PRODUCTION_EXCLUDE], db, dbt_vars={"as_of_date": as_of.isoformat()},
            target_path=db.parent / "target")  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("extend_build")
    extracts, db = base / "extracts", base / "build" / "build.duckdb"
    db.parent.mkdir()
    generate(extracts, end=D, dirt=DIRT, **WORLD)
    load_and_build(db, extracts, D)
    assert main(["generate", "--out", str(extracts), "--extend-days", str(N), "--quiet"]) == 0
    load_and_build(db, extracts, D + timedelta(days=N))
    return extracts, db


def test_late_updates_are_in_flight_at_the_new_end(built: tuple[Path, Path]) -> None:
    in_flight = truth_json(built[0], "dirt")["late_updates_in_flight"]
    assert all(in_flight[t] > 0 for t in ("contact", "lead", "opportunity", "subscription")), in_flight


def test_funnel_equals_the_truth_of_the_new_end(built: tuple[Path, Path]) -> None:
    extracts, db = built
    truth = truth_csv(extracts, "funnel_monthly")
    expected = Counter(
        {
            (r["month"], r["channel"], s): int(r[s])
            for _, r in truth.iterrows()
            for s in FUNNEL_STAGES
            if int(r[s])
        }
    )
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(FUNNEL_SQL, [D + timedelta(days=N)]).fetchall()
    actual = Counter({(m, ch, st): n for m, ch, st, n in rows})
    assert sum(expected.values()) > 0
    assert actual == expected, sorted(set(actual.items()) ^ set(expected.items()))[:10]


def test_opportunities_and_mrr_equal_the_truth_of_the_new_end(built: tuple[Path, Path]) -> None:
    extracts, db = built
    truth = truth_csv(extracts, "opportunities")[["opportunity_id", "is_closed", "is_won"]]
    mart = _query(
        db,
        """select opportunity_id, case when is_closed then 'true' else 'false' end as is_closed,
                  case when is_won then 'true' else 'false' end as is_won
           from sales.fct_opportunities where not is_deleted""",
    )
    assert len(truth) > 10
    diff = _diff(truth, mart, ["opportunity_id"])
    assert diff.empty, diff.head(10).to_string()
    mrr = truth_csv(extracts, "mrr_monthly")[["stripe_customer_id", "month", "mrr_usd", "movement"]]
    mart = _query(
        db,
        """select customer_id as stripe_customer_id, strftime(month_start, '%Y-%m-%d') as month,
                  printf('%.2f', mrr_usd) as mrr_usd, mrr_movement as movement
           from customer_success.fct_customer_mrr_monthly""",
    )
    assert len(mrr) > 10
    diff = _diff(mrr, mart, ["stripe_customer_id", "month"])
    assert diff.empty, f"{len(diff)} customer-months differ:\n{diff.head(10).to_string()}"
