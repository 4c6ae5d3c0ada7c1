"""The simulator's truth against its own extract files, recomputed here with DuckDB from the files
alone (never through the simulator's code): funnel counts, opportunities, MRR, the marketing-to-
sales handoff, every dirt count, and referential integrity except the recorded orphans."""

from __future__ import annotations

import csv
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from simulator_support import latest, open_extracts, truth_csv, truth_json

from revenue_warehouse.contract import get_table
from revenue_warehouse.paths import PROJECT_DIR
from revenue_warehouse.simulator import generate

CLEAN = {"scale": 0.05, "seed": 21, "start": date(2023, 1, 1), "end": date(2024, 12, 31), "dirt": "off"}


@pytest.fixture(scope="module")
def dirty(small_extracts: Path) -> duckdb.DuckDBPyConnection:
    return open_extracts(small_extracts)


@pytest.fixture(scope="module")
def clean_extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(out, **CLEAN)
    return out


# References between tables: (child view, child column, parent view, parent column).
REFERENCES = [
    ("hubspot_contact", "property_salesforceleadid", "salesforce_lead", "id"),
    ("hubspot_contact", "property_salesforcecontactid", "salesforce_contact", "id"),
    ("hubspot_contact", "property_associatedcompanyid", "hubspot_company", "id"),
    ("hubspot_web_session", "contact_id", "hubspot_contact", "id"),
    ("hubspot_contact_form_submission", "contact_id", "hubspot_contact", "id"),
    ("hubspot_contact_form_submission", "form_id", "hubspot_form", "guid"),
    ("hubspot_email_event", "email_campaign_id", "hubspot_email_campaign", "id"),
    ("hubspot_email_event_click", "id", "hubspot_email_event", "id"),
    ("hubspot_ad_campaign_daily", "ad_campaign_id", "hubspot_ad_campaign", "id"),
    ("salesforce_user", "user_role_id", "salesforce_user_role", "id"),
    ("salesforce_user", "manager_id", "salesforce_user", "id"),
    ("salesforce_user_role", "parent_role_id", "salesforce_user_role", "id"),
    ("salesforce_lead", "owner_id", "salesforce_user", "id"),
    ("salesforce_lead", "converted_account_id", "salesforce_account", "id"),
    ("salesforce_lead", "converted_contact_id", "salesforce_contact", "id"),
    ("salesforce_lead", "converted_opportunity_id", "salesforce_opportunity", "id"),
    ("salesforce_account", "customer_success_manager_c", "salesforce_user", "id"),
    ("salesforce_account", "owner_id", "salesforce_user", "id"),
    ("salesforce_contact", "account_id", "salesforce_account", "id"),
    ("salesforce_opportunity", "account_id", "salesforce_account", "id"),
    ("salesforce_opportunity", "owner_id", "salesforce_user", "id"),
    ("salesforce_opportunity", "stripe_subscription_id_c", "stripe_subscription", "id"),
    ("salesforce_opportunity_history", "opportunity_id", "salesforce_opportunity", "id"),
    ("salesforce_opportunity_line_item", "opportunity_id", "salesforce_opportunity", "id"),
    ("salesforce_opportunity_line_item", "product_2_id", "salesforce_product_2", "id"),
    ("salesforce_task", "what_id", "salesforce_opportunity", "id"),
    ("salesforce_task", "owner_id", "salesforce_user", "id"),
    ("salesforce_event", "what_id", "salesforce_opportunity", "id"),
    ("salesforce_event", "who_id", "salesforce_contact", "id"),
    ("stripe_plan", "product_id", "stripe_product", "id"),
    ("stripe_subscription", "customer_id", "stripe_customer", "id"),
    ("stripe_subscription_item", "subscription_id", "stripe_subscription", "id"),
    ("stripe_subscription_item", "plan_id", "stripe_plan", "id"),
    ("stripe_discount", "coupon_id", "stripe_coupon", "id"),
    ("stripe_discount", "subscription_id", "stripe_subscription", "id"),
    ("stripe_invoice", "customer_id", "stripe_customer", "id"),
    ("stripe_invoice", "subscription_id", "stripe_subscription", "id"),
    ("stripe_invoice_line_item", "invoice_id", "stripe_invoice", "id"),
    ("stripe_invoice_line_item", "subscription_item_id", "stripe_subscription_item", "id"),
    ("stripe_usage_record", "subscription_item_id", "stripe_subscription_item", "id"),
]


