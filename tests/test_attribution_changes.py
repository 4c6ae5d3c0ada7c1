"""Attribution recomputes only the conversions a run changed (docs/decisions.md#incremental-models):
an incremental run of ``int_attribution_touches_weighted`` recomputes the conversions of the persons
of the touches ``int_marketing_touches_unioned`` logged (their stored person and their current one)
and the conversions that are new, gone or changed since its last run, and every conversion when its
copy of the touches' log cannot say. Each case changes an input of the model the way an upstream
change would (a person record, a person, an opportunity, a staged web session), runs the touches
and attribution models incrementally, and compares the table with a build in full of attribution
on a copy of the same warehouse (the full build's SQL is the truth). The fall-backs are shown by a
stored value that only a recomputation of every conversion repairs.
``tests/test_incremental_equivalence.py`` covers natural daily increments."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.dbt import run_dbt

pytestmark = pytest.mark.slow

SIM = {"scale": 0.05, "seed": 5, "start": date(2023, 1, 1), "end": date(2023, 2, 28)}
VARS = {"as_of_date": SIM["end"].isoformat()}
ATTR = "intermediate.int_attribution_touches_weighted"
TOUCHES = "intermediate.int_marketing_touches_unioned"
LOG = "intermediate.int_marketing_touches_unioned__changes_attribution"
SAVED = "intermediate.int_attribution_touches_weighted__conversions"
RECORDS = "intermediate.int_person_records_matched"
PERSONS = "intermediate.int_persons_resolved"
OPPORTUNITIES = "intermediate.int_opportunities_enriched"
SESSIONS = "staging.stg_hubspot__web_sessions"


def dbt_run(db: Path, *args: str, command: str = "run") -> str:
    """``dbt <command> args``; returns attribution's compiled SQL of that run ('' when it did not run)."""
    target = db.parent / "target"
    run_dbt([command, *args], db, dbt_vars=VARS, target_path=target)
    compiled = next(
        iter(target.glob("compiled/*/models/intermediate/attribution/int_attribution_touches_weighted.sql")),
        None,
    )
    text = compiled.read_text(encoding="utf-8") if compiled else ""
    if compiled:
        compiled.unlink()
    return text


