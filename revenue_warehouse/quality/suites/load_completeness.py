"""Load completeness (data integrity: blocks publication): nothing lost between the extract files, the
raw tables and staging.

* every system the company declares (company.yml) delivered extracts (a missing feed fails);
* every extract file's latest delivery loaded (not failed);
* for every extract date of every table, rows in its file = rows in the raw table + quarantined records,
  recounted rather than trusting the manifest's own sums: the loader's file accounting
  (``revenue_warehouse.loader.audit.file_accounting_sql``), which the Dagster raw asset checks read too;
* every distinct primary key (revenue_warehouse/contract.py) of every raw table reaches its staging
  model: the number of distinct ids each staging model holds comes from the dbt model
  ``quality.qc_staging_ids``, so no query here reads staging.
"""

from __future__ import annotations

from revenue_warehouse.contract import TABLES_BY_KEY
from revenue_warehouse.loader.audit import file_accounting_sql
from revenue_warehouse.quality.spec import Expectation, Frame, Params, Suite, equals_zero


def _systems_sql(params: Params) -> str:
    declared = params["declared_systems"]
    if not declared:
        return "select null::varchar as system_key, true as is_loaded where false"
    values = ", ".join(f"('{s}')" for s in declared)
    return f"""
with declared(system) as (values {values}),
loaded as (
    select system, count(*) as files from audit.load_manifest where status <> 'failed' group by 1
)
select declared.system as system_key, coalesce(loaded.files, 0) > 0 as is_loaded
from declared left join loaded using (system)
order by 1
"""


def _files_sql(params: Params) -> str:
    """One row per extract date of every table: the loader's file accounting, defined once in
    ``revenue_warehouse.loader.audit.file_accounting_sql`` (the Dagster raw asset checks read it too)."""
    return f"""
select file as file_key, status, is_loaded, rows_in_file, raw_rows, quarantined_rows, unaccounted_rows
from ({file_accounting_sql(params["raw_tables"])}) as accounting
order by 1
"""


def _ids_sql(params: Params) -> str:
    parts = []
    for system, table in sorted(params["raw_tables"]):
        contract = TABLES_BY_KEY.get((system, table))
        if contract is None:
            continue
        keys = ", ".join(contract.primary_key)
        parts.append(
            f"select 'raw_{system}' as source_schema, '{table}' as source_table, count(*) as raw_ids "
            f"from (select distinct {keys} from raw_{system}.{table})"
        )
    if not parts:
        return (
            "select null::varchar as table_key, 0 as raw_ids, 0 as staging_ids, 0 as missing_ids where false"
        )
    return f"""
with raw_ids as ({" union all ".join(parts)})
select
    r.source_schema || '.' || r.source_table || ' -> ' || q.staging_model as table_key,
    r.raw_ids,
    q.staging_ids,
    r.raw_ids - q.staging_ids as missing_ids
from raw_ids as r
inner join quality.qc_staging_ids as q
    on q.source_schema = r.source_schema and q.source_table = r.source_table
order by 1
"""


DECLARED_SYSTEM_LOADED = Expectation(
    "declared_system_loaded",
    "ExpectColumnValuesToBeInSet",
    lambda p: {"column": "is_loaded", "value_set": [True]},
    "Every source system the company declares (company.yml) delivered extracts (else the feed is missing).",
    threshold=lambda p: "a loaded file per declared system",
)

FILE_LOADED = Expectation(
    "file_loaded",
    "ExpectColumnValuesToBeInSet",
    lambda p: {"column": "is_loaded", "value_set": [True]},
    "The latest delivery of every extract file loaded (a failed file means its rows are missing).",
    threshold=lambda p: "status <> 'failed'",
)

SUITE = Suite(
    name="load_completeness",
    description="Every declared feed delivered, every extract row is loaded or quarantined, and every raw "
    "id reaches staging.",
    frames=(
        Frame(
            "systems",
            guards="audit.load_manifest",
            key="system_key",
            sql=_systems_sql,
            expectations=(DECLARED_SYSTEM_LOADED,),
        ),
        Frame(
            "files",
            guards="audit.load_manifest",
            key="file_key",
            sql=_files_sql,
            expectations=(
                FILE_LOADED,
                equals_zero(
                    "file_rows_accounted",
                    "unaccounted_rows",
                    "Rows in file = rows in the raw table from that file + rows quarantined from it.",
                ),
            ),
        ),
        Frame(
            "raw_to_staging",
            guards="quality.qc_staging_ids",
            key="table_key",
            sql=_ids_sql,
            expectations=(
                equals_zero(
                    "raw_ids_reach_staging",
                    "missing_ids",
                    "Every distinct primary key of a raw table is present in its staging model "
                    "(distinct raw keys - distinct staging ids, from quality.qc_staging_ids).",
                ),
            ),
        ),
    ),
)
