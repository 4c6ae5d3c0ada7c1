"""A company shaped differently from the simulator (issue 9): the small simulated extracts are
loaded, then their raw tables are reshaped the way other CRMs and marketing tools write them
(no opportunity types, stages of its own, a flat role hierarchy, unknown UTM mediums, ...), built once with real dbt, and every mart is checked record by record
against expectations computed here by hand from the reshaped raw rows."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF

from revenue_warehouse.dbt import run_dbt

pytestmark = pytest.mark.slow  # a full dbt build of a reshaped company

# Web sessions without a campaign or a medium get a medium by the last digit of their id, so each
# value below lands on many sessions; the channel each must show is written out by hand.
UTM_RESHAPE = {"1": "organic_search", "2": "ppc", "3": " Paid_Social ", "4": "podcast", "5": "CPC"}
UTM_EXPECTED = {  # medium -> (touch_channel, is_channel_mapped)
    "organic_search": ("organic_search", True),
    "ppc": ("paid_search", True),
    " Paid_Social ": ("paid_social", True),
    "podcast": ("podcast", False),
    "CPC": ("paid_search", True),
}

STAGE_RENAMES = {"Demo": "Product Demo", "Closed Lost": "Closed - Lost"}  # neither is in the seed

# default seeds/sales_rep_departments.csv, written out by hand: role developer name -> department
ROLE_DEPARTMENTS = {
    "SDR": "sales", "SDR_Manager": "sales", "AE": "sales", "AE_Manager": "sales", "VP_Revenue": "sales",
    "CSM": "customer_success", "CSM_Manager": "customer_success",
}  # fmt: skip
USER_DEPARTMENTS = {"Sales": "sales", "Customer Success": "customer_success"}

RESHAPE = [
    # a campaign that ran without paid delivery (its spend rows never arrived)
    "delete from raw_hubspot.ad_campaign_daily where ad_campaign_id = 700016",
    # products sold at twice their list price on every fourth opportunity (by id hash)
    "update raw_salesforce.opportunity_line_item set unit_price = list_price * 2 where hash(opportunity_id) % 4 = 0",
    # a flat role hierarchy, and one role (with its users' department) the mapping does not know
    "update raw_salesforce.user_role set parent_role_id = null",
    """update raw_salesforce.user set department = 'Partnerships' where user_role_id in (
           select id from raw_salesforce.user_role where developer_name = 'CSM_Manager')""",
    "update raw_salesforce.user_role set developer_name = 'Partner_Manager', name = 'Partner Manager' "
    "where developer_name = 'CSM_Manager'",
    *(
        f"update raw_salesforce.{table} set stage_name = '{new}' where stage_name = '{old}'"
        for table in ("opportunity", "opportunity_history")
        for old, new in STAGE_RENAMES.items()
    ),
    # a CRM that does not fill the opportunity type: deal categories must be derived
    "update raw_salesforce.opportunity set type = null",
    *(
        f"""update raw_hubspot.web_session set utm_medium = '{medium}'
            where utm_medium is null and utm_campaign is null and right(id, 1) = '{digit}'"""
        for digit, medium in UTM_RESHAPE.items()
    ),
    # an original source HubSpot adds later than the seed: shown as itself, never "direct"
    """update raw_hubspot.contact set property_hs_analytics_source = 'AI_REFERRALS'
       where property_hs_analytics_source = 'DIRECT_TRAFFIC'""",
]


@pytest.fixture(scope="module")
def reshaped(loaded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The reshaped company built with dbt; returns the database and dbt's output."""
    work = tmp_path_factory.mktemp("reshaped")
    db = work / "build.duckdb"
    shutil.copy(loaded_db, db)
    with duckdb.connect(str(db)) as con:
        for statement in RESHAPE:
            con.execute(statement)
    proc = run_dbt(["build"], db, dbt_vars={"as_of_date": AS_OF.isoformat()}, target_path=work / "target")
    return db, proc.stdout