def dangling(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, str]]:
    """(child table, child id, missing parent id) of every reference whose parent never arrives."""
    out = set()
    for child, col, parent, pcol in REFERENCES:
        system, table = child.split("_", 1)
        key = "concat_ws(':', " + ", ".join(f"c.{k}" for k in get_table(system, table).primary_key) + ")"
        rows = con.execute(
            f"select distinct {key}, c.{col} from {child} c where c.{col} is not null "
            f"and c.{col} not in (select {pcol} from {parent})"
        ).fetchall()
        out |= {(child, r[0], r[1]) for r in rows}
    # a task's who_id is a lead or a contact
    rows = con.execute(
        "select distinct id, who_id from salesforce_task where who_id not in "
        "(select id from salesforce_lead union all select id from salesforce_contact)"
    ).fetchall()
    out |= {("salesforce_task", r[0], r[1]) for r in rows}
    # metadata links from billing to the CRM
    for view, key, parent in (("stripe_customer", "salesforce_account_id", "salesforce_account"),
                              ("stripe_subscription", "salesforce_opportunity_id", "salesforce_opportunity")):  # fmt: skip
        rows = con.execute(
            f"select distinct id, json_extract_string(metadata, '$.{key}') as ref from {view} "
            f"where ref is not null and ref not in (select id from {parent})"
        ).fetchall()
        out |= {(view, r[0], r[1]) for r in rows}
    return out


def crm_leads_without_contact(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            f"select id from {latest('salesforce_lead')} where not is_deleted::boolean and id not in "
            "(select property_salesforceleadid from hubspot_contact where property_salesforceleadid is not null)"
        ).fetchall()
    }


def test_clean_data_has_referential_integrity(clean_extracts: Path) -> None:
    con = open_extracts(clean_extracts)
    assert dangling(con) == set()
    assert crm_leads_without_contact(con) == set()
    missing_meta = con.execute(
        f"select count(*) from {latest('stripe_customer')} where json_extract_string(metadata, '$.salesforce_account_id') is null"
    ).fetchone()[0]
    assert missing_meta == 0


def test_clean_data_hands_off_everything_but_the_leak_and_what_the_end_cuts_off(clean_extracts: Path) -> None:
    h = truth_csv(clean_extracts, "handoffs")
    as_of = pd.Timestamp(CLEAN["end"]) + pd.Timedelta(hours=23, minutes=59, seconds=59)
    open_ = h[h["is_complete"] == "false"]
    assert set(open_.loc[open_["handoff"] == "marketing_to_sales", "missing_step"]) <= {"sales_pickup"}
    s2cs = open_[open_["handoff"] == "sales_to_customer_success"]
    assert (pd.to_datetime(s2cs["handed_at"]) > as_of - pd.Timedelta(days=15)).all(), s2cs.to_string()
    cs2r = open_[open_["handoff"] == "customer_success_to_renewal"]
    term_end = pd.to_datetime(cs2r["record_id"].str.split(":").str[1])
    assert (term_end > as_of).all(), cs2r.to_string()
    done = h[h["picked_up_at"] != ""]
    assert (pd.to_datetime(done["picked_up_at"]) >= pd.to_datetime(done["handed_at"])).all()
    counts = h.groupby("handoff")["is_complete"].apply(lambda s: (s == "true").mean())
    assert counts["marketing_to_sales"] > 0.9 and counts["sales_to_customer_success"] > 0.8
    renewals = truth_csv(clean_extracts, "renewals")
    decided = renewals[pd.to_datetime(renewals["term_end_date"]) <= as_of]
    assert (decided["outcome"] != "pending").all() and (decided["renewal_opportunity_id"] != "").all()
    assert len(decided) and set(decided["outcome"]) <= {"renewed_flat", "upgraded", "downgraded", "churned"}


