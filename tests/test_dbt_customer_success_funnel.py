"""fct_revenue_funnel against the simulator's truth: one journey per person, with the person's lead,
MQL, sales pickup, qualification and opportunity timestamps equal to the truth's persons file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from revenue_warehouse.paths import PROJECT_DIR

TS = "%Y-%m-%d %H:%M:%S"
STAGES = {  # truth column -> fct_revenue_funnel column
    "lead_created_at": "lead_at",
    "mql_at": "mql_at",
    "picked_up_at": "sales_accepted_at",
    "qualified_at": "qualified_at",
    "opportunity_created_at": "opportunity_at",
}


def test_person_journeys_equal_truth_persons(built_db: Path, small_extracts: Path) -> None:
    truth = pd.read_csv(small_extracts / "_truth" / "persons.csv", dtype=str, keep_default_na=False)
    # A person's journey is keyed in the mart by their earliest HubSpot contact.
    truth["hubspot_contact_id"] = truth["hubspot_contact_ids"].map(
        lambda ids: str(min(int(i) for i in ids.split("|")))
    )
    stage_columns = ", ".join(
        f"coalesce(strftime({mart}, '{TS}'), '') as {col}" for col, mart in STAGES.items()
    )
    with duckdb.connect(str(built_db), read_only=True) as con:
        mart = con.execute(
            f"""select cast(hubspot_contact_id as varchar) as hubspot_contact_id, coalesce(salesforce_lead_id, '') as salesforce_lead_id,
                       coalesce(opportunity_id, '') as opportunity_id, {stage_columns}, current_department
                from funnel.fct_revenue_funnel
                where hubspot_contact_id is not null"""
        ).df()
    assert len(truth) > 500 and mart["hubspot_contact_id"].is_unique
    joined = truth.merge(
        mart, on="hubspot_contact_id", how="outer", suffixes=("_truth", "_mart"), indicator=True
    )
    assert (joined["_merge"] == "both").all(), joined[joined["_merge"] != "both"].head(10).to_string()
    for column in ["salesforce_lead_id", "opportunity_id", *STAGES]:
        differ = joined[joined[f"{column}_truth"] != joined[f"{column}_mart"]]
        assert differ.empty, f"{len(differ)} persons differ on {column}:\n{differ.head(5).to_string()}"
    departments = set(pd.read_csv(PROJECT_DIR / "seeds" / "departments.csv")["department"])
    assert set(mart["current_department"]) <= departments