def _truth_opportunities(extracts: Path) -> list[dict[str, str]]:
    with open(extracts / "_truth" / "opportunities.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _latest_users(db: Path) -> dict[str, dict]:
    """Each raw CRM user's latest version (by sync time), keyed by id."""
    rows = _rows(
        db,
        """select id, arg_max(manager_id, _fivetran_synced), arg_max(user_role_id, _fivetran_synced),
                  arg_max(department, _fivetran_synced), arg_max(coalesce(_fivetran_deleted, false), _fivetran_synced)
           from raw_salesforce.user group by id""",
    )
    return {
        r[0]: {"manager_id": r[1], "user_role_id": r[2], "department": r[3], "deleted": r[4]} for r in rows
    }


def _rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.slow
def test_utm_mediums_map_and_unknown_ones_stay_visible(reshaped: tuple[Path, str]) -> None:
    db, output = reshaped
    sessions = dict(
        _rows(
            db,
            """select id, any_value(utm_medium) from raw_hubspot.web_session
               where utm_campaign is null and utm_medium is not null and right(id, 1) in ('1', '2', '3', '4', '5')
               group by id""",
        )
    )
    marts = {
        r[0]: (r[1], r[2])
        for r in _rows(
            db,
            "select source_touch_id, touch_channel, is_channel_mapped from marketing.fct_marketing_touches "
            "where touch_source = 'web_session'",
        )
    }
    reshaped_ids = [i for i, medium in sessions.items() if medium in UTM_EXPECTED]
    assert len(reshaped_ids) > 200
    wrong = {
        i: (sessions[i], marts.get(i)) for i in reshaped_ids if marts.get(i) != UTM_EXPECTED[sessions[i]]
    }
    assert not wrong, f"{len(wrong)} sessions with the wrong channel, e.g. {list(wrong.items())[:5]}"

    podcast = sum(1 for m in sessions.values() if m == "podcast")
    listed = _rows(
        db,
        "select source_field, source_value, record_count from dbt_test__audit.assert_channel_values_mapped",
    )
    ai_contacts = _rows(
        db,
        "select count(*) from marketing.fct_leads where original_source = 'AI_REFERRALS' and channel = 'ai_referrals' "
        "and not is_channel_mapped",
    )[0][0]
    assert (
        ai_contacts > 0
        and _rows(db, "select count(*) from marketing.fct_leads where channel = 'direct'")[0][0] == 0
    )
    assert ("utm_medium", "podcast", podcast) in listed
    assert any(r[:2] == ("hs_analytics_source", "AI_REFERRALS") for r in listed)
    assert "WARN" in output and "assert_channel_values_mapped" in output


@pytest.mark.slow
def test_untyped_opportunities_get_the_simulated_deal_category(
    reshaped: tuple[Path, str], small_extracts: Path
) -> None:
    """The simulator's CRM types its deals; with every type blanked, the derived category must
    still be the one the simulator wrote (its reactivations are New Business in Salesforce)."""
    db, output = reshaped
    truth = _truth_opportunities(small_extracts)
    expected = {
        o["opportunity_id"]: {"New Business": "new_business", "Renewal": "renewal"}[o["type"]] for o in truth
    }
    got = dict(
        _rows(db, "select opportunity_id, deal_category from sales.fct_opportunities where not is_deleted")
    )
    assert {"new_business", "renewal"} <= set(expected.values())
    assert got == expected
    assert _rows(
        db, "select opportunity_type, opportunity_count from dbt_test__audit.assert_opportunity_types_mapped"
    ) == [("(empty)", len(truth))]
    assert "assert_opportunity_types_mapped" in output


@pytest.mark.slow
def test_untyped_crm_fills_funnel_onboarding_and_accounts(
    reshaped: tuple[Path, str], small_extracts: Path
) -> None:
    db, _ = reshaped
    new_business = [o for o in _truth_opportunities(small_extracts) if o["type"] == "New Business"]
    won = [o for o in new_business if o["is_won"] == "true"]
    assert len(won) > 10

    onboarding = {r[0] for r in _rows(db, "select opportunity_id from customer_success.fct_onboarding")}
    assert onboarding == {o["opportunity_id"] for o in won}

    funnel = _rows(db, "select opportunity_id, closed_won_at is not null from funnel.fct_revenue_funnel")
    assert {r[0] for r in funnel if r[0]} == {o["opportunity_id"] for o in new_business}
    assert {r[0] for r in funnel if r[1]} == {o["opportunity_id"] for o in won}

    first_won: dict[str, date] = {}
    for o in won:
        close = date.fromisoformat(o["close_date"])
        first_won[o["account_id"]] = min(close, first_won.get(o["account_id"], close))
    accounts = dict(_rows(db, "select account_id, first_closed_won_date from core.dim_accounts"))
    assert {a: d for a, d in accounts.items() if d is not None} == first_won


@pytest.mark.slow
def test_unknown_stages_stay_in_pipeline_and_opportunities(
    reshaped: tuple[Path, str], small_extracts: Path
) -> None:
    db, output = reshaped
    truth = _truth_opportunities(small_extracts)

    def open_on(day: date) -> list[dict[str, str]]:
        return [
            o
            for o in truth
            if date.fromisoformat(o["created_date"]) <= day
            and not (o["is_closed"] == "true" and date.fromisoformat(o["close_date"]) <= day)
        ]

    pipeline = _rows(
        db,
        "select date_day, sum(open_opportunities), sum(open_amount_usd) from sales.fct_pipeline_daily "
        "group by date_day order by date_day",
    )
    assert pipeline[-1][0] == AS_OF
    for day, count, amount in pipeline[::30] + pipeline[-1:]:
        want = open_on(day)
        want_amount = sum(Decimal(o["amount_usd"]) for o in want)
        assert count == len(want) and abs(amount - want_amount) <= Decimal("0.01") * max(count, 1), (
            f"{day}: mart {count} open / {amount} USD, truth {len(want)} / {want_amount}"
        )

    by_stage = {
        r[0]: (r[1], r[2])
        for r in _rows(
            db,
            f"select stage_name, is_mapped_stage, open_opportunities from sales.fct_pipeline_daily "
            f"where date_day = '{AS_OF}'",
        )
    }
    open_demos = sum(1 for o in open_on(AS_OF) if o["stage_reached"] == "Demo")
    assert by_stage["Product Demo"] == (False, open_demos) and open_demos > 0
    assert "Closed - Lost" not in by_stage and by_stage["Discovery"][0] is True

    marts = {
        r[0]: r[1:]
        for r in _rows(
            db,
            "select opportunity_id, stage_name, is_mapped_stage, is_closed, is_won, is_lost "
            "from sales.fct_opportunities where not is_deleted",
        )
    }
    expected = {
        o["opportunity_id"]: (
            STAGE_RENAMES.get(o["stage_reached"], o["stage_reached"]),
            o["stage_reached"] not in STAGE_RENAMES,
            o["is_closed"] == "true",
            o["is_won"] == "true",
            o["is_closed"] == "true" and o["is_won"] == "false",
        )
        for o in truth
    }
    assert marts == expected

    listed = {
        r[0]: r[1]
        for r in _rows(
            db,
            "select stage_name, current_opportunities from dbt_test__audit.assert_opportunity_stages_mapped",
        )
    }
    current = {new: sum(1 for o in truth if o["stage_reached"] == old) for old, new in STAGE_RENAMES.items()}
    assert listed == current and all(current.values())
    assert "assert_opportunity_stages_mapped" in output


@pytest.mark.slow
def test_flat_role_hierarchy_managers_and_departments(reshaped: tuple[Path, str]) -> None:
    db, output = reshaped
    users = _latest_users(db)
    roles = dict(
        _rows(
            db,
            "select id, arg_max(developer_name, _fivetran_synced) from raw_salesforce.user_role group by id",
        )
    )
    managers = {u["manager_id"] for u in users.values() if u["manager_id"] and not u["deleted"]}
    assert 0 < len(managers) < len(users)
    expected = {}
    for user_id, u in users.items():
        department = ROLE_DEPARTMENTS.get(
            roles.get(u["user_role_id"])
        )  # the role first, then the user's field
        department = department or USER_DEPARTMENTS.get(u["department"])
        expected[user_id] = (user_id in managers, department, department is not None)
    got = {
        r[0]: r[1:]
        for r in _rows(
            db,
            "select sales_rep_id, is_manager, rep_department, is_department_mapped from sales.dim_sales_reps",
        )
    }
    assert got == expected
    unmapped = [i for i, e in expected.items() if not e[2]]
    assert unmapped, "the reshaped Partner_Manager role must leave someone unmapped"
    listed = _rows(
        db,
        "select role_developer_name, user_department, user_count from dbt_test__audit.assert_sales_rep_departments_mapped",
    )
    assert listed == [("Partner_Manager", "Partnerships", len(unmapped))]
    assert "assert_sales_rep_departments_mapped" in output


# A company whose history starts in 2015 and whose CRM has no role hierarchy and no manager links.
OLD_SIM = {"scale": 0.05, "seed": 3, "start": date(2015, 1, 1), "end": date(2016, 6, 30)}


@pytest.fixture(scope="module")
def old_company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from revenue_warehouse.loader import load_extracts
    from revenue_warehouse.simulator import generate

    work = tmp_path_factory.mktemp("old_company")
    generate(work / "extracts", **OLD_SIM)
    db = work / "build.duckdb"
    load_extracts(db, work / "extracts", run_id="pytest-old")
    with duckdb.connect(str(db)) as con:
        con.execute("delete from raw_salesforce.user_role")
        con.execute("update raw_salesforce.user set user_role_id = null, manager_id = null")
    # unit tests are data-independent and run in every other build; some read var('as_of_date')
    # without overriding it, so they would judge their 2024 fixtures from 2016 here
    run_dbt(
        ["build", "--exclude", "test_type:unit"],
        db,
        dbt_vars={"as_of_date": OLD_SIM["end"].isoformat()},
        target_path=work / "target",
    )
    return db


@pytest.mark.slow
def test_calendar_spans_history_from_2015(old_company: Path) -> None:
    earliest = _rows(old_company, "select min(property_createdate) from raw_hubspot.contact")[0][0]
    assert earliest.year == 2015
    first, last, days, distinct_days = _rows(
        old_company,
        "select min(date_day), max(date_day), count(*), count(distinct date_day) from core.dim_date",
    )[0]
    end = OLD_SIM["end"]
    assert (first, last) == (date(2015, 1, 1), date(end.year + 1, end.month, end.day))
    assert days == distinct_days == (last - first).days + 1
    outside = _rows(
        old_company,
        "select count(*) from marketing.fct_leads l left join core.dim_date d on cast(l.created_at as date) = d.date_day "
        "where l.created_at is not null and d.date_day is null",
    )[0][0]
    assert outside == 0


@pytest.mark.slow
def test_no_role_hierarchy_no_managers_departments_from_user_field(old_company: Path) -> None:
    users = _latest_users(old_company)
    expected = {i: (False, USER_DEPARTMENTS.get(u["department"])) for i, u in users.items()}
    assert any(e[1] for e in expected.values())
    got = {
        r[0]: r[1:]
        for r in _rows(
            old_company, "select sales_rep_id, is_manager, rep_department from sales.dim_sales_reps"
        )
    }
    assert got == expected


@pytest.mark.slow
def test_premiums_are_not_negative_discounts(reshaped: tuple[Path, str]) -> None:
    db, _ = reshaped
    doubled = {
        r[0]
        for r in _rows(
            db,
            "select distinct opportunity_id from raw_salesforce.opportunity_line_item where hash(opportunity_id) % 4 = 0",
        )
    }
    rows = _rows(
        db,
        "select opportunity_id, discount_percent, premium_percent, is_premium, discount_tier, is_off_policy, "
        "list_amount, sold_amount from sales.fct_deal_pricing",
    )
    premiums = [r for r in rows if r[0] in doubled]
    assert premiums and len(premiums) < len(rows)
    for opportunity_id, discount, premium, is_premium, tier, off_policy, list_amount, sold_amount in rows:
        if opportunity_id in doubled:
            want = (Decimal("0.00"), Decimal("100.00"), True, None, False)
        else:
            pct = (100 * (1 - sold_amount / list_amount)).quantize(Decimal("0.01"))
            want = (pct, Decimal("0.00"), False, tier, tier is None)
        assert (discount, premium, is_premium, tier, off_policy) == want, opportunity_id


@pytest.mark.slow
def test_campaign_costs_are_fixed_point_and_zero_without_spend(reshaped: tuple[Path, str]) -> None:
    db, _ = reshaped
    rows = _rows(
        db,
        """select c.source_campaign_id, p.spend_usd, p.leads, p.mqls, p.won_deals,
                  p.cost_per_lead_usd, p.cost_per_mql_usd, p.cost_per_won_deal_usd
           from marketing.fct_campaign_performance p join marketing.dim_campaigns c using (campaign_id)""",
    )

    def cost(spend: Decimal, count: int) -> Decimal | None:
        return None if count == 0 else (spend / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    unspent = [r for r in rows if r[0] == "700016"]
    assert any(r[2] > 0 for r in unspent) and all(r[1] == Decimal("0.00") for r in unspent)
    for source_id, spend, leads, mqls, won, per_lead, per_mql, per_won in rows:
        assert (per_lead, per_mql, per_won) == (cost(spend, leads), cost(spend, mqls), cost(spend, won)), (
            source_id
        )
    first_touch_wins = _rows(
        db,
        """select count(distinct a.conversion_id) from intermediate.int_attribution_touches_weighted a
           join sales.fct_opportunities o on a.conversion_id = o.opportunity_id and o.is_won and not o.is_deleted
           where a.conversion_type = 'opportunity' and a.is_first_touch and a.campaign_id is not null""",
    )[0][0]
    assert sum(r[4] for r in rows) == first_touch_wins > 0
