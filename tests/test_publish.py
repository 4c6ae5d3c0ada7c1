"""Publish: masking, schemas that leave the build file, atomic replacement, concurrent readers, SIGKILL.

These tests use small synthetic build files (so they run in seconds and know their own truth); the
end-to-end write-audit-publish tests on the real pipeline are in test_wap*.py.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.personal import pii_salt, salt_path
from revenue_warehouse.publish import (
    PUBLISHED_SCHEMAS,
    NotAServingFile,
    connect_serving,
    current_generation,
    publish,
)
from revenue_warehouse.settings import reset_settings

DATA_TABLES = (
    "marketing.fct_leads",
    "sales.fct_opportunities",
    "customer_success.fct_renewals",
    "funnel.fct_handoffs",
    "core.dim_accounts",
    "quality.handoff_checks",
    "reference.departments",
    "audit.load_manifest",
)


# what the synthetic marts declare personal (the real marts declare it in their dbt YAML)
PERSONAL = {name.split(".")[1]: ("first_name", "email", "phone") for name in DATA_TABLES}


def rows_for(generation: int) -> int:
    return 2_000 + 37 * generation


def make_build_db(path: Path, generation: int, scale: int = 1) -> None:
    """A build file whose every published table carries ``generation`` and rows_for(generation)*scale rows."""
    n = rows_for(generation) * scale
    con = duckdb.connect(str(path))
    try:
        for schema in (*PUBLISHED_SCHEMAS, "raw_hubspot", "staging", "intermediate"):
            con.execute(f"create schema if not exists {schema}")
        for name in DATA_TABLES:
            con.execute(
                f"create or replace table {name} as select {generation} as generation, i as id, "
                f"'Person ' || i as first_name, ' User' || i || '@Example.COM ' as email, "
                f"'+1 555 ' || i as phone, 'Campaign ' || (i % 7) as campaign_name, i * 1.5 as amount_usd "
                f"from range({n}) t(i)"
            )
        con.execute("create or replace table sales.dim_sales_reps as select 'Rep Smith' as name, 1 as id")
        con.execute(
            "create or replace table audit.quarantine as select * from (values "
            "('hubspot', 'contact', 'x@example.com,+1 555 1', 'parse'), "
            "('hubspot', 'ad_campaign', 'c-1,Campaign,abc', 'cast')) t(system, table_name, raw_line, reason)"
        )
        con.execute(
            "create or replace table raw_hubspot.contact as select 'secret@example.com' as property_email"
        )
        con.execute("create or replace table staging.stg_x as select 1 as x")
        con.execute("create or replace table intermediate.int_x as select 1 as x")
    finally:
        con.close()


def test_publish_copies_marts_and_audit_only_and_masks_personal_data(tmp_path: Path) -> None:
    build, serving = tmp_path / "build.duckdb", tmp_path / "serve" / "serving.duckdb"
    make_build_db(build, 3)
    result = publish(build, serving, generation="g3", personal=PERSONAL)
    assert result.serving_path == serving and serving.exists()
    assert result.row_counts["marketing.fct_leads"] == rows_for(3)
    con = connect_serving(serving)
    try:
        schemas = {
            r[0]
            for r in con.execute("select distinct table_schema from information_schema.tables").fetchall()
        }
        assert schemas == set(PUBLISHED_SCHEMAS)
        assert con.execute("select generation from audit.publication").fetchone()[0] == "g3"
        # Every e-mail, phone and person name is hashed; non-personal text is untouched.
        email, phone, first, campaign = con.execute(
            "select email, phone, first_name, campaign_name from marketing.fct_leads where id = 5"
        ).fetchone()
        assert campaign == "Campaign 5"
        for value in (email, phone, first):
            assert value.startswith("pii_") and "5" not in value[:4]
        # sales reps' names are internal, not personal: analysts need them
        assert con.execute("select name from sales.dim_sales_reps").fetchone()[0] == "Rep Smith"
        # quarantined lines of a table holding personal data are published without the raw line
        assert con.execute("select table_name, raw_line from audit.quarantine order by 1").fetchall() == [
            ("ad_campaign", "c-1,Campaign,abc"),
            ("contact", None),
        ]
        # Stable key: the same e-mail (case and spaces ignored) hashes the same in every table,
        # so analysts can join on it.
        joined = con.execute(
            "select count(*) from marketing.fct_leads l join sales.fct_opportunities o using (email)"
        ).fetchone()[0]
        assert joined == rows_for(3)
        salt = pii_salt(build)
        expected = "pii_" + hashlib.sha256(f"{salt}|user5@example.com".encode()).hexdigest()[:20]
        assert email == expected
        # No clear-text personal value survives anywhere in the file.
        for schema, table, column in con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR'"
        ).fetchall():
            leaked = con.execute(
                f'select count(*) from "{schema}"."{table}" where "{column}" ilike \'%example.com%\' '
                f"or \"{column}\" like 'Person %' or \"{column}\" like '%+1 555%'"
            ).fetchone()[0]
            assert leaked == 0, f"{schema}.{table}.{column} leaks personal data"
    finally:
        con.close()
    assert "marketing.fct_leads.email" in result.masked_columns
    assert "marketing.fct_leads.campaign_name" not in result.masked_columns


def test_publish_refuses_a_missing_build_and_leaves_serving_untouched(tmp_path: Path) -> None:
    build, serving = tmp_path / "build.duckdb", tmp_path / "serving.duckdb"
    make_build_db(build, 1)
    publish(build, serving, generation="g1")
    before = serving.read_bytes()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        publish(tmp_path / "nope.duckdb", serving)
    with pytest.raises(ValueError, match="must not be the build file"):
        publish(build, build)
    assert serving.read_bytes() == before
    assert current_generation(serving) == "g1"


def _foreign_files(folder: Path) -> dict[str, Path]:
    """Files somebody else put at a serving path: text, a DuckDB file publish did not write, a folder."""
    folder.mkdir()
    (folder / "notes.duckdb").write_text("my notes, not a warehouse\n")
    con = duckdb.connect(str(folder / "other.duckdb"))
    con.execute("create schema audit; create table audit.runs as select 1 as x")
    con.close()
    (folder / "dir.duckdb").mkdir()
    return {
        "not a DuckDB file": folder / "notes.duckdb",
        "a DuckDB file without audit.publication": folder / "other.duckdb",
        "not a regular file": folder / "dir.duckdb",
    }


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None for p in folder.rglob("*")
    }


def test_publish_never_replaces_a_file_it_did_not_write(tmp_path: Path) -> None:
    build = tmp_path / "build.duckdb"
    make_build_db(build, 1)
    foreign = _foreign_files(tmp_path / "theirs")
    before = _snapshot(tmp_path / "theirs")
    for reason, path in foreign.items():
        with pytest.raises(NotAServingFile, match=f"{path} is not a serving warehouse .*\\({reason}\\)"):
            publish(build, path, generation="g1")
    assert _snapshot(tmp_path / "theirs") == before  # nothing replaced, nothing written beside
    # a serving file an earlier publish wrote is replaced as always
    serving = tmp_path / "serving.duckdb"
    publish(build, serving, generation="g1")
    make_build_db(build, 2)
    publish(build, serving, generation="g2")
    assert current_generation(serving) == "g2"


def test_warehouse_publish_refuses_a_foreign_serving_file_with_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from revenue_warehouse.cli import main

    build = tmp_path / "build.duckdb"
    make_build_db(build, 1)
    foreign = _foreign_files(tmp_path / "theirs")["not a DuckDB file"]
    before = _snapshot(tmp_path / "theirs")
    assert main(["publish", "--db", str(build), "--serving", str(foreign), "--run-id", "r1"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"warehouse publish: error: {foreign} is not a serving warehouse this project wrote (not a DuckDB "
        "file): left as it is; move it away or choose another serving path (--serving / WAREHOUSE_SERVING_DB)\n"
    )
    assert _snapshot(tmp_path / "theirs") == before


READER = r"""
import sys, time, duckdb
path, stop_file, expected_base, per_gen = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
tables = sys.argv[5].split(",")
seen, queries = set(), 0
import os
while not os.path.exists(stop_file):
    con = duckdb.connect(path, read_only=True)
    try:
        gen = con.execute("select generation from audit.publication").fetchone()[0]
        g = int(gen[1:])
        for t in tables:
            n, lo, hi = con.execute(f"select count(*), min(generation), max(generation) from {t}").fetchone()
            if (n, lo, hi) != (expected_base + per_gen * g, g, g):
                print(f"MIXED {gen} {t} {n} {lo} {hi}", flush=True)
                sys.exit(3)
        seen.add(gen)
        queries += 1
    finally:
        con.close()
