"""The touches mart reads the intermediate model's change log (docs/decisions.md#incremental-models):
an incremental run of ``marketing.fct_marketing_touches`` rebuilds only the touches that
``int_marketing_touches_unioned`` logged, and compares every touch when the log cannot say (a build
in full of the intermediate model, a change of the mart's SQL). Each case tampers a stored value the
way only the rule under test can repair: the touch's channel in a stored table, against the value
read before tampering (a full build's). ``tests/test_incremental_equivalence.py`` covers the natural
changes (a person or campaign that changed, a withdrawn record)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.dbt import run_dbt

pytestmark = pytest.mark.slow

SIM = {"scale": 0.05, "seed": 5, "start": date(2023, 1, 1), "end": date(2023, 2, 28)}
INTERMEDIATE = "intermediate.int_marketing_touches_unioned"
MART = "marketing.fct_marketing_touches"
LOG = "intermediate.int_marketing_touches_unioned__changes"


def dbt_run(db: Path, *args: str, command: str = "run") -> str:
    """``dbt run`` of ``args``; returns the mart's compiled SQL of that run ('' when it did not run)."""
    target = db.parent / "target"
    run_dbt([command, *args], db, dbt_vars={"as_of_date": SIM["end"].isoformat()}, target_path=target)
    compiled = (
        target
        / "compiled"
        / "revenue_warehouse"
        / "models"
        / "marts"
        / "marketing"
        / "fct_marketing_touches.sql"
    )
    text = compiled.read_text(encoding="utf-8") if compiled.exists() else ""
    compiled.unlink(missing_ok=True)
    return text


def read_only(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def write(db: Path, *statements: str) -> None:
    with duckdb.connect(str(db)) as con:
        for statement in statements:
            con.execute(statement)


def channel(db: Path, table: str, touch_id: str) -> str:
    return read_only(db, f"select touch_channel from {table} where touch_id = '{touch_id}'")[0][0]


def tamper(db: Path, touch_id: str, *tables: str) -> None:
    write(db, *(f"update {t} set touch_channel = 'tampered' where touch_id = '{touch_id}'" for t in tables))


def test_the_mart_follows_the_change_log_and_compares_when_the_log_cannot_say(tmp_path: Path) -> None:
    from revenue_warehouse.loader import load_extracts
    from revenue_warehouse.simulator import generate

    generate(tmp_path / "extracts", **SIM)
    db = tmp_path / "build" / "build.duckdb"
    db.parent.mkdir()
    load_extracts(db, tmp_path / "extracts", run_id="log").raise_for_failures()
    dbt_run(db, "--select", "+fct_marketing_touches", "--resource-type", "seed", "model", command="build")
    log = read_only(db, f"select touch_id, note from {LOG}")
    assert len(log) == 1 and log[0][0] is None and log[0][1].startswith("mart "), log
    touches = [r[0] for r in read_only(db, f"select touch_id from {MART} order by touch_id limit 3")]
    assert len(touches) == 3
    truth = {t: channel(db, MART, t) for t in touches}

    # an incremental run of the intermediate model logs the touch it rewrote; the mart rebuilds it
    # from the log alone
    tamper(db, touches[0], INTERMEDIATE, MART)
    sql = dbt_run(db, "--select", "int_marketing_touches_unioned", "fct_marketing_touches")
    assert channel(db, MART, touches[0]) == truth[touches[0]]
    assert "_logged" in sql and "_built" not in sql, "the mart did not read the log"

    # a build in full of the intermediate model logs 'full': the mart compares every touch
    tamper(db, touches[1], INTERMEDIATE, MART)
    dbt_run(db, "--full-refresh", "--select", "int_marketing_touches_unioned")
    sql = dbt_run(db, "--select", "fct_marketing_touches")
    assert channel(db, MART, touches[1]) == truth[touches[1]]
    assert "_built" in sql, "the mart did not compare every touch after a build in full"

    # the mart's SQL changed since its last run (another checksum in the log): it compares every touch
    tamper(db, touches[2], MART)
    write(db, f"update {LOG} set note = 'mart another-version' where note like 'mart %'")
    sql = dbt_run(db, "--select", "fct_marketing_touches")
    assert channel(db, MART, touches[2]) == truth[touches[2]]
    assert "_built" in sql, "the mart did not compare every touch after its SQL changed"

    # consumed: the log holds the mart's checksum again, and a run with nothing logged changes nothing
    assert read_only(db, f"select count(*), count(touch_id) from {LOG}") == [(1, 0)]
    before = read_only(db, f"select count(*), sum(hash(t)) from {MART} as t")
    sql = dbt_run(db, "--select", "int_marketing_touches_unioned", "fct_marketing_touches")
    assert "_logged" in sql
    assert read_only(db, f"select count(*), sum(hash(t)) from {MART} as t") == before
