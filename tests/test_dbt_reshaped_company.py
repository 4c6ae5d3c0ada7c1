"""A company shaped differently from the simulator (issue 9): the small simulated extracts are
loaded, then their raw tables are reshaped the way other CRMs and marketing tools write them
(unknown UTM mediums, ...), built once with real dbt, and every mart is checked record by record
against expectations computed here by hand from the reshaped raw rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF

from revenue_warehouse.dbt import run_dbt

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

RESHAPE = [
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
