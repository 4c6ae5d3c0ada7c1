"""The project's layout rules (docs/architecture.md "Folders by concept, names by job"), read from the
dbt manifest: intermediate models sit in a concept folder and are named ``int_<entity>s_<verb>ed``,
the shared dimensions in ``marts/core`` read no silo's mart (so every silo can join to them), no
intermediate model reads a mart, ``source()`` appears only in staging, and every YAML file under
models/ is named ``_<folder>__<kind>.yml`` after its folder (seeds: ``_<group>__seeds.yml``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from revenue_warehouse.dbt import run_dbt
from revenue_warehouse.paths import PROJECT_DIR

INTERMEDIATE_CONCEPTS = {"identity", "attribution", "pipeline", "billing", "journeys"}
INTERMEDIATE_NAME = re.compile(r"^int_[a-z]+(_[a-z]+)*s_[a-z]+ed$")
YAML_KINDS = ("models", "unit_tests", "sources")


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("layers")
    run_dbt(["parse"], tmp / "build.duckdb", dbt_vars={"as_of_date": "2024-06-30"}, target_path=tmp / "t")
    nodes = json.loads((tmp / "t" / "manifest.json").read_text())["nodes"]
    return {n["name"]: n for n in nodes.values() if n["resource_type"] == "model"}


def _folders(node: dict) -> list[str]:
    return node["fqn"][1:-1]


def _model_refs(node: dict, models: dict[str, dict]) -> set[str]:
    names = {m.rsplit(".", 1)[1] for m in node["depends_on"]["nodes"] if m.startswith("model.")}
    return names & models.keys()


def test_intermediate_models_sit_in_a_concept_folder_and_are_named_for_their_job(
    models: dict[str, dict],
) -> None:
    intermediate = {name: n for name, n in models.items() if _folders(n)[0] == "intermediate"}
    assert len(intermediate) >= 15
    misplaced = {
        name: _folders(n)
        for name, n in intermediate.items()
        if len(_folders(n)) != 2 or _folders(n)[1] not in INTERMEDIATE_CONCEPTS
    }
    assert misplaced == {}
    assert sorted(name for name in intermediate if not INTERMEDIATE_NAME.match(name)) == []


def test_core_reads_no_silo_mart_and_intermediate_reads_no_mart(models: dict[str, dict]) -> None:
    def layer(name: str) -> list[str]:
        return _folders(models[name])[:2]

    wrong = []
    for name, node in models.items():
        for ref in _model_refs(node, models):
            if layer(name)[0] == "intermediate" and layer(ref)[0] == "marts":
                wrong.append((name, ref))
            if (
                layer(name) == ["marts", "core"]
                and layer(ref)[0] == "marts"
                and layer(ref) != ["marts", "core"]
            ):
                wrong.append((name, ref))
    assert wrong == []
    # the silos do use the shared dimensions
    assert any(
        "dim_accounts" in _model_refs(n, models)
        for n in models.values()
        if layer(n["name"]) != ["marts", "core"]
    )


def test_source_appears_only_in_staging(models: dict[str, dict]) -> None:
    outside = sorted(
        name
        for name, n in models.items()
        if n["depends_on"]["nodes"]
        and _folders(n)[0] != "staging"
        and any(d.startswith("source.") for d in n["depends_on"]["nodes"])
    )
    assert outside == []


def test_every_yaml_file_is_named_after_its_folder() -> None:
    models_dir = PROJECT_DIR / "models"
    wrong = []
    for path in sorted(models_dir.rglob("*.yml")):
        if path.parent == models_dir:  # project-wide files: exposures
            continue
        allowed = {f"_{path.parent.name}__{kind}.yml" for kind in YAML_KINDS}
        if path.name not in allowed:
            wrong.append(str(path.relative_to(models_dir)))
    # seeds: one file per group of seeds (reference data, silo configuration)
    wrong += [
        p.name
        for p in (PROJECT_DIR / "seeds").rglob("*.yml")
        if not re.match(r"^_[a-z_]+__seeds\.yml$", p.name)
    ]
    assert wrong == []


def test_every_model_is_documented_in_its_own_folder(models: dict[str, dict]) -> None:
    wrong = {}
    for name, node in models.items():
        patch = node.get("patch_path") or ""
        folder = Path(node["original_file_path"]).parent
        if not patch or Path(patch.split("://", 1)[-1]).parent != folder:
            wrong[name] = patch
    assert wrong == {}
