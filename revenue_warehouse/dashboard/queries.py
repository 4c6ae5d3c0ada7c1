"""Every query the dashboard runs, named by page. Each reads published marts (never re-deriving a metric
another way) and takes the same filters: ``$start``/``$end`` (dates), ``$segments`` and ``$channels``
(lists; empty = all). A filter that a mart has no column for does not apply to it (the page says so).

The serving file is opened read-only once per page load (``page_connection``) and closed when the page is
drawn, so a publish never waits for the dashboard and the next load sees the new file
(docs/architecture.md). Outside ``page_connection`` each call opens and closes its own connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from revenue_warehouse.paths import serving_db_path


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    segments: tuple[str, ...] = field(default=())
    channels: tuple[str, ...] = field(default=())

    def params(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "segments": list(self.segments),
            "channels": list(self.channels),
        }


SEGMENT = "(len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), {col}))"
CHANNEL = "(len(cast($channels as varchar[])) = 0 or list_contains(cast($channels as varchar[]), {col}))"
PERIOD = "(cast({col} as date) between $start and $end)"


def seg(col: str) -> str:
    return SEGMENT.format(col=col)


def chan(col: str) -> str:
    return CHANNEL.format(col=col)


def period(col: str) -> str:
    return PERIOD.format(col=col)


NEW_BUSINESS = "deal_category = 'new_business' and not is_deleted"

QUERIES: dict[str, dict[str, str]] = {
    "funnel": {
        # docs/metrics.md#funnel: a person counts once per stage, in the period of the stage's timestamp.
        "stages": f"""
            select 1 as stage_order, 'Visits' as stage, count(*) as people
            from marketing.fct_marketing_touches
            where touch_type = 'web_session' and {period("touch_date")} and {chan("touch_channel")}
            union all
            select 2, 'Leads', count(*) from marketing.fct_leads
            where is_lead and not is_deleted and {period("created_at")} and {chan("channel")}
            union all
            select 3, 'MQLs', count(*) from marketing.fct_leads
            where is_mql and not is_deleted and {period("mql_at")} and {chan("channel")}
            union all
            select 4, 'Opportunities', count(*) from sales.fct_opportunities
            where {NEW_BUSINESS} and {period("created_date")} and {seg("account_segment")}
              and {chan("source_channel")}
            union all
            select 5, 'Won', count(*) from sales.fct_opportunities
            where {NEW_BUSINESS} and is_won and {period("close_date")} and {seg("account_segment")}
              and {chan("source_channel")}
            union all
            select 6, 'Renewed', count(*) from customer_success.fct_renewals as r
            left join customer_success.dim_customers as c on r.customer_id = c.customer_id
            where r.is_renewed and {period("r.term_end_date")} and {seg("c.segment")}
            order by 1""",
        "by_channel": f"""
            select channel,
                   count(*) filter (where {period("created_at")}) as leads,
                   count(*) filter (where is_mql and {period("mql_at")}) as mqls,
                   count(*) filter (where has_opportunity and {period("opportunity_created_at")}) as opportunities
            from marketing.fct_leads
            where is_lead and not is_deleted and {chan("channel")}
            group by 1 order by leads desc""",
    },
    "marketing": {
        "campaigns": f"""
            select c.campaign_name, c.campaign_channel, sum(p.spend_usd) as spend_usd, sum(p.leads) as leads,
                   sum(p.mqls) as mqls, sum(p.spend_usd) / nullif(sum(p.mqls), 0) as cost_per_mql_usd,
                   sum(p.won_deals) as won_deals,
                   sum(p.spend_usd) / nullif(sum(p.won_deals), 0) as cost_per_won_deal_usd,
                   sum(p.opportunities) as opportunities,
                   sum(p.pipeline_created_usd) as pipeline_created_usd, sum(p.won_amount_usd) as won_amount_usd
            from marketing.fct_campaign_performance as p
            join marketing.dim_campaigns as c on p.campaign_id = c.campaign_id
            where {period("p.campaign_month")} and {chan("c.campaign_channel")}
            group by 1, 2 order by spend_usd desc nulls last""",
        "monthly_cost": f"""
            select p.campaign_month, c.campaign_channel, sum(p.spend_usd) as spend_usd, sum(p.mqls) as mqls,
                   sum(p.spend_usd) / nullif(sum(p.mqls), 0) as cost_per_mql_usd
            from marketing.fct_campaign_performance as p
            join marketing.dim_campaigns as c on p.campaign_id = c.campaign_id
            where {period("p.campaign_month")} and {chan("c.campaign_channel")}
            group by 1, 2 order by 1, 2""",
        # The attribution switch: leads credited to the first or the last touch's channel (fct_leads).
        "attribution": f"""
            select 'first touch' as model, coalesce(first_touch_channel, '(no touch)') as touch_channel,
                   count(*) as leads
            from marketing.fct_leads
            where is_lead and not is_deleted and {period("created_at")} and {chan("channel")} group by 1, 2
            union all
            select 'last touch', coalesce(last_touch_channel, '(no touch)'), count(*)
            from marketing.fct_leads
            where is_lead and not is_deleted and {period("created_at")} and {chan("channel")} group by 1, 2
            order by 1, 3 desc""",
    },
    "sales": {
        "pipeline": f"""
            select date_day, stage_name, stage_order, open_opportunities, open_amount_usd, weighted_amount_usd
            from sales.fct_pipeline_daily where {period("date_day")} order by 1, 3""",
        # docs/metrics.md#opportunities: win rate over closed new business, cycle of closed new business.
        "win_rate": f"""
            select coalesce(account_segment, 'unknown') as segment,
                   count(*) filter (where is_won) as won, count(*) filter (where is_lost) as lost,
                   count(*) filter (where is_won) / nullif(count(*), 0) as win_rate,
                   avg(sales_cycle_days) as avg_sales_cycle_days
            from sales.fct_opportunities
            where {NEW_BUSINESS} and is_closed and {period("close_date")} and {seg("account_segment")}
              and {chan("source_channel")}
            group by 1 order by 1""",
        "discounts": f"""
            select coalesce(r.full_name, d.owner_id) as rep, count(*) as deal_products,
                   count(*) filter (where d.is_off_policy) as off_policy,
                   count(*) filter (where not d.is_off_policy) as on_policy,
                   avg(d.discount_percent) as avg_discount_percent
            from sales.fct_deal_pricing as d
            left join sales.dim_sales_reps as r on d.owner_id = r.sales_rep_id
            left join sales.fct_opportunities as o on d.opportunity_id = o.opportunity_id
            where {period("d.close_date")} and {seg("o.account_segment")}
            group by 1 order by off_policy desc, rep""",
    },
    "customer_success": {
        "mrr_movements": f"""
            select m.mrr_movement, sum(m.mrr_change_usd) as mrr_change_usd, count(*) as customers
            from customer_success.fct_customer_mrr_monthly as m
            left join customer_success.dim_customers as c on m.customer_id = c.customer_id
            where {period("m.month_start")} and {seg("c.segment")} and m.mrr_movement <> 'unchanged'
            group by 1""",
        "mrr_start": f"""
            select coalesce(sum(m.mrr_usd), 0) as mrr_usd
            from customer_success.fct_customer_mrr_monthly as m
            left join customer_success.dim_customers as c on m.customer_id = c.customer_id
            where m.month_start = (select max(month_start) from customer_success.fct_customer_mrr_monthly
                                   where month_start < date_trunc('month', cast($start as date)))
              and {seg("c.segment")}""",
        "retention": f"""
            select month_start, net_revenue_retention, gross_revenue_retention, base_customers
            from customer_success.fct_revenue_retention_monthly where {period("month_start")} order by 1""",
        "logo_churn": f"""
            select month_start, segment, churned_customers, customers_at_start, logo_churn_rate
            from customer_success.fct_logo_churn_monthly
            where {period("month_start")} and {seg("segment")} order by 1, 2""",
        "cohorts": f"""
            select cohort_month, months_since_start, net_revenue_retention
            from customer_success.fct_retention_cohorts where {period("cohort_month")} order by 1, 2""",
        "renewals_due": f"""
            select o.term_end_date, o.days_to_term_end, c.customer_name, c.segment, o.current_mrr_usd,
                   o.seat_utilisation, o.recommendation, o.renewal_opportunity_id
            from customer_success.fct_renewal_outlook as o
            left join customer_success.dim_customers as c on o.customer_id = c.customer_id
            where {seg("c.segment")} order by o.term_end_date""",
    },
    "handoffs": {
        "sla_monthly": f"""
            select handoff, handed_month, handed_count, within_sla_count, incomplete_count, sla_attainment,
                   target_share, meets_target
            from funnel.fct_handoff_sla_monthly where {period("handed_month")} order by 1, 2""",
        "leaks": f"""
            select handoff, record_id, handed_at, picked_up_at, hours_to_pickup, missing_step
            from funnel.fct_handoffs
            where not is_complete and {period("handed_at")} order by handed_at desc""",
    },
    "data_quality": {
        "checks": """
            select * exclude (run_id) from audit.check_results
            where run_id = (select run_id from audit.check_results order by checked_at desc limit 1)
            order by success, suite, expectation""",
        "quarantine": """
            select system, table_name, error_type, reason, count(*) as rows
            from audit.quarantine group by all order by rows desc""",
        "publication": "select * from audit.publication",
    },
}


_page_connection: ContextVar[duckdb.DuckDBPyConnection | None] = ContextVar("page_connection", default=None)


def connect(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path or serving_db_path()), read_only=True)


@contextmanager
def page_connection(path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """One read-only connection for every query of a page load, closed at the end of it."""
    con = connect(path)
    token = _page_connection.set(con)
    try:
        yield con
    finally:
        _page_connection.reset(token)
        con.close()


@contextmanager
def _connection(path: Path | str | None) -> Iterator[duckdb.DuckDBPyConnection]:
    current = _page_connection.get()
    if current is not None:
        yield current
        return
    con = connect(path)
    try:
        yield con
    finally:
        con.close()


def run(page: str, name: str, filters: Filters, path: Path | str | None = None) -> pd.DataFrame:
    """Run one named query (on the page's connection, or a fresh read-only one)."""
    sql = QUERIES[page][name]
    params = {k: v for k, v in filters.params().items() if f"${k}" in sql}
    with _connection(path) as con:
        return con.execute(sql, params).df()


def filter_options(path: Path | str | None = None) -> tuple[date, date, list[str], list[str]]:
    """Default date range (first lead to the as-of date) and the segments and channels to choose from."""
    with _connection(path) as con:
        first, as_of = con.execute(
            "select (select cast(min(created_at) as date) from marketing.fct_leads), "
            "(select as_of_date from audit.publication)"
        ).fetchone()
        segments = [
            r[0]
            for r in con.execute(
                "select distinct segment from core.dim_accounts where segment is not null order by 1"
            ).fetchall()
        ]
        channels = [
            r[0]
            for r in con.execute(
                "select distinct channel from marketing.fct_leads where channel is not null order by 1"
            ).fetchall()
        ]
    today = as_of or date.today()
    return first or today, today, segments, channels
