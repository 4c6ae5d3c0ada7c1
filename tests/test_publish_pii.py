"""Publishing the real marts: no e-mail address, phone number or person's full name from the source
systems survives in the serving file, and hashed people stay joinable across marts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.publish import PUBLISHED_SCHEMAS, connect_serving, publish

pytestmark = pytest.mark.slow

PERSONAL_VALUES = """
select lower(trim(v)) from (
    select email as v from staging.stg_hubspot__contacts union all
    select phone from staging.stg_hubspot__contacts union all
    select first_name || ' ' || last_name from staging.stg_hubspot__contacts union all
    select email from staging.stg_salesforce__leads union all
    select phone from staging.stg_salesforce__leads union all
    select first_name || ' ' || last_name from staging.stg_salesforce__leads union all
    select email from staging.stg_salesforce__users union all
    select first_name || ' ' || last_name from staging.stg_salesforce__users union all
    select email from staging.stg_stripe__customers
) where v is not null and length(trim(v)) > 3
"""


def test_served_marts_hold_no_clear_personal_data(built_db: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(built_db), read_only=True)
    try:
        personal = {v for (v,) in con.execute(PERSONAL_VALUES).fetchall()}
    finally:
        con.close()
    assert len(personal) > 100
    serving = tmp_path / "serving.duckdb"
    result = publish(built_db, serving, generation="pii-test")
    assert "sales.dim_sales_reps.full_name" in result.masked_columns
    con = connect_serving(serving)
    try:
        schemas = {
            s
            for (s,) in con.execute("select distinct table_schema from information_schema.tables").fetchall()
        }
        assert schemas <= set(PUBLISHED_SCHEMAS) and not any(
            s.startswith(("raw_", "staging")) for s in schemas
        )
        leaks = []
        for schema, table, column in con.execute(
            "select table_schema, table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
        ).fetchall():
            values = {
                v
                for (v,) in con.execute(
                    f'select distinct lower(trim("{column}")) from "{schema}"."{table}"'
                ).fetchall()
            }
            if values & personal:
                leaks.append(f"{schema}.{table}.{column}: {sorted(values & personal)[:3]}")
        assert leaks == []
        # the same person hashes to the same key everywhere: lead owners are sales reps
        orphans = con.execute(
            "select count(*) from marketing.fct_leads l where l.owner_name is not null "
            "and l.owner_name not in (select full_name from sales.dim_sales_reps)"
        ).fetchone()[0]
        assert orphans == 0
    finally:
        con.close()