def read_only(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def one(db: Path, sql: str):
    rows = read_only(db, sql)
    assert rows, sql
    return rows[0]


def write(db: Path, *statements: str) -> None:
    with duckdb.connect(str(db)) as con:
        for statement in statements:
            con.execute(statement)


def checksum(db: Path) -> tuple:
    return one(db, f"select count(*), sum(hash(t)) from {ATTR} as t")


def full_build(db: Path, tmp: Path) -> tuple:
    """attribution built in full on a copy of ``db``: the truth for its current inputs"""
    copy = tmp / "truth" / "build.duckdb"
    shutil.rmtree(copy.parent, ignore_errors=True)
    copy.parent.mkdir()
    shutil.copy(db, copy)
    dbt_run(copy, "--full-refresh", "--select", "int_attribution_touches_weighted")
    return checksum(copy)


def increment(db: Path, tmp: Path) -> None:
    """the touches and attribution run incrementally, attribution from its log; equal to a full build"""
    sql = dbt_run(db, "--select", "int_marketing_touches_unioned", "int_attribution_touches_weighted")
    assert "_logged" in sql, "attribution did not read the touches' log"
    assert checksum(db) == full_build(db, tmp)


def test_attribution_recomputes_the_conversions_a_run_changed(tmp_path: Path) -> None:
    from revenue_warehouse.loader import load_extracts
    from revenue_warehouse.simulator import generate

    generate(tmp_path / "extracts", **SIM)
    db = tmp_path / "build" / "build.duckdb"
    db.parent.mkdir()
    load_extracts(db, tmp_path / "extracts", run_id="attr").raise_for_failures()
    dbt_run(
        db,
        "--select",
        "+int_attribution_touches_weighted",
        "--resource-type",
        "seed",
        "model",
        command="build",
    )
    log = read_only(db, f"select touch_id, note from {LOG}")
    assert len(log) == 1 and log[0][0] is None and log[0][1].startswith("attribution "), log
    assert one(db, f"select count(*) from {SAVED}")[0] > 0

    # nothing changed: nothing logged, nothing recomputed
    before = checksum(db)
    sql = dbt_run(db, "--select", "int_marketing_touches_unioned", "int_attribution_touches_weighted")
    assert "_logged" in sql and checksum(db) == before

    # one day's changes, each the way an upstream change would make it, all in one incremental run
    # (distinct persons), then the table against a build in full on a copy
    used: list[str] = []

    def unused(column: str = "person_id") -> str:
        return f"{column} not in ({', '.join(repr(p) for p in used) or 'null'})"

    # a contact's touches move to another person (its record relinked): the old person's conversions
    # lose them (the stored rows say whose they were), the new person's gain them (the current touches)
    contact, old_person = one(
        db,
        f"select t.hubspot_contact_id, t.person_id from {ATTR} a join {TOUCHES} t using (touch_id) "
        "where t.hubspot_contact_id is not null group by all order by count(*) desc, 1 limit 1",
    )
    new_person = one(
        db,
        f"select person_id from {PERSONS} where person_id <> '{old_person}' and created_at > "
        f"(select max(touched_at) from {TOUCHES} where hubspot_contact_id = {contact}) order by person_id limit 1",
    )[0]
    used += [old_person, new_person]
    write(
        db,
        f"update {RECORDS} set person_id = '{new_person}' where source_system = 'hubspot' "
        f"and record_type = 'contact' and record_id = '{contact}'",
    )

    # two persons merged (a new link): one person's records, touches and opportunities go to the
    # other, its lead is gone
    gone, kept = (
        r[0]
        for r in read_only(
            db,
            f"select person_id from {ATTR} where conversion_type = 'lead' and {unused()} "
            "group by 1 order by count(*) desc, 1 limit 2",
        )
    )
    used += [gone, kept]
    write(
        db,
        f"update {RECORDS} set person_id = '{kept}' where person_id = '{gone}'",
        f"update {OPPORTUNITIES} set person_id = '{kept}' where person_id = '{gone}'",
        f"delete from {PERSONS} where person_id = '{gone}'",
    )

    # a late web session an hour before a lead's creation: a new touch of that person
    late_person, created_at, late_contact = one(
        db,
        f"select p.person_id, p.created_at, r.record_id from {PERSONS} p join {RECORDS} r using (person_id) "
        "where r.source_system = 'hubspot' and r.record_type = 'contact' and p.created_at is not null "
        f"and p.person_id in (select person_id from {ATTR}) and {unused('p.person_id')} order by 1, 3 limit 1",
    )
    used.append(late_person)
    late_touches = one(
        db, f"select count(*) from {ATTR} where conversion_type = 'lead' and conversion_id = '{late_person}'"
    )[0]
    write(
        db,
        f"insert into {SESSIONS} by name select * replace ('late-session-1' as web_session_id, "
        f"{late_contact} as contact_id, timestamp '{created_at - timedelta(hours=1)}' as started_at) "
        f"from {SESSIONS} order by web_session_id limit 1",
    )

    # a withdrawn web session that was a conversion's first touch
    session, withdrawn, person = one(
        db,
        f"select t.source_touch_id, t.touch_id, a.person_id from {ATTR} a join {TOUCHES} t using (touch_id) "
        f"where t.touch_source = 'web_session' and a.touch_number = 1 and {unused('a.person_id')} "
        "order by a.touch_count desc, 2 limit 1",
    )
    used.append(person)
    write(db, f"delete from {SESSIONS} where cast(web_session_id as varchar) = '{session}'")

    # an opportunity created 30 days earlier (its journey ends earlier)
    opportunity, person = one(
        db,
        f"select conversion_id, person_id from {ATTR} where conversion_type = 'opportunity' and {unused()} "
        "order by touch_count desc, 1 limit 1",
    )
    used.append(person)
    write(
        db,
        f"update {OPPORTUNITIES} set created_at = created_at - interval 30 day where opportunity_id = '{opportunity}'",
    )

    # a person created at another time: its opportunities' lead creation touch changes (before its
    # first touch when it had one, else at its last)
    person, has_lead_touch, first_at, last_at = one(
        db,
        f"select person_id, bool_or(is_lead_creation_touch), min(touched_at), max(touched_at) from {ATTR} "
        f"where conversion_type = 'opportunity' and {unused()} group by conversion_id, person_id "
        "order by count(*) desc, conversion_id limit 1",
    )
    moved_to = first_at - timedelta(seconds=1) if has_lead_touch else last_at
    write(db, f"update {PERSONS} set created_at = timestamp '{moved_to}' where person_id = '{person}'")
    used.append(person)

    # an opportunity moved to another person created at the same time as its old one: no touch is
    # logged and the conversion's times are the same; only its person differs from the saved one
    moved, old_owner, lead_created_at = one(
        db,
        f"select a.conversion_id, a.person_id, p.created_at from {ATTR} a join {PERSONS} p using (person_id) "
        f"where a.conversion_type = 'opportunity' and p.created_at is not null and {unused('a.person_id')} "
        "order by a.touch_count desc, 1 limit 1",
    )
    new_owner = one(
        db,
        f"select person_id from {ATTR} where conversion_type = 'lead' and {unused()} "
        f"and person_id <> '{old_owner}' and person_id not in "
        f"(select person_id from {OPPORTUNITIES} where person_id is not null) order by touch_count desc, 1 limit 1",
    )[0]
    write(
        db,
        f"update {PERSONS} set created_at = timestamp '{lead_created_at}' where person_id = '{new_owner}'",
        f"update {OPPORTUNITIES} set person_id = '{new_owner}' where opportunity_id = '{moved}'",
    )
    used += [old_owner, new_owner]

    # a new opportunity of a person whose touches did not change: only the saved conversions tell
    # that it is new
    opener = one(
        db,
        f"select person_id from {ATTR} where conversion_type = 'lead' and {unused()} "
        "order by touch_count desc, 1 limit 1",
    )[0]
    write(
        db,
        f"insert into {OPPORTUNITIES} by name select * replace ('new-opportunity-1' as opportunity_id, "
        f"'{opener}' as person_id, (select max(touched_at) from {TOUCHES} where person_id = '{opener}') "
        f"as created_at) from {OPPORTUNITIES} order by opportunity_id limit 1",
    )

    increment(db, tmp_path)
    assert one(db, f"select count(*) from {ATTR} where conversion_id = 'new-opportunity-1'")[0] > 0
    assert read_only(db, f"select distinct person_id from {ATTR} where conversion_id = '{moved}'") in (
        [(new_owner,)],
        [],
    )
    touches_of_contact = f"select touch_id from {TOUCHES} where hubspot_contact_id = {contact}"
    assert (
        one(
            db,
            f"select count(*) from {ATTR} where person_id = '{old_person}' and touch_id in ({touches_of_contact})",
        )[0]
        == 0
    )
    assert (
        one(db, f"select count(*) from {ATTR} where person_id = '{gone}' or conversion_id = '{gone}'")[0] == 0
    )
    lead = f"select count(*) from {ATTR} where conversion_type = 'lead' and conversion_id = '{late_person}'"
    assert one(db, lead)[0] == late_touches + 1
    assert one(db, f"select count(*) from {ATTR} where touch_id = '{withdrawn}'")[0] == 0

    # the log cannot say: a build in full of the touches, another checksum of attribution's SQL, no
    # saved conversions; each repairs a stored weight only a recomputation of every conversion sees
    truth = checksum(db)
    tamper = f"update {ATTR} set w_shaped_weight = -1 where attribution_id = (select min(attribution_id) from {ATTR})"
    write(db, tamper)
    dbt_run(db, "--full-refresh", "--select", "int_marketing_touches_unioned")
    sql = dbt_run(db, "--select", "int_attribution_touches_weighted")
    assert "_logged" not in sql and checksum(db) == truth
    for broken in (
        f"update {LOG} set note = 'attribution another-version' where note like 'attribution %'",
        f"drop table {SAVED}",
    ):
        write(db, tamper, broken)
        sql = dbt_run(db, "--select", "int_attribution_touches_weighted")
        assert "_logged" not in sql and checksum(db) == truth, broken
    assert read_only(db, f"select count(*), count(touch_id) from {LOG}") == [(1, 0)]
    assert one(db, f"select count(*) from {SAVED}")[0] > 0
