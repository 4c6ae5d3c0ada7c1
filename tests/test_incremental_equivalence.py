"""Daily increments give the same marts as a full refresh. The warehouse is built on all but the last
few extract days, then each remaining day is loaded and built on top (incremental models merge it,
within their lookback windows), including an earlier day re-delivered with other content, the
simulator's late-arriving updates (dirt on), a late update of an old opportunity (its amount
changed in a new version, long after the lookback window of its first open days), an out-of-order
stage change of an old closed opportunity (its visits are renumbered), a late update of an old
invoice line whose period ended (its amount doubled), a contact updated with another contact's email
(two persons become one: old touches move to another person) and a late ad campaign that wins the
UTM of old sessions (their ad campaign and channel change); the increments cross a month boundary (the
as-of month changes). Then a second warehouse is built from scratch with ``--full-refresh`` on the
same files. Every table of every mart schema, of the intermediate schema (where the incremental
intermediate models are) and of staging (incremental tables merged by key, without their load
times) must be identical: same rows, same values (order-independent checksums per column).

Re-deliveries exercise the affected-key rule of incremental staging (macros/latest_record.sql): a day
re-delivered without the only version of a web session (the session must be gone) and a day
re-delivered without the kept version of a contact that has an older one (the older one must be back),
both days built before the increments. A late contact row with a sync time older than the contact's
version in force must leave that version in place (an incremental run ranks the new rows with the
kept version's tuple, `version_columns`)."""

from __future__ import annotations

import csv
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.dbt import PRODUCTION_EXCLUDE, run_dbt
from revenue_warehouse.publish import PUBLISHED_SCHEMAS

pytestmark = pytest.mark.slow

# the increments (2023-03-30 to 2023-04-01) cross a month boundary
SIM = {"scale": 0.05, "seed": 11, "start": date(2023, 1, 1), "end": date(2023, 4, 1)}
INCREMENTS = 3
# a short lookback (default 30) so that the windows are narrower than the simulated history: a rule
# that misses an affected record shows as a difference
LOOKBACK_DAYS = 5
SCHEMAS = (*(s for s in PUBLISHED_SCHEMAS if s != "audit"), "intermediate")
CLOSED_STAGES = ("Closed Won", "Closed Lost")


def day_files(extracts: Path, day: date) -> list[Path]:
    return sorted(p for p in extracts.glob(f"*/*/{day.isoformat()}.*"))


def build(db: Path, extracts: Path, as_of: date, *, full_refresh: bool = False) -> None:
    from revenue_warehouse.loader import load_extracts

    load_extracts(db, extracts, run_id=f"inc-{as_of}").raise_for_failures()
    args = ["build", "--exclude", *PRODUCTION_EXCLUDE, *(["--full-refresh"] if full_refresh else [])]
    run_dbt(
        args,
        db,
        dbt_vars={"as_of_date": as_of.isoformat(), "incremental_lookback_days": LOOKBACK_DAYS},
        target_path=db.parent / "target",
    )


def earlier_file(folder: Path, before: date) -> Path:
    """The latest extract file of a table dated before ``before`` that has rows to change."""
    files = [p for p in sorted(folder.glob("*.csv")) if p.stem < before.isoformat()]
    files = [p for p in files if len(p.read_text(encoding="utf-8").splitlines()) > 2]
    assert files, f"no earlier file with rows in {folder}"
    return files[-1]


