"""Silos as configuration: switching the three configuration seeds to a four-department organisation
(Sales Development qualifies, Account Executives close) adds the sdr_to_ae handoff to the handoff
marts with correct numbers, without any change to model code (docs/silos.md)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import AS_OF
from test_handoffs import assert_same_instances, mart_handoffs, truth_handoffs

from revenue_warehouse.dbt import dbt_env, dbt_executable
from revenue_warehouse.paths import PROJECT_DIR

CONFIG = PROJECT_DIR / "silo_configs" / "four_departments"
SEEDS = ("departments.csv", "funnel_stages.csv", "handoff_slas.csv")


@pytest.fixture(scope="module")
def four_department_db(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built warehouse rebuilt from a copy of the project whose only difference is the
    three configuration seeds."""
    work = tmp_path_factory.mktemp("four_departments")
    project = work / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT_DIR / name, project / name)
    for folder in ("models", "macros", "seeds", "data-tests"):
        if (PROJECT_DIR / folder).is_dir():
            shutil.copytree(PROJECT_DIR / folder, project / folder)
    for seed in SEEDS:
        shutil.copy(CONFIG / seed, project / "seeds" / seed)
    db = work / "build.duckdb"
    shutil.copy(built_db, db)
    cmd = [
        dbt_executable(), "build", "--select", *(f"{s.removesuffix('.csv')}+" for s in SEEDS),
        "--project-dir", str(project), "--profiles-dir", str(project), "--target-path", str(work / "target"),
        "--vars", f'{{"as_of_date": "{AS_OF.isoformat()}"}}',
    ]  # fmt: skip
    proc = subprocess.run(cmd, cwd=project, env=dbt_env(db), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    return db


def test_model_code_is_unchanged_only_seeds_differ() -> None:
    for seed in SEEDS:
        assert (CONFIG / seed).read_bytes() != (PROJECT_DIR / "seeds" / seed).read_bytes()
    departments = pd.read_csv(CONFIG / "departments.csv")
    assert list(departments.sort_values("department_order")["department"])[:4] == [
        "marketing", "sales_development", "account_executives", "customer_success",
    ]  # fmt: skip


def test_four_department_handoffs_carry_the_extra_handoff(
    four_department_db: Path, small_extracts: Path
) -> None:
    mart = mart_handoffs(four_department_db)
    assert set(mart["handoff"]) == {
        "marketing_to_sales", "sdr_to_ae", "sales_to_customer_success", "customer_success_to_renewal",
    }  # fmt: skip
    routes = mart.groupby("handoff")[["from_department", "to_department"]].first()
    assert tuple(routes.loc["sdr_to_ae"]) == ("sales_development", "account_executives")
    assert tuple(routes.loc["sales_to_customer_success"]) == ("account_executives", "customer_success")
    # The handoffs that existed before keep exactly the truth's instances and outcomes.
    assert_same_instances(
        truth_handoffs(small_extracts), mart[mart["handoff"] != "sdr_to_ae"], CONFIG / "handoff_slas.csv"
    )


def test_sdr_to_ae_instances_equal_the_truth_persons(four_department_db: Path, small_extracts: Path) -> None:
    """sdr_to_ae: handed at lead qualification, picked up at opportunity creation (from the truth's
    persons file, independently of the SQL)."""
    persons = pd.read_csv(small_extracts / "_truth" / "persons.csv", dtype=str, keep_default_na=False)
    qualified = persons[(persons["qualified_at"] != "") & (persons["salesforce_lead_id"] != "")]
    picked = qualified["opportunity_created_at"]
    expected = pd.DataFrame({
        "handoff": "sdr_to_ae", "record_id": qualified["salesforce_lead_id"], "handed_at": qualified["qualified_at"],
        "picked_up_at": picked, "is_complete": (picked != "").map({True: "true", False: "false"}),
        "missing_step": (picked == "").map({True: "opportunity", False: ""}),
    })  # fmt: skip
    assert len(expected) > 20
    mart = mart_handoffs(four_department_db)
    assert_same_instances(expected, mart[mart["handoff"] == "sdr_to_ae"], CONFIG / "handoff_slas.csv")
    sla = float(pd.read_csv(CONFIG / "handoff_slas.csv").set_index("handoff").loc["sdr_to_ae", "sla_hours"])
    rows = mart[mart["handoff"] == "sdr_to_ae"]
    assert (rows["is_within_sla"] == (rows["hours_to_pickup"] <= sla)).all()

    with duckdb.connect(str(four_department_db), read_only=True) as con:
        summary = con.execute(
            "select sum(handed_count), sum(picked_up_count) from funnel.fct_handoff_summary where handoff = 'sdr_to_ae'"
        ).fetchone()
        owners = con.execute(
            "select distinct current_department from funnel.fct_revenue_funnel where current_stage = 'qualified'"
        ).fetchall()
    assert summary == (len(expected), int((picked != "").sum()))
    assert owners in ([], [("sales_development",)])
