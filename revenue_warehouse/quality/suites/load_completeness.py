"""Load completeness: nothing lost between the extract files, the raw tables and staging.

* every extract file's latest delivery loaded (not failed);
* for every file, rows in file = rows in its raw table (counted by ``_source_file``) + quarantined
  rows (counted in ``audit.quarantine``), recounted here rather than trusting the manifest's own sums;
* every distinct primary key of every raw table reaches its staging view.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from revenue_warehouse.contract import TABLES, Table
from revenue_warehouse.paths import PROJECT_DIR
from revenue_warehouse.quality.spec import Expectation, Frame, Params, Suite, equals_zero

STAGING_DIR = PROJECT_DIR / "models" / "staging"
_SOURCE_RE = re.compile(r"source\(\s*'(\w+)'\s*,\s*'(\w+)'\s*\)")


@cache
def staging_models() -> dict[tuple[str, str], tuple[str, dict[str, str]]]:
    """(system, table) -> (staging view, {raw key column: staging column}), read from the model SQL."""
    found: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}
    by_key = {(t.system, t.name): t for t in TABLES}
    for path in sorted(STAGING_DIR.glob("*/stg_*.sql")):
        sql = path.read_text()
        sources = set(_SOURCE_RE.findall(sql))
        if len(sources) != 1 or next(iter(sources)) not in by_key:
            continue
        table = by_key[next(iter(sources))]
        found[(table.system, table.name)] = (path.stem, _key_columns(table, sql, path))
    return found


def _key_columns(table: Table, sql: str, path: Path) -> dict[str, str]:
    mapping = {}
    for raw_column in table.primary_key:
        # fill_staging_columns may rename a raw column first: {"name": "date", ..., "alias": "metric_date"}
        alias = re.search(rf'"name":\s*"{re.escape(raw_column)}"[^}}]*"alias":\s*"(\w+)"', sql)
        column = alias.group(1) if alias else raw_column
        pattern = re.compile(
            rf"^\s*(?:cast\(\s*)?{re.escape(column)}(?:\s+as\s+.*?\))?\s+as\s+(\w+)\s*,?\s*$", re.MULTILINE
        )
        match = pattern.search(sql)
        bare = re.search(rf"^\s*{re.escape(column)}\s*,?\s*$", sql, re.MULTILINE)
        if match:
            mapping[raw_column] = match.group(1)
        elif bare:
            mapping[raw_column] = column
        else:
            raise ValueError(f"{path}: cannot find which column the raw key {raw_column!r} becomes")
    return mapping


def _files_sql(params: Params) -> str:
    tables = params["raw_tables"]
    raw_counts = (
        " union all ".join(
            f"select '{s}' as system, '{t}' as table_name, _source_file as file, count(*) as n "
            f"from raw_{s}.{t} group by _source_file"
            for s, t in tables
        )
        or "select null::varchar, null::varchar, null::varchar, 0::bigint where false"
    )
    return f"""
with latest as (
    select *, row_number() over (partition by system, table_name, file order by loaded_at desc) as rn
    from audit.load_manifest
    where status <> 'skipped_duplicate'
),
raw_rows as ({raw_counts}),
quarantined as (
    select system, table_name, file, count(distinct row_number) as n from audit.quarantine group by all
),
final as (
    select
        l.file as file_key,
        l.status,
        l.status <> 'failed' as is_loaded,
        l.rows_in_file,
        coalesce(r.n, 0) as raw_rows,
        coalesce(q.n, 0) as quarantined_rows,
        case when l.status = 'failed' then 0
             else l.rows_in_file - coalesce(r.n, 0) - coalesce(q.n, 0) end as unaccounted_rows
    from latest l
    left join raw_rows r using (system, table_name, file)
    left join quarantined q using (system, table_name, file)
    where l.rn = 1
)
select * from final order by file_key
"""


def _ids_sql(params: Params) -> str:
    parts = []
    for (system, table), (view, keys) in sorted(params["staging_models"].items()):
        if (system, table) not in params["raw_tables"]:
            continue
        raw_key = " || '|' || ".join(f"cast({c} as varchar)" for c in keys)
        stg_key = " || '|' || ".join(f"cast({c} as varchar)" for c in keys.values())
        parts.append(
            f"""select 'raw_{system}.{table} -> staging.{view}' as table_key,
                (select count(distinct {raw_key}) from raw_{system}.{table}) as raw_ids,
                (select count(*) from (select distinct {raw_key} as k from raw_{system}.{table}
                    except select distinct {stg_key} from staging.{view})) as missing_ids,
                (select string_agg(k, ', ') from (select distinct {raw_key} as k from raw_{system}.{table}
                    except select distinct {stg_key} from staging.{view} order by 1 limit 5)) as sample_missing"""
        )
    if not parts:
        return "select null::varchar as table_key, 0 as raw_ids, 0 as missing_ids where false"
    return (
        "select table_key || coalesce(' missing ' || sample_missing, '') as table_key, raw_ids, missing_ids "
        f"from ({' union all '.join(parts)}) order by table_key"
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
    description="Every extract row is loaded or quarantined, and every raw id reaches staging.",
    frames=(
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
            guards="audit.load_manifest",
            key="table_key",
            sql=_ids_sql,
            expectations=(
                equals_zero(
                    "raw_ids_reach_staging",
                    "missing_ids",
                    "Every distinct primary key of a raw table is present in its staging view.",
                ),
            ),
        ),
    ),
)
