"""Plan intervals on real loaded extracts (docs/metrics.md#mrr): a plan switched to weekly billing is
normalised to monthly MRR x 52 / 12 (never NULL), and a plan with an interval the warehouse does
not know fails the build by name."""

from __future__ import annotations

import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.dbt import run_dbt

pytestmark = pytest.mark.slow

SELECT = ["--select", "+int_subscription_lines_normalized", "--indirect-selection", "cautious"]


def _plan_to(db: Path, interval: str, skip: int = 0) -> str:
    """Give one monthly USD plan with invoice lines (the ``skip``-th) a new interval in the raw
    layer; returns its id."""
    with duckdb.connect(str(db)) as con:
        plan_id = con.execute(
            """select id from raw_stripe.plan
               where "interval" = 'month' and currency = 'usd'
                 and id in (select plan_id from raw_stripe.invoice_line_item)
               group by id order by id limit 1 offset ?""",
            [skip],
        ).fetchone()[0]
        con.execute("""update raw_stripe.plan set "interval" = ? where id = ?""", [interval, plan_id])
    return plan_id


def test_weekly_plan_is_normalised_to_monthly_mrr(loaded_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    shutil.copy(loaded_db, db)
    plan_id = _plan_to(db, "week")
    run_dbt(["build", *SELECT], db, target_path=tmp_path / "target")
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            """select raw.amount - coalesce(raw.discount_amount, 0), line.mrr, line.mrr_usd
               from intermediate.int_subscription_lines_normalized line
               join (select * from raw_stripe.invoice_line_item
                     qualify row_number() over (partition by id order by _fivetran_synced desc) = 1) raw
                 on raw.id = line.invoice_line_item_id
               where line.plan_id = ?""",
            [plan_id],
        ).fetchall()
    assert rows, f"plan {plan_id} should have invoice lines"
    for net_cents, mrr, mrr_usd in rows:
        expected = (Decimal(net_cents) / 100 * 52 / 12).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert mrr == expected and mrr_usd == expected, (net_cents, mrr, mrr_usd)


def test_unknown_plan_interval_fails_the_build(loaded_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    shutil.copy(loaded_db, db)
    _plan_to(db, "fortnight", skip=1)
    proc = run_dbt(["build", *SELECT], db, target_path=tmp_path / "target", check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    assert (
        "FAIL" in output and "relationships_int_subscription_lines_normalized_billing_interval" in output
    ), output[-3000:]
