"""Generate every per-column file from the contract (``revenue_warehouse/contract.py``), so a column
is written down once:

* ``macros/generated/<system>_columns.sql``: one ``get_<system>_<table>_columns()`` macro per table
  (Fivetran's pattern), the list staging models pass to ``fill_staging_columns``;
* ``models/staging/<system>/_<system>__sources.yml``: the dbt sources, with the contract's
  descriptions, ``not_null`` on key columns, ``meta.personal`` on personal columns, the Dagster asset
  key of the raw load in ``meta.dagster``, and database, schema and table names from dbt vars;
* the column tables of ``docs/sources.md`` (between ``<!-- columns: ... -->`` markers).

``warehouse codegen`` (or ``python -m revenue_warehouse.codegen``) rewrites them; ``--check`` only
reports the files that regenerating would change (exit 1), which a test runs.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from revenue_warehouse.contract import STAGING, SYSTEMS, Column, Table, tables_for
from revenue_warehouse.settings import PROJECT_DIR

HEADER = "Generated from revenue_warehouse/contract.py by `warehouse codegen`: do not edit by hand."

# contract (DuckDB) type -> the dbt type expression staging casts to
DBT_TYPES = {
    "VARCHAR": "dbt.type_string()",
    "BIGINT": "dbt.type_bigint()",
    "TIMESTAMP": "dbt.type_timestamp()",
    "BOOLEAN": "dbt.type_boolean()",
    "DOUBLE": "type_double()",  # 8-byte on every adapter (macros/portable_numbers.sql)
    "DATE": '"date"',
    "DECIMAL(18,2)": '"decimal(18, 2)"',
}
# column names that are reserved words in some SQL dialect: quoted wherever they are selected
RESERVED = {"type", "date", "timestamp", "start", "end", "interval"}

SOURCE_DESCRIPTIONS = {
    "hubspot": "Marketing system (HubSpot)",
    "salesforce": "CRM (Salesforce)",
    "stripe": "Billing system (Stripe)",
}
SOURCE_NOTES = {
    "stripe": " Amounts are integers in minor units with a lower-case `currency`.",
    "salesforce": " Amounts are decimals in the record's upper-case `currency_iso_code`.",
}


def macro_name(table: Table) -> str:
    return f"get_{table.system}_{table.name}_columns"


def dbt_type(column: Column) -> str:
    try:
        return DBT_TYPES[column.type]
    except KeyError:
        raise ValueError(
            f"contract type {column.type!r} of {column.name} has no dbt type in codegen.DBT_TYPES"
        ) from None


def render_column_macros(system: str) -> str:
    blocks = [f"{{#- {HEADER} -#}}\n"]
    for table in tables_for(system):
        entries = []
        for c in table.columns:
            quote = ', "quote": true' if c.name in RESERVED else ""
            entries.append(f'        {{"name": "{c.name}", "datatype": {dbt_type(c)}{quote}}}')
        blocks.append(
            f"{{#- {table.qualified_name}: {table.description} -#}}\n"
            f"{{% macro {macro_name(table)}() -%}}\n"
            "    {{ return([\n" + ",\n".join(entries) + "\n    ]) }}\n"
            "{%- endmacro %}\n"
        )
    return "\n".join(blocks)


def _column_entry(table: Table, c: Column) -> dict:
    entry: dict = {"name": c.name, "data_type": c.type.lower()}
    description = c.description or ("Primary key." if c.name in table.primary_key else "")
    if c.required:
        description = f"{description} Required in every extract file.".strip()
    if description:
        entry["description"] = description
    if c.personal:
        entry["meta"] = {"personal": True}
    if c.name in table.primary_key:
        entry["data_tests"] = ["not_null"]
    return entry


def _table_entry(table: Table) -> dict:
    key = ", ".join(table.primary_key)
    staging = STAGING[(table.system, table.name)]
    meta: dict = {
        "dagster": {"asset_key": [f"raw_{table.system}", table.name]},
        "primary_key": list(table.primary_key),
        "staging_model": staging.name,
        "staging_key": list(staging.key),
    }
    if any(c.personal for c in table.columns):
        meta["contains_personal_data"] = True
    return {
        "name": table.name,
        "identifier": f"{{{{ var('{table.system}_{table.name}_identifier', '{table.name}') }}}}",
        "description": f"{table.description} Primary key: {key}.".strip(),
        "meta": meta,
        # the key columns' not_null tests run as one test per table in production (macros/column_tests.sql)
        **({"data_tests": ["column_tests"]} if table.primary_key else {}),
        "columns": [_column_entry(table, c) for c in table.columns],
    }


def render_sources_yaml(system: str) -> str:
    description = (
        f"{SOURCE_DESCRIPTIONS[system]} as a Fivetran connector lands it: by default the raw loads'"
        f" `raw_{system}` schema of the build database (typed per `revenue_warehouse/contract.py`, plus"
        " the loader's provenance columns `_source_file`, `_source_row_number`, `_loaded_at`, `_run_id`,"
        f" `_extract_date`), or a connector's own tables through the vars `{system}_database`,"
        f" `{system}_schema` and `{system}_<table>_identifier` (docs/bring-your-own-data.md)."
        f"{SOURCE_NOTES.get(system, '')} A changed record reappears with a newer `_fivetran_synced`;"
        " staging keeps the latest version. Freshness compares the newest `_fivetran_synced` with the"
        " wall clock: meaningful for a live connector only (`dbt build` does not run it)."
    )
    source = {
        "name": system,
        "description": description,
        "database": f"{{% if target.type != 'spark' %}}{{{{ var('{system}_database', target.database) }}}}{{% endif %}}",
        "schema": f"{{{{ var('{system}_schema', 'raw_{system}') }}}}",
        "config": {
            "loaded_at_field": "_fivetran_synced",
            "freshness": {
                "warn_after": {"count": 2, "period": "day"},
                "error_after": {"count": 7, "period": "day"},
            },
        },
        "tables": [_table_entry(t) for t in tables_for(system)],
    }
    body = yaml.safe_dump(
        {"version": 2, "sources": [source]}, sort_keys=False, width=10_000, allow_unicode=True
    )
    return f"# {HEADER}\n{body}"


def render_column_table(table: Table) -> str:
    lines = [
        f"<!-- columns: {table.system}.{table.name} ({HEADER}) -->",
        "| column | type | required | personal | description |",
        "|---|---|---|---|---|",
    ]
    for c in table.columns:
        key = " (key)" if c.name in table.primary_key else ""
        description = c.description.replace("|", "\\|")
        lines.append(
            f"| `{c.name}`{key} | {c.type} | {'yes' if c.required else ''} | {'yes' if c.personal else ''} | {description} |"
        )
    lines.append("<!-- /columns -->")
    return "\n".join(lines)


def render_sources_doc(text: str) -> str:
    """``docs/sources.md`` with each table's column list replaced by the generated column table."""
    for system in SYSTEMS:
        for table in tables_for(system):
            heading = f"### `{system}.{table.name}`"
            start = text.find(heading + "\n")
            if start < 0:
                raise ValueError(f"docs/sources.md has no section {heading}")
            end = text.find("\n#", start + len(heading))
            end = len(text) if end < 0 else end
            section = text[start:end]
            block = re.compile(r"<!-- columns: .*?<!-- /columns -->|- \*\*Columns\*\*: [^\n]*", re.S)
            if not block.search(section):
                raise ValueError(f"docs/sources.md section {heading} has no column list to replace")
            section = block.sub(lambda _, t=table: render_column_table(t), section, count=1)
            text = text[:start] + section + text[end:]
    return text