def test_dirty_data_breaks_references_only_as_recorded(
    dirty: duckdb.DuckDBPyConnection, small_extracts: Path
) -> None:
    orphans = truth_csv(small_extracts, "orphans")
    recorded = {
        (f"{s}_{t}", i, p) for s, t, i, p in orphans[["system", "table", "id", "missing_parent_id"]].itertuples(index=False)
        if p
    }  # fmt: skip
    assert dangling(dirty) == recorded
    assert recorded, "dirt is on: some orphans expected"
    lead_orphans = set(orphans.loc[orphans["table"] == "lead", "id"])
    assert crm_leads_without_contact(dirty) == lead_orphans
    dirt = truth_json(small_extracts, "dirt")
    assert len(lead_orphans) == dirt["orphans_lead"]
    assert sum(1 for r in recorded if r[0] == "salesforce_task") == dirt["orphans_task"]
    assert sum(1 for r in recorded if r[0] == "stripe_invoice_line_item") == dirt["orphans_invoice_line_item"]
    missing = {
        r[0]
        for r in dirty.execute(
            "select id from stripe_customer where json_extract_string(metadata, '$.salesforce_account_id') is null"
        ).fetchall()
    }
    assert missing == {c for c, _ in dirt["customer_metadata_missing_ids"]}
    assert len(missing) == dirt["customer_metadata_missing"]


def test_duplicate_rows_equal_the_recorded_count(
    dirty: duckdb.DuckDBPyConnection, small_extracts: Path
) -> None:
    dups = truth_json(small_extracts, "dirt")["duplicate_rows"]
    assert sum(dups.values()) > 0
    for key, expected in dups.items():
        view = key.replace(".", "_")
        n, distinct = dirty.execute(
            f"select (select count(*) from {view}), "
            f"(select count(*) from (select distinct * exclude (filename, file_day) from {view}))"
        ).fetchone()
        assert n - distinct == expected, key


def test_email_variants_soft_deletes_and_nulls_equal_the_recorded_counts(
    dirty: duckdb.DuckDBPyConnection, small_extracts: Path
) -> None:
    dirt = truth_json(small_extracts, "dirt")
    contacts = latest("hubspot_contact")
    variants = dirty.execute(
        f"select count(*) from {contacts} where property_email <> lower(trim(property_email))"
    ).fetchone()[0]
    assert variants == dirt["email_variants"] > 0
    # every variant's normalised email belongs to exactly one other (original) record
    bad = dirty.execute(
        f"with c as (select lower(trim(property_email)) as e, property_email <> lower(trim(property_email)) as v "
        f"from {contacts} where not _fivetran_deleted::boolean) "
        "select count(*) from (select e from c group by e having bool_or(v) and (count(*) <> 2 or count(*) filter (where not v) <> 1))"
    ).fetchone()[0]
    assert bad == 0
    deleted = {
        "hubspot.contact": f"select count(*) from {contacts} where _fivetran_deleted::boolean",
        "salesforce.lead": f"select count(*) from {latest('salesforce_lead')} where is_deleted::boolean",
        "salesforce.task": f"select count(*) from {latest('salesforce_task')} where is_deleted::boolean",
    }
    for key, sql in deleted.items():
        assert dirty.execute(sql).fetchone()[0] == dirt["soft_deletes"][key], key
    for key, expected in dirt["null_optional"].items():
        system, table, column = key.split(".")
        n = dirty.execute(
            f"select count(distinct id) from {system}_{table} where {column} is null"
        ).fetchone()[0]
        assert n == expected, key


def test_late_opportunity_updates_equal_the_recorded_count(
    dirty: duckdb.DuckDBPyConnection, small_extracts: Path
) -> None:
    """A late row is delivered (synced) on a later day than the stage change it shows (from history)."""
    late = dirty.execute(
        "with h as (select opportunity_id, stage_name, min(created_date::timestamp) as entered "
        "from salesforce_opportunity_history group by all) "
        "select count(distinct (o.id, o._fivetran_synced)) from salesforce_opportunity o "
        "join h on h.opportunity_id = o.id and h.stage_name = o.stage_name "
        "where o._fivetran_synced::timestamp::date > h.entered::date"
    ).fetchone()[0]
    assert late == truth_json(small_extracts, "dirt")["late_updates"]["opportunity"] > 0


