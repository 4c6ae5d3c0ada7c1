"""Every per-column file is generated from the contract: regenerating changes nothing, the staging
models read the generated column lists, and the sources YAML carries what the contract says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import revenue_warehouse.codegen as codegen
from revenue_warehouse.codegen import generated_files, macro_name, render_sources_doc, stale_files
from revenue_warehouse.contract import SYSTEMS, TABLES, Column, Table, tables_for
from revenue_warehouse.settings import PROJECT_DIR


def test_regenerating_changes_no_file() -> None:
    stale = [str(p.relative_to(PROJECT_DIR)) for p in stale_files()]
    assert stale == [], f"run `warehouse codegen`: {stale}"


def test_codegen_check_fails_on_a_hand_edited_file(tmp_path: Path) -> None:
    """--check reports a generated file edited by hand (run on a copy of the files it writes)."""
    for path, content in generated_files().items():
        target = tmp_path / path.relative_to(PROJECT_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    assert stale_files(tmp_path) == []
    yml = tmp_path / "models" / "staging" / "stripe" / "_stripe__sources.yml"
    yml.write_text(yml.read_text().replace("name: currency", "name: currency_code", 1))
    assert stale_files(tmp_path) == [yml]


def test_the_command_checks_and_exits_zero_when_up_to_date() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "revenue_warehouse.cli", "codegen", "--check"], capture_output=True, text=True
    )
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stdout + proc.stderr


def test_every_staging_model_reads_its_generated_column_list() -> None:
    models = sorted((PROJECT_DIR / "models" / "staging").rglob("stg_*.sql"))
    assert len(models) == len(TABLES)
    used = set()
    for model in models:
        sql = model.read_text()
        assert '"datatype"' not in sql, f"{model.name} lists columns by hand"
        [(system, table)] = set(re.findall(r"source\('(\w+)', '(\w+)'\)", sql))
        assert f"get_{system}_{table}_columns() + provenance_columns()" in sql, model.name
        used.add((system, table))
    assert used == {(t.system, t.name) for t in TABLES}


def test_sources_yaml_carries_the_contract() -> None:
    for system in SYSTEMS:
        path = PROJECT_DIR / "models" / "staging" / system / f"_{system}__sources.yml"
        [source] = yaml.safe_load(path.read_text())["sources"]
        assert source["schema"] == f"{{{{ var('{system}_schema', 'raw_{system}') }}}}"
        by_name = {t["name"]: t for t in source["tables"]}
        for table in tables_for(system):
            entry = by_name[table.name]
            assert entry["meta"]["dagster"]["asset_key"] == [f"raw_{system}", table.name]
            assert [c["name"] for c in entry["columns"]] == table.column_names
            for column, generated in zip(table.columns, entry["columns"], strict=True):
                assert generated.get("meta", {}).get("personal", False) == column.personal
                assert ("not_null" in generated.get("data_tests", [])) == (column.name in table.primary_key)
                if column.description:
                    assert generated["description"].startswith(column.description)
    personal = {(t.system, t.name, c) for t in TABLES for c in t.personal_columns}
    assert ("hubspot", "contact", "property_email") in personal


def test_column_macros_follow_the_contract_types() -> None:
    for system in SYSTEMS:
        text = (PROJECT_DIR / "macros" / "generated" / f"{system}_columns.sql").read_text()
        for table in tables_for(system):
            body = text.split(f"{{% macro {macro_name(table)}() -%}}", 1)[1].split("endmacro", 1)[0]
            names = re.findall(r'"name": "(\w+)"', body)
            assert names == table.column_names


def test_docs_column_table_follows_a_contract_change(monkeypatch: pytest.MonkeyPatch) -> None:
    """A column added to the contract appears in docs/sources.md's table for that table only."""
    doc = (PROJECT_DIR / "docs" / "sources.md").read_text()
    table = next(t for t in TABLES if (t.system, t.name) == ("stripe", "plan"))
    changed = Table(
        table.system,
        table.name,
        table.primary_key,
        (*table.columns, Column("tier_c", "VARCHAR", False, "Tier.")),
    )
    monkeypatch.setattr(
        codegen, "tables_for", lambda s: [changed if t.name == "plan" else t for t in tables_for(s)]
    )
    new = render_sources_doc(doc)
    monkeypatch.undo()
    assert new.count("| `tier_c` | VARCHAR |  |  | Tier. |") == 1
    assert render_sources_doc(new.replace("| `tier_c` | VARCHAR |  |  | Tier. |\n", "")) == doc