print("SEEN", ",".join(sorted(seen)), "QUERIES", queries, flush=True)
"""


def test_concurrent_reader_never_errors_nor_sees_partial_data(tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    builds = []
    for g in range(1, 6):
        builds.append(tmp_path / f"build{g}.duckdb")
        make_build_db(builds[-1], g)
    publish(builds[0], serving, generation="g1")
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(serving), str(stop), "2000", "37", ",".join(DATA_TABLES)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(0.5)
        for g, build in enumerate(builds[1:], start=2):
            publish(build, serving, generation=f"g{g}")  # never blocked by the reader's open file
            time.sleep(0.3)
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, f"reader failed: {out}\n{err}"
    seen = out.split("SEEN ")[1].split(" QUERIES")[0].split(",")
    queries = int(out.split("QUERIES ")[1])
    assert "g5" in seen and len(seen) >= 3, out  # the reader really saw publications change under it
    assert queries > 10
    assert current_generation(serving) == "g5"


PUBLISHER = (
    "import sys; from revenue_warehouse.publish import publish; "
    "publish(sys.argv[1], sys.argv[2], generation=sys.argv[3])"
)


def test_sigkill_during_publish_leaves_previous_file_intact(tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    old, new = tmp_path / "old.duckdb", tmp_path / "new.duckdb"
    make_build_db(old, 1)
    make_build_db(new, 2, scale=200)  # big enough that the copy takes a while
    publish(old, serving, generation="g1")
    before = serving.read_bytes()
    for delay in (None, 0.3, 0.6):
        proc = subprocess.Popen([sys.executable, "-c", PUBLISHER, str(new), str(serving), "g2"])
        deadline = time.monotonic() + 60
        # Kill while the new file is being written (it exists as a temporary beside the served one).
        while not list(tmp_path.glob(".serving.duckdb.tmp-*")) and time.monotonic() < deadline:
            assert proc.poll() is None, "publisher finished before it could be killed"
            time.sleep(0.005)
        if delay:
            time.sleep(delay)
        assert proc.poll() is None, "publisher finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert serving.read_bytes() == before
        assert current_generation(serving) == "g1"
    # The next publish cleans the stray temporary up and succeeds.
    publish(new, serving, generation="g2")
    assert current_generation(serving) == "g2"
    assert not list(tmp_path.glob(".serving.duckdb.tmp-*"))


def test_salt_is_generated_once_per_installation_owner_only_and_never_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WAREHOUSE_PII_SALT", raising=False)
    build, serving = tmp_path / "wh" / "build.duckdb", tmp_path / "wh" / "serving.duckdb"
    build.parent.mkdir()
    make_build_db(build, 1)
    publish(build, serving, generation="g1", personal=PERSONAL)
    salt_file = salt_path(build)
    assert salt_file.parent == build.parent and (salt_file.stat().st_mode & 0o777) == 0o600
    salt = salt_file.read_text().strip()
    assert len(salt) == 64 and salt != "revenue_warehouse-default-salt"
    with connect_serving(serving) as con:
        first = con.execute("select email from marketing.fct_leads where id = 5").fetchone()[0]
    assert first == "pii_" + hashlib.sha256(f"{salt}|user5@example.com".encode()).hexdigest()[:20]
    assert salt.encode() not in serving.read_bytes()
    # stable across publishes: the same person keeps the same key
    publish(build, serving, generation="g2", personal=PERSONAL)
    with connect_serving(serving) as con:
        assert con.execute("select email from marketing.fct_leads where id = 5").fetchone()[0] == first
    assert salt_file.read_text().strip() == salt
    # another installation gets another salt, so its keys differ
    other = tmp_path / "other" / "build.duckdb"
    other.parent.mkdir()
    make_build_db(other, 1)
    publish(other, tmp_path / "other" / "serving.duckdb", generation="g1", personal=PERSONAL)
    assert salt_path(other).read_text().strip() != salt
    # a configured salt wins
    monkeypatch.setenv("WAREHOUSE_PII_SALT", "configured")
    reset_settings()  # settings are read once per process: read the changed environment
    assert pii_salt(build) == "configured"