def test_history_out_of_order_rows_equal_the_recorded_count(small_extracts: Path) -> None:
    out_of_order, shuffled_files = 0, 0
    for path in sorted((small_extracts / "salesforce" / "opportunity_history").glob("*.csv")):
        with path.open(newline="") as fh:
            created = [r["created_date"] for r in csv.DictReader(fh)]
        running = ""
        bad = 0
        for c in created:
            bad += c < running
            running = max(running, c)
        out_of_order += bad
        shuffled_files += bad > 0
    recorded = truth_json(small_extracts, "dirt")["history_out_of_order"]
    assert out_of_order == recorded["rows_out_of_order"] > 0
    assert shuffled_files <= recorded["files"]


def funnel_from_extracts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """docs/metrics.md#funnel recomputed from the files: persons by normalised email, earliest
    non-deleted contact record, Salesforce lead via the synced id or else the same email
    (docs/metrics.md#identity), opportunity via conversion."""
    mapping = PROJECT_DIR / "seeds" / "channel_mapping.csv"
    return con.execute(f"""
        with contacts as (select * from {latest("hubspot_contact")} where not _fivetran_deleted::boolean),
        persons as (
            select lower(trim(property_email)) as email,
                   min(property_createdate::timestamp) as lead_at,
                   arg_min(property_hs_analytics_source, property_createdate::timestamp) as source,
                   min(property_hs_lifecyclestage_marketingqualifiedlead_date::timestamp) as mql_at,
                   max(property_salesforceleadid) as lead_id
            from contacts group by 1),
        leads as (select * from {latest("salesforce_lead")} where not is_deleted::boolean),
        opps as (select * from {latest("salesforce_opportunity")}),
        journey as (
            select m.channel, p.lead_at, p.mql_at, l.accepted_date_c::timestamp as accepted_at,
                   o.created_date::timestamp as opp_at,
                   case when o.is_won::boolean then o.close_date::date end as won_at,
                   case when o.is_closed::boolean and not o.is_won::boolean then o.close_date::date end as lost_at
            from persons p
            join read_csv('{mapping}') m on m.source_field = 'hs_analytics_source' and m.source_value = p.source
            left join leads l on l.id = p.lead_id or (p.lead_id is null and lower(trim(l.email)) = p.email)
            left join opps o on o.id = l.converted_opportunity_id),
        events as (
            unpivot journey on lead_at::date as leads, mql_at::date as mqls, accepted_at::date as sales_accepted,
                   opp_at::date as opportunities, won_at as won, lost_at as lost
            into name stage value ts)
        select strftime(date_trunc('month', ts), '%Y-%m-%d') as month, channel, stage, count(*) as n
        from events group by all
    """).df()


def test_funnel_truth_equals_the_extracts(dirty: duckdb.DuckDBPyConnection, small_extracts: Path) -> None:
    got = funnel_from_extracts(dirty)
    truth = truth_csv(small_extracts, "funnel_monthly")
    stages = ["leads", "mqls", "sales_accepted", "opportunities", "won", "lost"]
    long = truth.melt(id_vars=["month", "channel"], value_vars=stages, var_name="stage", value_name="n")
    long["n"] = long["n"].astype(int)
    long = long[long["n"] > 0]
    key = ["month", "channel", "stage"]
    merged = long.merge(got, on=key, how="outer", suffixes=("_truth", "_files"), indicator=True)
    diff = merged[(merged["_merge"] != "both") | (merged["n_truth"] != merged["n_files"])]
    assert diff.empty, diff.head(20).to_string()
    assert long.groupby("stage")["n"].sum().gt(0).all()