def redeliver(path: Path) -> None:
    """The same day's file delivered again with other content: its last row is withdrawn."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) > 2, f"{path} is too small to re-deliver"
    path.write_text("".join(lines[:-1]), encoding="utf-8")


def late_amount_update(folder: Path, day: date, older_than_days: int = 40) -> str:
    """A new version of an open opportunity created more than ``older_than_days`` before ``day``,
    with its amount doubled, delivered in ``day``'s file (synced that day): its open pipeline
    changes on every day since its creation, most of them outside the lookback window. Returns its id."""
    cutoff = (day - timedelta(days=older_than_days)).isoformat()
    candidates = [
        row
        for row in latest_versions(folder, day).values()
        if row["created_date"] < cutoff
        and row["is_closed"] == "false"
        and row["is_deleted"] == "false"
        and row["amount"]
    ]
    assert candidates, f"no open opportunity created before {cutoff} in {folder}"
    row = dict(min(candidates, key=lambda r: (r["created_date"], r["id"])))
    row["amount"] = f"{float(row['amount']) * 2:.2f}"
    append_row(folder, day, row)
    return row["id"]


def latest_versions(folder: Path, day: date) -> dict[str, dict[str, str]]:
    """The latest version of each record in ``folder``'s files dated up to ``day``."""
    versions: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.csv")):
        if path.stem <= day.isoformat():
            with path.open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    if row["_fivetran_synced"] >= versions.get(row["id"], {}).get("_fivetran_synced", ""):
                        versions[row["id"]] = row
    return versions


def append_row(folder: Path, day: date, row: dict[str, str], *, synced: str | None = None) -> None:
    """``row`` delivered in ``day``'s file of ``folder``, synced at ``synced`` (default: the end of
    that day)."""
    row["_fivetran_synced"] = synced or f"{day.isoformat()} 23:59:59"
    target = folder / f"{day.isoformat()}.csv"
    existing = target.exists()
    with (target if existing else sorted(folder.glob("*.csv"))[-1]).open(
        encoding="utf-8", newline=""
    ) as handle:
        header = next(csv.reader(handle))
    with target.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        if not existing:  # no file that day: a new one
            writer.writeheader()
        writer.writerow(row)


def stale_version(folder: Path, generated: Path, day: date) -> tuple[str, str]:
    """A late row of a contact delivered in ``day``'s file with other content (first name "Stale")
    and a sync time one day OLDER than the contact's version in force (one no later generated day
    changes): loaded last, it must not replace that version (the version rule orders by sync time,
    not by arrival). Returns the contact id and the sync time of the version that must stay."""
    versions = latest_versions(folder, day)
    final = latest_versions(generated, SIM["end"])
    record_id = min(i for i, row in versions.items() if final.get(i) == row)
    kept = versions[record_id]
    synced = datetime.fromisoformat(kept["_fivetran_synced"]) - timedelta(days=1)
    append_row(folder, day, {**kept, "property_firstname": "Stale"}, synced=f"{synced:%Y-%m-%d %H:%M:%S}")
    return record_id, kept["_fivetran_synced"]


def late_stage_change(folder: Path, day: date, older_than_days: int = 40) -> str:
    """A stage change of a closed opportunity whose history all lies more than ``older_than_days``
    before ``day``, delivered in ``day``'s file with a change time between its first two changes and
    a stage other than theirs: every visit after the first is renumbered, long after the lookback
    window, and nothing else of the opportunity is synced. Returns the opportunity id."""
    by_opportunity: dict[str, list[dict[str, str]]] = {}
    for row in latest_versions(folder, day).values():
        if row["is_deleted"] == "false":
            by_opportunity.setdefault(row["opportunity_id"], []).append(row)
    cutoff = (day - timedelta(days=older_than_days)).isoformat()
    candidates = {
        opportunity: sorted(rows, key=lambda r: (r["created_date"], r["id"]))
        for opportunity, rows in by_opportunity.items()
        if len(rows) >= 2 and max(r["created_date"] for r in rows) < cutoff
    }
    candidates = {o: rows for o, rows in candidates.items() if rows[-1]["stage_name"] in CLOSED_STAGES}
    assert candidates, f"no closed opportunity with all stage changes before {cutoff} in {folder}"
    opportunity = min(candidates)
    first, second = candidates[opportunity][:2]
    row = dict(first)
    row["id"] = f"{first['id']}late"
    row["created_date"] = f"{first['created_date'][:10]} 23:59:58"
    assert row["created_date"] < second["created_date"], "the first two changes are on the same day"
    row["stage_name"] = next(
        s for s in ("Discovery", "Demo") if s not in (first["stage_name"], second["stage_name"])
    )
    append_row(folder, day, row)
    return opportunity


