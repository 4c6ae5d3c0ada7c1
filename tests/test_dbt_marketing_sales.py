"""Marketing and Sales marts against the simulator's truth (``_truth/``), on the shared built
warehouse (small scale, every kind of dirt on). Expected figures are read from the truth files the
simulator computed from its own state, never from the marts."""

from __future__ import annotations

import csv
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF

FUNNEL_STAGES = ("leads", "mqls", "sales_accepted", "opportunities", "won", "lost")

# Funnel counts per (month, channel) from the marts: a lead is a live person with a live HubSpot
# contact; every stage counts once per person in the month of its timestamp (docs/metrics.md#funnel).
FUNNEL_SQL = """
with leads as (
    select * from marketing.fct_leads where is_lead and not is_deleted
),
opps as (
    select leads.channel, o.created_at, o.close_date, o.is_won, o.is_lost
    from leads
    join sales.fct_opportunities as o
        on o.opportunity_id = leads.opportunity_id
        and o.opportunity_type = 'New Business'
        and not o.is_deleted
),
events as (
    select 'leads' as stage, created_at as event_at, channel from leads
    union all select 'mqls', mql_at, channel from leads where mql_at is not null
    union all select 'sales_accepted', accepted_at, channel from leads where accepted_at is not null
    union all select 'opportunities', created_at, channel from opps
    union all select 'won', close_date, channel from opps where is_won
    union all select 'lost', close_date, channel from opps where is_lost
)
select strftime(date_trunc('month', event_at), '%Y-%m-%d') as month, channel, stage, count(*) as n
from events
where cast(event_at as date) <= ?
group by all
"""