def test_opportunity_truth_equals_the_extracts(
    dirty: duckdb.DuckDBPyConnection, small_extracts: Path
) -> None:
    files = dirty.execute(
        f"select id as opportunity_id, type, currency_iso_code as currency, amount::decimal(18,2)::varchar as amount, "
        f"created_date::timestamp::date::varchar as created_date, close_date, is_closed, is_won, stage_name "
        f"from {latest('salesforce_opportunity')}"
    ).df()
    truth = truth_csv(small_extracts, "opportunities")
    merged = truth.merge(files, on="opportunity_id", suffixes=("", "_f"), how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    for col in ("type", "currency", "amount", "created_date", "close_date", "is_closed", "is_won"):
        assert (merged[col] == merged[f"{col}_f"]).all(), col
    assert (merged["stage_reached"] == merged["stage_name"]).all()
    closed = merged[merged["is_closed"] == "true"]
    days = (pd.to_datetime(closed["close_date"]) - pd.to_datetime(closed["created_date"])).dt.days
    assert (days.astype(str) == closed["cycle_days"]).all()
    fx = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27}
    usd = merged["amount"].astype(float) * merged["currency"].map(fx)
    assert ((usd - merged["amount_usd"].astype(float)).abs() <= 0.006).all()


def test_marketing_to_sales_handoffs_equal_the_extracts(
    dirty: duckdb.DuckDBPyConnection, small_extracts: Path
) -> None:
    """Picked up = first non-deleted task on the lead, or acceptance, whichever is earlier."""
    files = dirty.execute(f"""
        with leads as (select * from {latest("salesforce_lead")} where not is_deleted::boolean),
        mql_leads as (select l.id, min(c.property_hs_lifecyclestage_marketingqualifiedlead_date) as mql
                      from {latest("hubspot_contact")} c join leads l on l.id = c.property_salesforceleadid
                          or (c.property_salesforceleadid is null and lower(trim(l.email)) = lower(trim(c.property_email)))
                      where c.property_hs_lifecyclestage_marketingqualifiedlead_date is not null group by 1),
        tasks as (select who_id, min(created_date::timestamp) as first_task from {latest("salesforce_task")}
                  where not is_deleted::boolean group by 1)
        select l.id as record_id, m.mql as handed_at,
               coalesce(strftime(least(t.first_task, l.accepted_date_c::timestamp), '%Y-%m-%d %H:%M:%S'), '') as picked_up_at
        from leads l join mql_leads m on m.id = l.id left join tasks t on t.who_id = l.id
    """).df()
    truth = truth_csv(small_extracts, "handoffs")
    truth = truth[truth["handoff"] == "marketing_to_sales"]
    merged = truth.merge(files, on="record_id", suffixes=("", "_f"), how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["handed_at"] == merged["handed_at_f"]).all()
    assert (merged["picked_up_at"] == merged["picked_up_at_f"]).all()
    assert ((merged["picked_up_at"] != "") == (merged["is_complete"] == "true")).all()
    assert (merged["is_complete"] == "false").sum() > 0, "some MQLs are never picked up (a real leak)"