def late_line_update(folder: Path, day: date) -> str:
    """A new version of the subscription invoice line whose period ended first (the simulated world
    bills from its first won deals on, so the oldest line is weeks old), with its amount doubled,
    delivered in ``day``'s file: the line's MRR and its customer's months change; nothing else of the
    customer is synced. Returns the line id."""
    candidates = [
        row
        for row in latest_versions(folder, day).values()
        if row["type"] == "subscription"
        and row["period_end"] < day.isoformat()
        and int(row["amount"] or 0) > 0
    ]
    assert candidates, f"no subscription line ended before {day} in {folder}"
    row = dict(min(candidates, key=lambda r: (r["period_end"], r["id"])))
    row["amount"] = str(int(row["amount"]) * 2)
    append_row(folder, day, row)
    return row["id"]


def session_rows(extracts: Path, before: date) -> list[dict[str, str]]:
    """Every delivered web session row dated before ``before``."""
    rows: list[dict[str, str]] = []
    for path in sorted((extracts / "hubspot" / "web_session").glob("*.csv")):
        if path.stem < before.isoformat():
            with path.open(encoding="utf-8", newline="") as handle:
                rows.extend(csv.DictReader(handle))
    return rows


def relink_contact(extracts: Path, day: date, older_than_days: int = 40) -> tuple[str, str]:
    """A new version of a live HubSpot contact with web sessions created more than
    ``older_than_days`` before ``day``, now carrying another live contact's email, delivered in
    ``day``'s file: the two persons become one, and the first contact's old sessions move to the other
    contact's person (identity resolution re-assigns old touches). Returns (moved contact, contact
    whose person it joins)."""
    folder = extracts / "hubspot" / "contact"
    contacts = {
        i: row
        for i, row in latest_versions(folder, day).items()
        if row["_fivetran_deleted"] == "false" and row["property_email"]
    }
    cutoff = (day - timedelta(days=older_than_days)).isoformat()
    with_sessions = {r["contact_id"] for r in session_rows(extracts, day) if r["started_at"] < cutoff}
    moved = min(
        i for i, row in contacts.items() if i in with_sessions and row["property_createdate"] < cutoff
    )
    email = contacts[moved]["property_email"].strip().lower()
    joined = min(i for i, row in contacts.items() if row["property_email"].strip().lower() != email)
    row = dict(contacts[moved])
    row["property_email"] = contacts[joined]["property_email"]
    append_row(folder, day, row)
    return moved, joined


def late_ad_campaign(extracts: Path, day: date) -> tuple[str, str]:
    """A new ad campaign delivered in ``day``'s file with the UTM campaign of the earliest campaign
    that old sessions carry, starting a day before it and on another channel: it wins the UTM (the
    earliest campaign does), so every old session with that UTM changes its ad campaign and channel.
    Returns (utm_campaign, new campaign id)."""
    folder = extracts / "hubspot" / "ad_campaign"
    campaigns = latest_versions(folder, day)
    used = {r["utm_campaign"].strip().lower() for r in session_rows(extracts, day) if r["utm_campaign"]}
    earliest = min(
        (row for row in campaigns.values() if row["utm_campaign"].strip().lower() in used),
        key=lambda r: (r["start_date"], int(r["id"])),
    )
    row = dict(earliest)
    row["id"] = str(max(int(i) for i in campaigns) + 1)
    row["start_date"] = (date.fromisoformat(earliest["start_date"][:10]) - timedelta(days=1)).isoformat()
    row["channel"] = min({r["channel"] for r in campaigns.values()} - {earliest["channel"]})
    append_row(folder, day, row)
    return earliest["utm_campaign"].strip().lower(), row["id"]


Version = tuple[str, str, int]  # (_fivetran_synced, extract date, file row): the staging version order