def _truth(extracts: Path, name: str) -> list[dict[str, str]]:
    with open(extracts / "_truth" / f"{name}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def con(built_db: Path):
    connection = duckdb.connect(str(built_db), read_only=True)
    yield connection
    connection.close()


def test_funnel_per_month_and_channel_equals_truth(con, small_extracts: Path) -> None:
    expected = Counter()
    for row in _truth(small_extracts, "funnel_monthly"):
        for stage in FUNNEL_STAGES:
            if int(row[stage]):
                expected[(row["month"], row["channel"], stage)] = int(row[stage])
    actual = Counter({(m, ch, st): n for m, ch, st, n in con.execute(FUNNEL_SQL, [AS_OF]).fetchall()})
    assert all(sum(v for k, v in expected.items() if k[2] == st) > 0 for st in FUNNEL_STAGES)
    for stage in FUNNEL_STAGES:
        exp = {k: v for k, v in expected.items() if k[2] == stage}
        act = {k: v for k, v in actual.items() if k[2] == stage}
        diff = {
            k: (exp.get(k, 0), act.get(k, 0)) for k in set(exp) | set(act) if exp.get(k, 0) != act.get(k, 0)
        }
        assert not diff, (
            f"{stage}: (truth, mart) differ for {len(diff)} month/channel cells, e.g. {sorted(diff.items())[:5]}"
        )


def test_opportunity_amounts_and_cycle_days_equal_truth(con, small_extracts: Path) -> None:
    truth = {r["opportunity_id"]: r for r in _truth(small_extracts, "opportunities")}
    rows = con.execute(
        """select opportunity_id, opportunity_type, currency, amount, amount_usd, is_closed, is_won,
                  sales_cycle_days, renewal_cycle_days, stage_name, furthest_open_stage_reached, source_lead_id, source_channel,
                  account_id, owner_id
           from sales.fct_opportunities where not is_deleted"""
    ).fetchall()
    marts = {r[0]: r for r in rows}
    assert set(marts) == set(truth), (
        f"opportunities only in marts: {sorted(set(marts) - set(truth))[:5]}, "
        f"only in truth: {sorted(set(truth) - set(marts))[:5]}"
    )
    problems = []
    for opp_id, t in truth.items():
        (
            _,
            typ,
            cur,
            amount,
            amount_usd,
            closed,
            won,
            sales_cycle,
            renewal_cycle,
            stage,
            furthest,
            lead,
            channel,
            account,
            owner,
        ) = marts[opp_id]
        # cycle days are a per-category measure: new business in sales_cycle_days, renewals apart
        cycle, other = (sales_cycle, renewal_cycle) if typ == "New Business" else (renewal_cycle, sales_cycle)
        assert other is None, f"{opp_id} ({typ}) has cycle days in the other category's measure"
        got = {
            "type": typ, "currency": cur, "amount": f"{amount:.2f}", "amount_usd": f"{amount_usd:.2f}",
            "is_closed": str(closed).lower(), "is_won": str(won).lower(),
            "cycle_days": "" if cycle is None else str(cycle), "stage_reached": stage,
            "last_open_stage": furthest or "", "source_lead_id": lead or "", "channel": channel or "",
            "account_id": account or "", "owner_id": owner or "",
        }  # fmt: skip
        want = {k: t[k] for k in got}
        if got != want:
            problems.append((opp_id, {k: (want[k], got[k]) for k in got if got[k] != want[k]}))
    assert not problems, f"{len(problems)} opportunities differ (truth, mart): {problems[:5]}"


def test_every_duplicate_and_email_variant_collapses_to_one_person(con, small_extracts: Path) -> None:
    persons = _truth(small_extracts, "persons")
    record_person = dict(
        con.execute(
            "select record_id, person_id from intermediate.int_person_records_matched where source_system = 'hubspot'"
        ).fetchall()
    )
    lead_person = dict(
        con.execute(
            "select record_id, person_id from intermediate.int_person_records_matched "
            "where source_system = 'salesforce' and record_type = 'lead'"
        ).fetchall()
    )
    seen: dict[str, str] = {}
    multi = 0
    for p in persons:
        ids = p["hubspot_contact_ids"].split("|")
        multi += len(ids) > 1
        mart_ids = {record_person[i] for i in ids}
        if p["salesforce_lead_id"]:
            mart_ids.add(lead_person[p["salesforce_lead_id"]])
        assert len(mart_ids) == 1, f"truth person {p['person_id']} ({ids}) split into {len(mart_ids)} persons"
        (mart_id,) = mart_ids
        assert mart_id not in seen, f"truth persons {seen.get(mart_id)} and {p['person_id']} merged into one"
        seen[mart_id] = p["person_id"]
    dirt = json.loads((small_extracts / "_truth" / "dirt.json").read_text())
    assert multi == dirt["email_variants"] > 0
    _assert_person_attributes_equal_truth(con, persons, record_person)
    live_leads = con.execute(
        "select count(*) from marketing.fct_leads where is_lead and not is_deleted"
    ).fetchone()
    assert live_leads[0] == len(persons)


def test_soft_deleted_records_are_flagged_not_counted(con, small_extracts: Path) -> None:
    dirt = json.loads((small_extracts / "_truth" / "dirt.json").read_text())
    persons = _truth(small_extracts, "persons")
    real_contacts = {i for p in persons for i in p["hubspot_contact_ids"].split("|")}
    deleted = {
        cid
        for (cid,) in con.execute(
            "select cast(contact_id as varchar) from staging.stg_hubspot__contacts where is_deleted"
        ).fetchall()
    }
    assert len(deleted) == dirt["soft_deletes"]["hubspot.contact"] > 0
    assert not real_contacts & deleted, "a real person's contact is flagged deleted"
    total_contacts = con.execute("select count(*) from staging.stg_hubspot__contacts").fetchone()[0]
    assert total_contacts == len(real_contacts) + len(deleted), (
        "soft-deleted contacts must be kept, not dropped"
    )
    in_marts, flagged = con.execute(
        """select count(*), count(*) filter (where l.is_deleted)
           from intermediate.int_person_records_matched as r
           join marketing.fct_leads as l using (person_id)
           where r.source_system = 'hubspot' and r.is_deleted"""
    ).fetchone()
    assert in_marts == flagged == len(deleted), "every soft-deleted contact's person is in fct_leads, flagged"
    deleted_leads, live_leads = con.execute(
        "select count(*) filter (where is_deleted), count(*) filter (where not is_deleted) "
        "from staging.stg_salesforce__leads"
    ).fetchone()
    assert deleted_leads == dirt["soft_deletes"]["salesforce.lead"]
    assert live_leads == sum(1 for p in persons if p["salesforce_lead_id"]) + dirt["orphans_lead"]


PERSON_SQL = """
select p.person_id, p.email, p.channel, p.salesforce_lead_id, p.salesforce_contact_id, p.salesforce_account_id,
       strftime(p.created_at, '%Y-%m-%d %H:%M:%S'), strftime(p.became_mql_at, '%Y-%m-%d %H:%M:%S'),
       strftime(l.accepted_at, '%Y-%m-%d %H:%M:%S'), strftime(l.qualified_at, '%Y-%m-%d %H:%M:%S'),
       strftime(l.disqualified_at, '%Y-%m-%d %H:%M:%S'), l.disqualified_reason, l.opportunity_id
from intermediate.int_persons_resolved as p
join marketing.fct_leads as l using (person_id)
"""
PERSON_FIELDS = (
    "canonical_email", "channel", "salesforce_lead_id", "salesforce_contact_id", "salesforce_account_id",
    "lead_created_at", "mql_at", "accepted_at", "qualified_at", "disqualified_at", "disqualify_reason",
    "opportunity_id",
)  # fmt: skip


def _assert_person_attributes_equal_truth(con, persons: list[dict[str, str]], record_person: dict) -> None:
    marts = {row[0]: ["" if v is None else v for v in row[1:]] for row in con.execute(PERSON_SQL).fetchall()}
    problems = []
    for p in persons:
        got = dict(
            zip(PERSON_FIELDS, marts[record_person[p["hubspot_contact_ids"].split("|")[0]]], strict=True)
        )
        diff = {k: (p[k], got[k]) for k in PERSON_FIELDS if p[k] != got[k]}
        if diff:
            problems.append((p["person_id"], diff))
    assert not problems, f"{len(problems)} persons differ (truth, mart): {problems[:5]}"


CAMPAIGN_FILES_SQL = """
with daily as (
    select *, row_number() over (partition by ad_campaign_id, "date" order by _fivetran_synced desc) as version
    from read_csv(?, union_by_name = true, header = true)
),
campaigns as (
    select distinct on (id) id, currency
    from read_csv(?, union_by_name = true, header = true)
    order by id, _fivetran_synced desc
),
fx as (select * from read_csv(?, header = true))
select cast(d.ad_campaign_id as varchar), strftime(date_trunc('month', d."date"), '%Y-%m-%d'),
       sum(d.impressions), sum(d.clicks), round(sum(d.spend * fx.rate_to_usd), 2)
from daily as d join campaigns as c on c.id = d.ad_campaign_id join fx on fx.currency = c.currency
where d.version = 1
group by all
"""


def test_campaign_delivery_equals_the_extract_files(con, small_extracts: Path) -> None:
    """Impressions, clicks and USD spend per campaign and month, recomputed from the daily files."""
    from revenue_warehouse.paths import PROJECT_DIR

    hubspot = small_extracts / "hubspot"
    with duckdb.connect() as files:
        expected = {
            (cid, month): (imp, clk, Decimal(str(spend)))
            for cid, month, imp, clk, spend in files.execute(
                CAMPAIGN_FILES_SQL,
                [
                    str(hubspot / "ad_campaign_daily" / "*.csv"),
                    str(hubspot / "ad_campaign" / "*.csv"),
                    str(PROJECT_DIR / "seeds" / "fx_rates.csv"),
                ],
            ).fetchall()
        }
    actual = {
        (cid, str(month)): (imp, clk, spend)
        for cid, month, imp, clk, spend in con.execute(
            """select c.source_campaign_id, p.campaign_month, p.impressions, p.clicks, p.spend_usd
               from marketing.fct_campaign_performance as p join marketing.dim_campaigns as c using (campaign_id)
               where c.campaign_type = 'ad' and (p.impressions > 0 or p.clicks > 0 or p.spend_usd > 0)"""
        ).fetchall()
    }
    assert expected and actual == expected


def test_days_in_open_stages_add_up_to_the_truth_cycle(con, small_extracts: Path) -> None:
    """Stage durations from the (partly out-of-order) history: a closed opportunity's days in its
    open stages add up to its true sales cycle."""
    stage_days = dict(
        con.execute(
            """select h.opportunity_id, sum(h.days_in_stage)
               from sales.fct_opportunity_stage_history as h
               join reference.opportunity_stages as s using (stage_name)
               where not s.is_closed
               group by 1"""
        ).fetchall()
    )
    closed = [o for o in _truth(small_extracts, "opportunities") if o["is_closed"] == "true"]
    assert closed
    wrong = [(o["opportunity_id"], o["cycle_days"], stage_days.get(o["opportunity_id"])) for o in closed]
    wrong = [w for w in wrong if str(w[2]) != w[1]]
    assert not wrong, f"{len(wrong)} of {len(closed)} closed opportunities (id, truth, mart): {wrong[:5]}"
