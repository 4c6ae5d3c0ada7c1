"""Publishing the real marts: personal data is masked by declaration. Every text column of the serving
file is scanned for e-mail addresses, phone numbers and every clear value of the source columns the
contract declares personal; hashed people stay joinable across marts; internal users' names stay clear."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.contract import TABLES
from revenue_warehouse.personal import declared_mart_columns
from revenue_warehouse.publish import PUBLISHED_SCHEMAS, connect_serving, publish

pytestmark = pytest.mark.slow

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"\+\d{1,3}[ .-]?\(?\d{1,4}\)?[ .-]?\d{3,}|\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b")

JOINS = """select
    (select count(*) from marketing.fct_leads l join funnel.fct_revenue_funnel f on f.journey_id = l.person_id),
    (select count(*) from marketing.fct_marketing_touches t join marketing.fct_leads l using (person_id))"""


def declared_source_values(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every clear value of every contract column declared personal, as loaded into raw (values of
    five characters or more: shorter ones, such as a first name "Sem", collide with ordinary codes)."""
    values: set[str] = set()
    for table in TABLES:
        for column in table.personal_columns:
            rows = con.execute(
                f'select distinct lower(trim("{column}")) from raw_{table.system}."{table.name}" '
                f'where "{column}" is not null and length(trim("{column}")) >= 5'
            ).fetchall()
            values |= {v for (v,) in rows}
    return values


def test_served_file_holds_no_clear_personal_data(built_db: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(built_db), read_only=True) as con:
        personal = declared_source_values(con)
        rep_names = {n for (n,) in con.execute("select full_name from sales.dim_sales_reps").fetchall()}
        clear_joins = con.execute(JOINS).fetchone()
    assert all(n > 0 for n in clear_joins)
    assert len(personal) > 100 and rep_names
    serving = tmp_path / "serving.duckdb"
    result = publish(built_db, serving, generation="pii-test")
    declared = {f"{t}.{c}" for t, cols in declared_mart_columns().items() for c in cols}
    assert {m.split(".", 1)[1] for m in result.masked_columns} == declared
    con = connect_serving(serving)
    try:
        schemas = {
            s
            for (s,) in con.execute("select distinct table_schema from information_schema.tables").fetchall()
        }
        assert schemas <= set(PUBLISHED_SCHEMAS) | {"reference"}
        leaks, scanned = [], 0
        for schema, table, column in con.execute(
            "select table_schema, table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
        ).fetchall():
            values = {
                v
                for (v,) in con.execute(f'select distinct "{column}" from "{schema}"."{table}"').fetchall()
                if v
            }
            scanned += len(values)
            hits = [v for v in values if v.lower().strip() in personal or EMAIL.search(v) or PHONE.search(v)]
            if hits:
                leaks.append(f"{schema}.{table}.{column}: {sorted(hits)[:3]}")
        assert scanned > 1000, scanned
        assert leaks == []
        # internal users' names are not personal: analysts see their sales reps
        served_reps = {n for (n,) in con.execute("select full_name from sales.dim_sales_reps").fetchall()}
        assert served_reps == rep_names
        # the same person hashes to the same key in every mart: joins give what they give in the build
        assert con.execute(JOINS).fetchone() == clear_joins
    finally:
        con.close()