def versions_by_id(folder: Path) -> dict[str, list[tuple[Version, Path, int]]]:
    """Every delivered row of a table by record id: its version key, file and line index in the file."""
    found: dict[str, list[tuple[Version, Path, int]]] = {}
    for path in sorted(folder.glob("*.csv")):
        lines = path.read_text(encoding="utf-8").splitlines()
        header = next(csv.reader(lines[:1]))
        for index, line in enumerate(lines[1:], start=1):
            row = dict(zip(header, next(csv.reader([line])), strict=True))  # one record per line
            found.setdefault(row["id"], []).append(((row["_fivetran_synced"], path.stem, index), path, index))
    return found


def withdraw_kept_version(
    extracts: Path, generated: Path, table: str, before: date, *, versions: int
) -> tuple:
    """Re-deliver an earlier day (dated before ``before``, so already built) without the kept version of
    a record that has exactly ``versions`` versions in all generated days; the re-delivered file keeps
    other rows. Returns the record id and the sync time of the version now in force (None: no version)."""
    all_versions = versions_by_id(generated / table)
    folder = extracts / table
    for record_id, rows in sorted(versions_by_id(folder).items()):
        if len(rows) != versions or len(all_versions[record_id]) != versions:
            continue
        rows = sorted(rows)
        kept, path, index = rows[-1]
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        older_distinct = versions == 1 or rows[-2][0][0] < kept[0]
        if path.stem < (before - timedelta(days=1)).isoformat() and len(lines) > 2 and older_distinct:
            path.write_text("".join(lines[:index] + lines[index + 1 :]), encoding="utf-8")
            return record_id, (rows[-2][0][0] if versions > 1 else None)
    raise AssertionError(f"no record of {table} with {versions} version(s) to withdraw before {before}")


def empty_redelivery(extracts: Path, generated: Path, table: str, before: date) -> list[str]:
    """Re-deliver an earlier day (already built) EMPTY, header only: the day's records, each delivered
    only that day, are withdrawn, and no raw row is left to show the day was replaced. Returns their ids."""
    all_versions = versions_by_id(generated / table)
    for path in sorted((extracts / table).glob("*.csv"), reverse=True):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        ids = [next(csv.reader([line]))[0] for line in lines[1:]]
        header = next(csv.reader(lines[:1]))
        assert header[0] == "id", f"{path}: id is not the first column"
        only_here = ids and all(len(all_versions[i]) == 1 for i in ids)
        if path.stem < (before - timedelta(days=1)).isoformat() and only_here:
            path.write_text(lines[0], encoding="utf-8")
            return ids
    raise AssertionError(f"no earlier day of {table} whose records were delivered only that day")


