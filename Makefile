# The two quick-start commands are `make run` and `make test`; both set up .venv first.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export UV_COMPILE_BYTECODE := 1
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DBT_PROFILES_DIR ?= $(CURDIR)
export DO_NOT_TRACK := 1

.PHONY: setup manifest run test test-fast lint dev bench clean

# Create .venv and install exactly the locked versions (uv.lock).
$(BIN)/warehouse: pyproject.toml uv.lock
	@$(PY) -m uv --version >/dev/null 2>&1 || $(PY) -m pip install --quiet "uv==$(UV_VERSION)"
	$(PY) -m uv sync --frozen --python $(PY)
	@mkdir -p $(DAGSTER_HOME) && cp -n orchestration/dagster.yaml $(DAGSTER_HOME)/dagster.yaml 2>/dev/null || true
	@touch $(BIN)/warehouse

setup: $(BIN)/warehouse manifest

## dagster-dbt reads target/manifest.json when the code location loads: prepare it (dbt parse).
manifest: $(BIN)/warehouse
	$(BIN)/dbt parse --quiet --project-dir . --profiles-dir .

## make run: set up, then run the main job end to end on the embedded DuckDB default.
run: setup
	$(BIN)/warehouse run

## make test: set up, lint, then run the whole test suite.
test: setup lint
	$(BIN)/pytest

## make test-fast: unit tests and small builds, for the edit-test loop (under 3 minutes): every test
## not marked slow (slow = a full dbt build of the warehouse or a whole Dagster run; see tests/conftest.py).
test-fast: setup
	$(BIN)/pytest -m "not slow"

## make lint: ruff (Python) and sqlfluff (dbt models: dbt templater, duckdb dialect, rules in .sqlfluff;
## the templater compiles against an empty scratch database).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@d=$$(mktemp -d) && WAREHOUSE_BUILD_DB=$$d/lint.duckdb $(BIN)/sqlfluff lint models data-tests --processes 2; \
	status=$$?; rm -rf $$d; exit $$status

## make dev: the Dagster UI on http://127.0.0.1:3000
dev: setup
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000 -w workspace.yaml

bench: setup
	$(BIN)/python bench/generate.py
	$(BIN)/python bench/load.py

clean:
	rm -rf data target logs .dagster_home
