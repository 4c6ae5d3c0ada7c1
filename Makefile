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
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DASHBOARD_PORT ?= 8501
DOCS_PORT ?= 8080

.PHONY: setup manifest run test test-fast test-engines engines-setup lint dev bench clean dashboard docs browser

# Create .venv and install exactly the locked versions (uv.lock).
$(BIN)/warehouse: pyproject.toml uv.lock
	@$(PY) -m uv --version >/dev/null 2>&1 || $(PY) -m pip install --quiet "uv==$(UV_VERSION)"
	$(PY) -m uv sync --frozen --python $(PY)
	@mkdir -p $(DAGSTER_HOME) && cp -n orchestration/dagster.yaml $(DAGSTER_HOME)/dagster.yaml 2>/dev/null || true
	@touch $(BIN)/warehouse

setup: $(BIN)/warehouse manifest

## dagster-dbt reads target/manifest.json when the code location loads: prepare it the one way the
## project does (revenue_warehouse.dbt.prepare_manifest: dbt parse unless fresh; `warehouse run` and the
## code location call the same function).
manifest: $(BIN)/warehouse
	$(BIN)/python -m revenue_warehouse.dbt

## make run: set up, then run the main job end to end on the embedded DuckDB default.
run: setup
	$(BIN)/warehouse run

## The dashboard's browser test drives Debian's chromium (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

## pytest runs the tests on two pytest-xdist workers (the machine has 2 cores and most test time is one
## single-threaded dbt, Dagster or simulator process): a unit of work is a test module, and the modules
## that share the project's target/ or DAGSTER_HOME run as one unit (tests/conftest.py). PYTEST_WORKERS=0
## runs them in this process, one after the other.
PYTEST_WORKERS ?= 2
PYTEST_XDIST := -n $(PYTEST_WORKERS) --dist loadgroup

## make test: set up, lint, install the browser, then run the whole test suite.
test: setup lint browser
	$(BIN)/pytest $(PYTEST_XDIST)

## make test-engines: the whole project on a throwaway PostgreSQL and on local Spark, key figures
## compared with the DuckDB build (docs/scaling.md). Installs the `engines` dependency group and,
## when missing, Debian's postgresql server (apt-get).
test-engines: engines-setup
	$(BIN)/pytest -m engines -rP tests/test_engines.py

engines-setup: setup
	$(PY) -m uv sync --frozen --group engines --python $(PY)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		echo "installing PostgreSQL's server (apt-get)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }
	@command -v java >/dev/null || { echo "Spark needs Java 17: apt-get install openjdk-17-jre-headless"; exit 1; }

## make test-fast: unit tests and small builds, for the edit-test loop: every test not marked slow
## (slow = a full dbt build of the warehouse or a whole Dagster run; see tests/conftest.py). About 2.3
## CPU-minutes (183 tests), on two workers (docs/benchmarks.md); the whole suite stays `make test`.
test-fast: setup
	$(BIN)/pytest -m "not slow" $(PYTEST_XDIST)

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

## make dashboard: the revenue dashboard (Streamlit) on http://127.0.0.1:8501 over the serving file
dashboard: setup
	$(BIN)/streamlit run revenue_warehouse/dashboard/app.py --server.address 127.0.0.1 \
		--server.port $(DASHBOARD_PORT) --server.headless true --browser.gatherUsageStats false

## make docs: dbt docs (models, columns, lineage, exposures) on http://127.0.0.1:8080
docs: setup
	@if [ -f "$${WAREHOUSE_BUILD_DB:-data/warehouse/build.duckdb}" ]; then \
		$(BIN)/dbt docs generate --project-dir . --profiles-dir . ; \
	else \
		echo "no build database yet: docs without the catalog (make run first for column types)"; \
		WAREHOUSE_BUILD_DB=$(CURDIR)/target/docs-empty.duckdb $(BIN)/dbt docs generate --project-dir . --profiles-dir . --empty-catalog; \
	fi
	$(BIN)/dbt docs serve --project-dir . --profiles-dir . --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

bench: setup
	$(BIN)/python bench/generate.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/dashboard.py

clean:
	rm -rf data target logs .dagster_home
