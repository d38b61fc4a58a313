# Jembatan: the newcomer's commands. `make run` and `make test` are all you need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: help venv install system-deps migrate data run test test-sqlite test-postgres lint typecheck messages vendor check-deploy bench clean

help:
	@echo "make run      – install, migrate, load reference + demo data, start web + worker"
	@echo "make test     – the whole test suite (SQLite; DATABASE_URL=postgres://… for PostgreSQL)"
	@echo "make lint     – ruff and mypy"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Jembatan needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.installed: $(PY) requirements/base.lock requirements/dev.lock
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements/base.lock -r requirements/dev.lock
	@touch $@

venv install: $(VENV)/.installed

# Debian packages the project needs at run time (PDF fonts) and in tests (Chromium).
system-deps:
	@bash scripts/system-deps.sh

migrate: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput

data: migrate
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_consular_policies
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_demo_missions
	$(PY) manage.py seed_demo_cases
	$(PY) manage.py seed_demo_portal  # contacts first, so dispatched demo notices are e-mailed
	$(PY) manage.py seed_demo_traffic
	$(PY) manage.py seed_demo_notifications
	$(PY) manage.py seed_demo_portal

run: data
	$(PY) manage.py collectstatic --noinput -v0
	@PORT=$(PORT) $(PY) scripts/run.py

test: install system-deps
	@mkdir -p var
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy jembatan config

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Compile the Indonesian/English catalogues (the .mo files are committed; run after editing .po).
messages: install
	cd jembatan && for app in */; do if [ -d "$$app/locale" ]; then (cd $$app && ../../$(PY) ../../manage.py compilemessages -v0); fi; done

# Copy front-end libraries from npm into static/vendor (committed; run when package.json changes).
vendor:
	cd frontend && npm ci --no-audit --no-fund
	bash scripts/vendor-assets.sh

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.django.production SECRET_KEY=$$(openssl rand -hex 40) ALLOWED_HOSTS=jembatan.example.go.id \
	  $(PY) manage.py check --deploy --fail-level WARNING

# The traffic import benchmark (docs/benchmarks.md): BENCH_ROWS=10000000 for 10M rows;
# DATABASE_URL=postgres://… to run it on a fresh PostgreSQL database `<name>_bench`.
bench: install
	@mkdir -p var/bench
	$(PY) scripts/bench_traffic.py

clean:
	rm -rf var/test-*.sqlite3 staticfiles .pytest_cache .mypy_cache .ruff_cache