def mrr_from_extracts(con: duckdb.DuckDBPyConnection, as_of: str) -> pd.DataFrame:
    """docs/metrics.md#mrr: subscription invoice lines, net of discounts, in USD, x periods per year
    / 12, each rounded to the cent, per month whose measuring day (the earlier of its last day and
    the as-of date) the line covers."""
    fx = PROJECT_DIR / "seeds" / "fx_rates.csv"
    lines = con.execute(f"""
        with lines as (select * from {latest("stripe_invoice_line_item")} where type = 'subscription'),
        plans as (select * from {latest("stripe_plan")}),
        subs as (select * from {latest("stripe_subscription")}),
        valued as (
            select s.customer_id, l.period_start::timestamp::date as ps, l.period_end::timestamp::date as pe,
                   l.amount::bigint - l.discount_amount::bigint as net_minor, cast(f.rate_to_usd as varchar) as rate,
                   case p.interval when 'year' then 1 when 'month' then 12 end as per_year, p.interval_count::int as n
            from lines l join plans p on p.id = l.plan_id join subs s on s.id = l.subscription_id
            join read_csv('{fx}', all_varchar=true) f on lower(f.currency) = l.currency),
        months as (
            select *, unnest(generate_series(date_trunc('month', ps), date_trunc('month', pe), interval 1 month))::date as month
            from valued)
        select customer_id, strftime(month, '%Y-%m-%d') as month, net_minor, rate, per_year, n from months
        where month <= date_trunc('month', $as_of::date)
            and ps <= least(last_day(month), $as_of::date) and least(last_day(month), $as_of::date) < pe
    """, {"as_of": as_of}).df()  # fmt: skip
    lines["mrr_usd"] = [
        (Decimal(int(m)) / 100 * Decimal(r) * p / (12 * n)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        for m, r, p, n in zip(lines["net_minor"], lines["rate"], lines["per_year"], lines["n"], strict=True)
    ]
    out = lines.groupby(["customer_id", "month"], as_index=False)["mrr_usd"].sum()
    return out.rename(columns={"customer_id": "stripe_customer_id"})


def test_mrr_truth_equals_the_extracts(dirty: duckdb.DuckDBPyConnection, small_extracts: Path) -> None:
    kinds = set(assert_mrr_truth_equals_the_extracts(dirty, small_extracts)["movement"])
    assert {"new", "unchanged", "churn", "expansion"} <= kinds


def assert_mrr_truth_equals_the_extracts(
    dirty: duckdb.DuckDBPyConnection, small_extracts: Path
) -> pd.DataFrame:
    """MRR per customer-month recomputed from the files equals the truth; movements follow it."""
    truth = truth_csv(small_extracts, "mrr_monthly")
    truth["mrr_usd"] = truth["mrr_usd"].map(Decimal)
    files = mrr_from_extracts(dirty, truth_json(small_extracts, "meta")["as_of"][:10])
    positive = truth[truth["mrr_usd"] > 0]
    merged = positive.merge(
        files, on=["stripe_customer_id", "month"], suffixes=("", "_f"), how="outer", indicator=True
    )
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head().to_string()
    assert (merged["mrr_usd"] == merged["mrr_usd_f"]).all(), merged[
        merged["mrr_usd"] != merged["mrr_usd_f"]
    ].head()
    # movements, recomputed from the customer-month series (docs/metrics.md#mrr)
    for _, g in truth.sort_values("month").groupby("stripe_customer_id"):
        prev, ever = 0.0, False
        for cur, movement in zip(g["mrr_usd"], g["movement"], strict=True):
            expected = (
                ("reactivation" if ever else "new") if cur > 0 and prev == 0
                else "churn" if cur == 0 and prev > 0
                else "expansion" if cur > prev
                else "contraction" if cur < prev
                else "unchanged"
            )  # fmt: skip
            assert movement == expected
            ever |= cur > 0
            prev = cur
    return truth


def test_won_deal_amount_equals_the_annualised_subscription(clean_extracts: Path) -> None:
    """The sales-to-customer-success check: a won deal's annual amount is its subscription's first
    billed MRR x 12, in the deal's currency (to a few cents of rounding on monthly plans)."""
    con = open_extracts(clean_extracts)
    rows = con.execute(f"""
        with subs as (select id, json_extract_string(metadata, '$.salesforce_opportunity_id') as opp_id
                      from {latest("stripe_subscription")}),
        first_line as (select * from {latest("stripe_invoice_line_item")} where type = 'subscription'
                       qualify row_number() over (partition by subscription_id order by period_start) = 1),
        plans as (select * from {latest("stripe_plan")})
        select o.id, o.amount::decimal(18,2) as amount, upper(l.currency) = o.currency_iso_code as same_currency,
               (l.amount::bigint - l.discount_amount::bigint) / 100
               * case p.interval when 'year' then 1 else 12 end as annualised
        from {latest("salesforce_opportunity")} o join subs s on s.opp_id = o.id
        join first_line l on l.subscription_id = s.id join plans p on p.id = l.plan_id
        where o.type = 'New Business' and o.is_won::boolean
    """).fetchall()
    assert len(rows) >= 5
    for opp, amount, same_currency, annualised in rows:
        assert same_currency, opp
        assert abs(float(amount) - annualised) <= 0.06, (opp, amount, annualised)