def checksums(db: Path) -> dict[str, tuple]:
    """Per table: row count and order-independent checksum of every column; staging tables without
    ``_loaded_at`` (when a version was loaded differs between the two warehouses, not what it holds)."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN "
            f"({', '.join(repr(s) for s in (*SCHEMAS, 'staging'))}) ORDER BY 1, 2"
        ).fetchall()
        columns = "COLUMNS(lambda c: c <> '_loaded_at')"
        return {
            f"{s}.{t}": con.execute(f'SELECT count(*), sum(hash({columns})) FROM "{s}"."{t}"').fetchone()
            for s, t in tables
        }


def staged_synced_at(db: Path, model: str, key: str, record_id: str) -> list:
    with duckdb.connect(str(db), read_only=True) as con:
        query = f"SELECT cast(synced_at AS VARCHAR) FROM staging.{model} WHERE cast({key} AS VARCHAR) = ?"
        return [r[0] for r in con.execute(query, [record_id]).fetchall()]


def test_daily_increments_give_the_marts_of_a_full_refresh(tmp_path: Path) -> None:
    from revenue_warehouse.simulator import generate

    generated = tmp_path / "generated"
    generate(generated, **SIM)
    extracts = tmp_path / "extracts"
    shutil.copytree(generated, extracts)
    last_days = [SIM["end"] - timedelta(days=k) for k in reversed(range(INCREMENTS))]
    for day in last_days:
        for path in day_files(extracts, day):
            path.unlink()
    incremental = tmp_path / "incremental" / "build.duckdb"
    incremental.parent.mkdir()
    build(incremental, extracts, last_days[0] - timedelta(days=1))
    for k, day in enumerate(last_days):
        for path in day_files(generated, day):
            target = extracts / path.relative_to(generated)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
        if k == 0:  # an earlier day's opportunities and stage history re-delivered
            for table in ("opportunity", "opportunity_history"):
                redeliver(earlier_file(extracts / "salesforce" / table, day - timedelta(days=2)))
            session, no_version = withdraw_kept_version(
                extracts, generated, "hubspot/web_session", day, versions=1
            )
            contact, older_synced = withdraw_kept_version(
                extracts, generated, "hubspot/contact", day, versions=3
            )
            late_line_update(extracts / "stripe" / "invoice_line_item", day)
            emptied = empty_redelivery(extracts, generated, "salesforce/task", day)
        if k == 1:
            late_amount_update(extracts / "salesforce" / "opportunity", day)
            moved, joined = relink_contact(extracts, day)
            stale, stale_kept_synced = stale_version(
                extracts / "hubspot" / "contact", generated / "hubspot" / "contact", day
            )
        if k == 2:
            late_stage_change(extracts / "salesforce" / "opportunity_history", day)
            utm, campaign = late_ad_campaign(extracts, day)
        build(incremental, extracts, day)
    full = tmp_path / "full" / "build.duckdb"
    full.parent.mkdir()
    build(full, extracts, SIM["end"], full_refresh=True)
    expected, got = checksums(full), checksums(incremental)
    assert expected, "no mart tables were built"
    assert "staging.stg_hubspot__web_sessions" in expected, "staging tables not compared"
    differing = sorted(name for name in expected if got.get(name) != expected[name])
    assert differing == [] and got.keys() == expected.keys()
    # the re-deliveries, against the files: withdrawn session gone, the contact's older version back
    assert no_version is None
    assert staged_synced_at(incremental, "stg_hubspot__web_sessions", "web_session_id", session) == []
    assert staged_synced_at(incremental, "stg_hubspot__contacts", "contact_id", contact) == [older_synced]
    # the last increment re-delivered nothing: no staging model recomputed records from all their raw
    # rows (the loader's manifest rows of files skipped as already loaded are no re-delivery)
    compiled = sorted((incremental.parent / "target" / "compiled").rglob("models/staging/*/stg_*.sql"))
    assert len(compiled) >= 30, "the staging models' compiled SQL is missing"
    full_raw = "recomputed from all their raw rows"
    assert [p.stem for p in compiled if full_raw in p.read_text(encoding="utf-8")] == []
    # a late row with an older sync time than the version in force: that version stays
    assert staged_synced_at(incremental, "stg_hubspot__contacts", "contact_id", stale) == [stale_kept_synced]
    # a day re-delivered empty: its records are gone (the loader's manifest shows the day was replaced)
    assert emptied
    for task in emptied:
        assert staged_synced_at(incremental, "stg_salesforce__tasks", "task_id", task) == []
    # the moved contact's old sessions are its new person's: the joined contact's
    with duckdb.connect(str(incremental), read_only=True) as con:
        persons = con.execute(
            "SELECT DISTINCT t.person_id = p.person_id FROM marketing.fct_marketing_touches t "
            "JOIN intermediate.int_person_records_matched p ON p.source_system = 'hubspot' "
            "AND p.record_type = 'contact' AND p.record_id = ? "
            "WHERE t.touch_source = 'web_session' AND cast(t.hubspot_contact_id AS VARCHAR) = ?",
            [joined, moved],
        ).fetchall()
        assert persons == [(True,)]
        # every session with the late campaign's UTM is its ad click
        campaigns = con.execute(
            "SELECT DISTINCT touch_type, source_campaign_id FROM intermediate.int_marketing_touches_unioned "
            "WHERE touch_source = 'web_session' AND utm_campaign = ?",
            [utm],
        ).fetchall()
        assert campaigns == [("ad_click", campaign)]
