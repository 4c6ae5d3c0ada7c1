"""A production build runs a model's column tests (not_null, unique, accepted_values, non_negative) as one
``column_tests`` test per model (macros/column_tests.sql, docs/decisions.md#column-tests-in-one-node-per-model):
it fails on the same rows as dbt's own tests, names each failing test in dbt's output, and refuses to run
when a column test would be left out uncovered.

Real dbt on a copy of the built warehouse; the expected failures are dbt's own tests' (each run alone,
the way every build ran them before)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF

from revenue_warehouse.dbt import PRODUCTION_EXCLUDE, dbt_env, dbt_executable, run_dbt
from revenue_warehouse.paths import PROJECT_DIR

pytestmark = pytest.mark.slow

# broken by hand: nulls, a duplicated key, a value out of its set, negative amounts, in a mart, a
# staging model (rows loaded now, so the daily scope reads them), a seed and a source
BREAK = (
    "update sales.fct_opportunities set close_date = null where opportunity_id in"
    " (select opportunity_id from sales.fct_opportunities where is_closed order by 1 limit 2)",
    "update sales.fct_opportunities set deal_category = 'bogus' where opportunity_id in"
    " (select opportunity_id from sales.fct_opportunities order by 1 limit 3)",
    "insert into core.dim_accounts select * from core.dim_accounts order by account_id limit 1",
    "update staging.stg_salesforce__opportunities set amount = -5, _loaded_at = now()::timestamp"
    " where opportunity_id in (select opportunity_id from staging.stg_salesforce__opportunities order by 1 limit 2)",
    "update reference.channel_mapping set source_field = null"
    " where source_value = (select min(source_value) from reference.channel_mapping)",
    "update raw_hubspot.contact set id = null where id = (select min(id) from raw_hubspot.contact)",
)


def failing(proc: subprocess.CompletedProcess[str], target: Path) -> dict[str, int]:
    """Each failing test and its failing rows: dbt's result per node, a ``column_tests`` test's replaced
    by the covered tests dbt's on-run-end line names."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    found = {r["unique_id"].split(".")[2]: r["failures"] for r in results if r["status"] == "fail"}
    for line in re.findall(r"column test failed: (\{.*\})", proc.stdout):
        covered = json.loads(line)
        assert found.get(covered["combined"]), covered  # named only under its failing column_tests test
        found[covered["test"]] = covered["failures"]
    return {name: n for name, n in found.items() if "column_tests_" not in name}


def test_column_tests_fail_on_the_same_rows_as_each_test_alone(built_db: Path, tmp_path: Path) -> None:
    broken = {}
    for name in ("alone", "combined"):
        broken[name] = tmp_path / name / "build.duckdb"
        broken[name].parent.mkdir()
        shutil.copy(built_db, broken[name])
        with duckdb.connect(str(broken[name])) as con:
            (contact_rows,) = con.execute(
                "select count(*) from raw_hubspot.contact where id = (select min(id) from raw_hubspot.contact)"
            ).fetchone()  # every version of that contact
            for statement in BREAK:
                con.execute(statement)
    as_of = {"as_of_date": AS_OF.isoformat()}
    alone = run_dbt(["test", "--exclude", "test_type:unit", "test_name:column_tests"], broken["alone"],
                    dbt_vars=as_of, target_path=tmp_path / "t_alone", check=False)  # fmt: skip
    combined = run_dbt(["test", "--exclude", *PRODUCTION_EXCLUDE], broken["combined"], dbt_vars=as_of,
                       target_path=tmp_path / "t_combined", check=False)  # fmt: skip
    expected = failing(alone, tmp_path / "t_alone")
    assert expected == {
        "not_null_fct_opportunities_close_date": 2,
        "accepted_values_fct_opportunities_deal_category__new_business__renewal__expansion__other": 1,
        "unique_dim_accounts_account_id": 1,
        "non_negative_stg_salesforce__opportunities_amount": 2,
        "not_null_channel_mapping_source_field": 1,
        "source_not_null_hubspot_contact_id": contact_rows,
    }
    assert failing(combined, tmp_path / "t_combined") == expected
    # dbt's output names the failing test, its kind, model and column
    assert '"column": "close_date"' in combined.stdout and '"kind": "not_null"' in combined.stdout
    # and each model's staged rows passed or failed alike: the same checked_through either way
    state = "select model, checked_through from check_state.dbt_checked_through order by 1"
    with duckdb.connect(str(broken["alone"]), read_only=True) as a, duckdb.connect(str(broken["combined"]), read_only=True) as c:  # fmt: skip
        assert a.execute(state).fetchall() == c.execute(state).fetchall()


def project_copy(root: Path) -> Path:
    project = root / "project"
    project.mkdir(parents=True)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT_DIR / name, project / name)
    for folder in ("models", "macros", "seeds", "data-tests"):
        shutil.copytree(PROJECT_DIR / folder, project / folder)
    return project


def seed_one(project: Path, work: Path) -> subprocess.CompletedProcess[str]:
    cmd = [
        dbt_executable(), "seed", "--select", "departments",
        "--project-dir", str(project), "--profiles-dir", str(project), "--target-path", str(work / "target"),
        "--vars", json.dumps({"as_of_date": AS_OF.isoformat()}),
    ]  # fmt: skip
    return subprocess.run(
        cmd, cwd=project, env=dbt_env(work / "build.duckdb"), capture_output=True, text=True
    )


def test_a_column_test_no_column_tests_test_covers_stops_every_run(tmp_path: Path) -> None:
    """The production selection leaves out every not_null, unique, accepted_values and non_negative test;
    one that no ``column_tests`` test covers (its model has none, or its own severity) would never run:
    dbt refuses to start (on-run-start ``column_tests_guard``)."""
    project = project_copy(tmp_path / "as_is")
    assert seed_one(project, tmp_path / "as_is").returncode == 0
    project = project_copy(tmp_path / "uncovered")
    core = project / "models" / "marts" / "core" / "_core__models.yml"
    text = core.read_text()
    entry = text.index("- name: dim_accounts")
    head, tail = text[:entry], text[entry:]
    core.write_text(head + tail.replace("    data_tests:\n      - column_tests\n", "", 1))
    sales = project / "models" / "marts" / "sales" / "_sales__models.yml"
    text = sales.read_text()
    assert 'where: "is_closed"' in text
    sales.write_text(
        text.replace('where: "is_closed"', 'where: "is_closed"\n                severity: warn', 1)
    )
    proc = seed_one(project, tmp_path / "uncovered")
    assert proc.returncode != 0
    message = proc.stdout + proc.stderr
    assert "column tests a production build would not run" in message
    for name in (
        "not_null_dim_accounts_account_id",
        "unique_dim_accounts_account_id",
        "not_null_fct_opportunities_close_date",
    ):
        assert name in message
