"""Key figures that must be equal on every engine (issue 13): funnel counts per month and channel, MRR
per month with movements, handoff completeness per handoff, renewal outcomes. Each is a plain
aggregate over a mart in SQL every engine reads alike; values are normalised (dates as ISO text,
money rounded to cents, counts as integers) so engines' type spellings do not count as differences."""

from __future__ import annotations

import datetime as dt
import decimal

import pandas as pd

from revenue_warehouse.engines.readers import Reader


def _count_if(condition: str) -> str:
    return f"sum(case when {condition} then 1 else 0 end)"


FIGURES: dict[str, str] = {
    "funnel_by_month_and_channel": f"""
        select cast(created_month as date) as month, coalesce(channel, '(none)') as channel,
            count(*) as leads, {_count_if("is_mql")} as mqls, {_count_if("is_sales_accepted")} as sales_accepted,
            {_count_if("has_opportunity")} as opportunities
        from marketing.fct_leads
        group by cast(created_month as date), coalesce(channel, '(none)')""",
    "mrr_by_month_and_movement": """
        select month_start as month, mrr_movement, count(*) as customers,
            sum(mrr_usd) as mrr_usd, sum(mrr_change_usd) as mrr_change_usd
        from customer_success.fct_customer_mrr_monthly
        group by month_start, mrr_movement""",
    "handoff_completeness": f"""
        select handoff, count(*) as handed, {_count_if("is_complete")} as complete,
            {_count_if("is_within_sla")} as within_sla
        from funnel.fct_handoffs
        group by handoff""",
    "renewal_outcomes": """
        select renewal_outcome, count(*) as terms, sum(mrr_before_usd) as mrr_before_usd,
            sum(mrr_after_usd) as mrr_after_usd
        from customer_success.fct_renewals
        group by renewal_outcome""",
}


def _normal(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat() if value == value.replace(hour=0, minute=0, second=0) else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | decimal.Decimal | float):
        number = round(float(value), 2)
        return int(number) if number.is_integer() else number
    if hasattr(value, "item"):  # numpy scalars
        return _normal(value.item())
    return value


def normalise(frame: pd.DataFrame) -> list[tuple]:
    """Rows as sorted tuples of plain values."""
    rows = [tuple(_normal(v) for v in row) for row in frame.itertuples(index=False, name=None)]
    return sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r))


def key_figures(reader: Reader) -> dict[str, list[tuple]]:
    return {name: normalise(reader.query(sql)) for name, sql in FIGURES.items()}


def differences(expected: dict[str, list[tuple]], actual: dict[str, list[tuple]]) -> list[str]:
    """One line per figure row present on one side only (empty when the engines agree)."""
    lines = []
    for name, rows in expected.items():
        got = actual.get(name, [])
        for row in sorted(set(rows) - set(got), key=str):
            lines.append(f"{name}: missing or different {row}")
        for row in sorted(set(got) - set(rows), key=str):
            lines.append(f"{name}: unexpected {row}")
    return lines