def generated_files(project_dir: Path = PROJECT_DIR) -> dict[Path, str]:
    """Every generated file and the content it should have."""
    files: dict[Path, str] = {}
    for system in SYSTEMS:
        files[project_dir / "macros" / "generated" / f"{system}_columns.sql"] = render_column_macros(system)
        files[project_dir / "models" / "staging" / system / f"_{system}__sources.yml"] = render_sources_yaml(
            system
        )
    doc = project_dir / "docs" / "sources.md"
    files[doc] = render_sources_doc(doc.read_text())
    return files


def stale_files(project_dir: Path = PROJECT_DIR) -> list[Path]:
    """Files whose content differs from what regenerating would write."""
    return [
        p for p, content in generated_files(project_dir).items() if not p.exists() or p.read_text() != content
    ]


def write_files(project_dir: Path = PROJECT_DIR) -> list[Path]:
    changed = stale_files(project_dir)
    for path, content in generated_files(project_dir).items():
        if path in changed:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
    return changed


def check_or_write(check: bool) -> int:
    """``--check``: print the out-of-date files, 1 if any; else rewrite them and print what changed."""
    if check:
        stale = stale_files()
        for path in stale:
            print(f"out of date: {path.relative_to(PROJECT_DIR)} (run `warehouse codegen`)")
        return 1 if stale else 0
    for path in write_files():
        print(f"wrote {path.relative_to(PROJECT_DIR)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m revenue_warehouse.codegen")
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a file is out of date"
    )
    return check_or_write(parser.parse_args(argv).check)


if __name__ == "__main__":
    sys.exit(main())
