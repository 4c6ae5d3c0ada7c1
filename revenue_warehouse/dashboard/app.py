"""The revenue dashboard: ``make dashboard`` (``streamlit run revenue_warehouse/dashboard/app.py``).

Every figure comes from a query in ``queries.py`` over the published marts; the serving file is opened
read-only per query (``WAREHOUSE_SERVING_DB``)."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from revenue_warehouse.dashboard.queries import Filters, filter_options, page_connection, run
from revenue_warehouse.paths import serving_db_path

NOT_APPLIED = "Filters not applied here (the mart has no such column): {}."


def sidebar_filters() -> Filters:
    first, as_of, segments, channels = filter_options()
    st.sidebar.caption(f"Data as of {as_of:%Y-%m-%d}")
    picked = st.sidebar.date_input("Date range", value=(first, as_of), key="dates")
    start, end = (picked[0], picked[-1]) if isinstance(picked, tuple | list) and picked else (first, as_of)
    chosen_segments = st.sidebar.multiselect("Segment", segments, key="segments", placeholder="All segments")
    chosen_channels = st.sidebar.multiselect("Channel", channels, key="channels", placeholder="All channels")
    return Filters(start, end, tuple(chosen_segments), tuple(chosen_channels))


def chart(fig: go.Figure) -> None:
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10})
    st.plotly_chart(fig, use_container_width=True)


def ratio(value: object) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value):.1%}"


def funnel_page(f: Filters) -> None:
    st.header("Funnel")
    st.caption(
        "People reaching each stage in the period (docs/metrics.md#funnel). Segment applies from opportunities on."
    )
    stages = run("funnel", "stages", f)
    counts = dict(zip(stages["stage"], stages["people"], strict=True))
    for column, (stage, n) in zip(st.columns(len(counts)), counts.items(), strict=True):
        column.metric(stage, f"{int(n):,}")
    previous = stages["people"].shift(1)
    stages["conversion"] = stages["people"] / previous.where(previous > 0)
    chart(px.funnel(stages, x="people", y="stage", title="Funnel"))
    st.dataframe(
        stages[["stage", "people", "conversion"]].style.format({"conversion": ratio}), hide_index=True
    )
    by_channel = run("funnel", "by_channel", f)
    by_channel["lead_to_mql"] = by_channel["mqls"] / by_channel["leads"].where(by_channel["leads"] > 0)
    by_channel["mql_to_opportunity"] = by_channel["opportunities"] / by_channel["mqls"].where(
        by_channel["mqls"] > 0
    )
    chart(
        px.bar(
            by_channel, x="channel", y=["leads", "mqls", "opportunities"], barmode="group", title="By channel"
        )
    )
    st.dataframe(by_channel, hide_index=True)


def marketing_page(f: Filters) -> None:
    st.header("Marketing")
    st.caption(NOT_APPLIED.format("segment") + " Campaign figures: docs/metrics.md#attribution.")
    campaigns = run("marketing", "campaigns", f)
    spend, mqls = campaigns["spend_usd"].sum(), campaigns["mqls"].sum()
    won = campaigns["won_deals"].sum()
    left, middle, right, last = st.columns(4)
    left.metric("Spend (USD)", f"{float(spend or 0):,.0f}")
    middle.metric("Cost per MQL (USD)", f"{float(spend) / float(mqls):,.0f}" if mqls else "n/a")
    right.metric("Cost per won deal (USD)", f"{float(spend) / float(won):,.0f}" if won else "n/a")
    last.metric("Won amount (USD, W-shaped)", f"{float(campaigns['won_amount_usd'].sum() or 0):,.0f}")
    monthly = run("marketing", "monthly_cost", f)
    chart(
        px.line(
            monthly,
            x="campaign_month",
            y="cost_per_mql_usd",
            color="campaign_channel",
            title="Cost per MQL (USD)",
        )
    )
    model = st.radio("Attribution model", ["first touch", "last touch"], horizontal=True, key="attribution")
    attribution = run("marketing", "attribution", f)
    chart(
        px.bar(
            attribution[attribution["model"] == model],
            x="touch_channel",
            y="leads",
            title=f"Leads by {model} channel",
        )
    )
    st.dataframe(campaigns, hide_index=True)


def sales_page(f: Filters) -> None:
    st.header("Sales")
    pipeline = run("sales", "pipeline", f)
    chart(
        px.area(
            pipeline,
            x="date_day",
            y="open_amount_usd",
            color="stage_name",
            title="Open pipeline by stage (USD)",
        )
    )
    wins = run("sales", "win_rate", f)
    won, lost = int(wins["won"].sum()), int(wins["lost"].sum())
    left, right = st.columns(2)
    left.metric("Win rate (new business)", ratio(won / (won + lost) if won + lost else None))
    right.metric("Closed deals", f"{won + lost:,}")
    chart(
        px.bar(
            wins, x="segment", y="win_rate", title="Win rate by segment", hover_data=["avg_sales_cycle_days"]
        )
    )
    chart(px.bar(wins, x="segment", y="avg_sales_cycle_days", title="Average sales cycle (days) by segment"))
    discounts = run("sales", "discounts", f)
    chart(
        px.bar(discounts, x="rep", y=["on_policy", "off_policy"], title="Discounts by rep: on and off policy")
    )
    st.dataframe(discounts, hide_index=True)


def customer_success_page(f: Filters) -> None:
    st.header("Customer Success")
    st.caption(NOT_APPLIED.format("channel; segment on NRR/GRR and cohorts"))
    start = float(run("customer_success", "mrr_start", f)["mrr_usd"].iloc[0] or 0)
    movements = run("customer_success", "mrr_movements", f)
    order = ["new", "reactivation", "expansion", "contraction", "churn"]
    movements = movements.set_index("mrr_movement").reindex(order).fillna(0).reset_index()
    values = [float(v) for v in movements["mrr_change_usd"]]
    chart(
        go.Figure(
            go.Waterfall(
                x=["MRR at start", *order, "MRR at end"],
                measure=["absolute", *["relative"] * len(order), "total"],
                y=[start, *values, 0],
            ),
            layout={"title": "MRR waterfall by movement (USD)"},
        )
    )
    retention = run("customer_success", "retention", f)
    chart(
        px.line(
            retention,
            x="month_start",
            y=["net_revenue_retention", "gross_revenue_retention"],
            title="Trailing-twelve-month NRR and GRR",
        )
    )
    churn = run("customer_success", "logo_churn", f)
    chart(
        px.bar(churn, x="month_start", y="churned_customers", color="segment", title="Logo churn by segment")
    )
    cohorts = run("customer_success", "cohorts", f)
    if not cohorts.empty:
        heat = cohorts.pivot(
            index="cohort_month", columns="months_since_start", values="net_revenue_retention"
        )
        chart(
            px.imshow(heat, aspect="auto", title="Cohort NRR (months since start)", labels={"color": "NRR"})
        )
    st.subheader("Renewals due")
    st.dataframe(run("customer_success", "renewals_due", f), hide_index=True)


def handoffs_page(f: Filters) -> None:
    st.header("Handoffs")
    st.caption(NOT_APPLIED.format("segment, channel") + " Definitions: docs/metrics.md#handoffs.")
    sla = run("handoffs", "sla_monthly", f)
    chart(
        px.line(sla, x="handed_month", y="sla_attainment", color="handoff", title="SLA attainment by month")
    )
    sla["complete_share"] = 1 - sla["incomplete_count"] / sla["handed_count"]
    chart(px.line(sla, x="handed_month", y="complete_share", color="handoff", title="Completeness by month"))
    leaks = run("handoffs", "leaks", f)
    st.subheader(f"Leaking records ({len(leaks):,})")
    st.dataframe(leaks, hide_index=True)


def data_quality_page(f: Filters) -> None:
    st.header("Data quality")
    st.caption(NOT_APPLIED.format("date range, segment, channel"))
    st.dataframe(run("data_quality", "publication", f), hide_index=True)
    quarantine = run("data_quality", "quarantine", f)
    chart(
        px.bar(
            quarantine,
            x="table_name",
            y="rows",
            color="reason",
            title=f"Quarantined rows ({int(quarantine['rows'].sum()):,})",
        )
    )
    try:
        checks = run("data_quality", "checks", f)
    except duckdb.CatalogException:
        st.info("No checks are recorded in this publication (audit.check_results is missing).")
        return
    status = (
        checks["status"] if "status" in checks else checks["success"].map({True: "passed", False: "failed"})
    )
    summary = status.fillna("not run").value_counts().rename_axis("status").reset_index(name="checks")
    chart(px.bar(summary, x="status", y="checks", title="Latest checks"))
    if "status" in checks:
        st.subheader("Not applicable")
        st.dataframe(checks[checks["status"] == "not_applicable"], hide_index=True)
    st.subheader("Latest checks")
    st.dataframe(checks, hide_index=True)
    st.subheader("Quarantine")
    st.dataframe(quarantine, hide_index=True)


PAGES: dict[str, tuple[str, Callable[[Filters], None]]] = {
    "funnel": ("Funnel", funnel_page),
    "marketing": ("Marketing", marketing_page),
    "sales": ("Sales", sales_page),
    "customer-success": ("Customer Success", customer_success_page),
    "handoffs": ("Handoffs", handoffs_page),
    "data-quality": ("Data quality", data_quality_page),
}


def page(render: Callable[[Filters], None]) -> Callable[[], None]:
    def load() -> None:
        with page_connection():  # one read-only connection per page load, closed when drawn
            render(sidebar_filters())

    return load


def main() -> None:
    st.set_page_config(page_title="Revenue dashboard", layout="wide")
    if not serving_db_path().exists():
        st.error(f"Nothing published yet: {serving_db_path()} does not exist (run `make run`).")
        st.stop()
    pages = [
        st.Page(page(render), title=title, url_path=path, default=path == "funnel")
        for path, (title, render) in PAGES.items()
    ]
    st.navigation(pages).run()


main()
