# Safeguard: `make run` to try it, `make test` for the whole suite, `make help` for the rest.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help
.PHONY: help install run serve worker migrate demo static test test-sqlite test-postgres test-e2e lint format bench lock clean browser

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

# --- Installation (stamp files: a second run installs nothing) --------------------------------
$(VENV)/.installed: requirements.lock requirements-dev.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r requirements.lock -r requirements-dev.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

safeguard/static/dist/safeguard.css: node_modules/.installed $(wildcard safeguard/static_src/scss/*.scss)
	npm run --silent build

install: $(VENV)/.installed node_modules/.installed safeguard/static/dist/safeguard.css ## Create the venv and install pinned Python and npm dependencies

static: export SAFEGUARD_DEMO_MODE ?= 1
static: install ## Build the stylesheet and collect static files
	$(MANAGE) collectstatic --noinput -v0

migrate: install ## Apply database migrations
	@mkdir -p var
	$(MANAGE) migrate --noinput -v0

demo: migrate ## Load the synthetic demo data (idempotent)
	$(MANAGE) load_demo_data

# --- Running ----------------------------------------------------------------------------------
run: export SAFEGUARD_DEMO_MODE = 1
run: export DJANGO_DEBUG = 0
run: static migrate ## Install, migrate, load demo data, then serve on http://127.0.0.1:8000 with a task worker
	@$(MANAGE) load_demo_data
	@echo ""
	@echo "Safeguard is running at http://$(HOST):$(PORT)/  (workspace: http://$(HOST):$(PORT)/workspace/)"
	@echo "Press Ctrl+C to stop the web server and the task worker."
	@trap 'kill 0' INT TERM EXIT; \
	  $(MANAGE) run_worker & \
	  $(VENV)/bin/gunicorn safeguard.wsgi:application --bind $(HOST):$(PORT) --workers 2 --threads 4 \
	    --env DJANGO_SETTINGS_MODULE=safeguard.settings.base --access-logfile - --log-level warning & \
	  wait

# --- Tests ------------------------------------------------------------------------------------
test: install ## The whole suite: lint, SQLite, PostgreSQL, then the browser tests
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-e2e

test-sqlite: install ## Unit and integration tests on SQLite
	DATABASE_URL=sqlite:///var/test.sqlite3 $(VENV)/bin/pytest -p no:cacheprovider -m "not e2e" -n 2

test-postgres: install ## Unit and integration tests on PostgreSQL (a fresh database on 127.0.0.1:5432)
	@$(PY) scripts/check_postgres.py "$(PG_URL)/postgres"
	DATABASE_URL=$(PG_URL)/safeguard $(VENV)/bin/pytest -p no:cacheprovider -m "not e2e" -n 2 --create-db

test-e2e: install browser ## Browser tests (Playwright driving Debian's chromium, axe-core on every page)
	$(VENV)/bin/pytest -p no:cacheprovider -m e2e

browser: ## Install Debian's chromium for the browser tests if it is missing
	@bash scripts/ensure_chromium.sh

lint: install ## ruff (lint and format check), migrations check, Django system checks
	@mkdir -p var
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=safeguard.settings.test $(MANAGE) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=safeguard.settings.test $(MANAGE) check

format: install ## Format the code with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install ## Benchmarks on SQLite and PostgreSQL: pages, census import, indicators, data set (figures: docs/benchmarks.md)
	$(PY) scripts/bench.py
	@$(PY) scripts/check_postgres.py "$(PG_URL)/postgres"
	@psql "$(PG_URL)/postgres" -qc "DROP DATABASE IF EXISTS safeguard_bench" -c "CREATE DATABASE safeguard_bench" >/dev/null
	BENCH_DATABASE_URL=$(PG_URL)/safeguard_bench $(PY) scripts/bench.py
	@psql "$(PG_URL)/postgres" -qc "DROP DATABASE IF EXISTS safeguard_bench" -c "CREATE DATABASE safeguard_bench" >/dev/null
	$(PY) scripts/bench_census.py --children 50000 --database sqlite:///var/bench_census.sqlite3 --database $(PG_URL)/safeguard_bench
	DATABASE_URL=$(PG_URL)/safeguard_bench $(PY) scripts/bench_indicators.py
	$(PY) scripts/bench_dataset.py --database sqlite:///var/bench_dataset.sqlite3
	$(PY) scripts/bench_dataset.py --database $(PG_URL)/safeguard_bench

lock: ## Re-pin dependencies after editing requirements*.in
	@test -x $(VENV)/bin/pip-compile || $(PIP) install --quiet pip-tools
	$(VENV)/bin/pip-compile --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links --allow-unsafe -q -o requirements.lock requirements.in
	$(VENV)/bin/pip-compile --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links --allow-unsafe -q -o requirements-dev.lock requirements-dev.in

clean: ## Remove the venv, node_modules, built files and the local database
	rm -rf $(VENV) node_modules var safeguard/static/dist
