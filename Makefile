# The commands the README promises. `make run` for the local demo, `make test` for the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test plugin-test lint format messages bench services services-stop services-status clean

help:
	@echo "make run              install, migrate, load the demo, serve http://$(HOST):$(PORT) (SQLite)"
	@echo "make test             start the local services, lint, run the whole pytest suite"
	@echo "make lint             ruff check and ruff format --check"
	@echo "make format           ruff format and fix what ruff can"
	@echo "make messages         extract and compile the Chinese translations (needs gettext)"
	@echo "make bench            benchmarks (not part of make test): bulk import of 1,000 providers"
	@echo "make services         install and start PostgreSQL, Redis, Elasticsearch, Stripe emulators"
	@echo "make services-stop    stop them"
	@echo "make services-status  print each service's state and port"

# The virtualenv is rebuilt only when pyproject.toml changes.
$(INSTALLED): pyproject.toml
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || sudo apt-get install -y -q python3-venv
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing Python dependencies into $(VENV)"
	@$(BIN)/pip install -q -e '.[dev]' --config-settings editable_mode=compat
	@touch $@

install: $(INSTALLED)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py search_reindex --if-available
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install services lint plugin-test
	$(BIN)/pytest

# Unit tests of the Elasticsearch analysis plugin (search/es-plugin), in Java.
plugin-test:
	mvn -q -B -f search/es-plugin/pom.xml test

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks write JSON under var/bench/. The import benchmark uses its own database.
BENCH_PROVIDERS ?= 1000
BENCH_DATABASE_URL ?= postgres://marketplace:marketplace@127.0.0.1:5432/marketplace_bench

bench: install services
	DJANGO_SETTINGS_MODULE=marketplace.settings DATABASE_URL=$(BENCH_DATABASE_URL) \
		$(BIN)/python tests/bench/import_providers.py --providers $(BENCH_PROVIDERS) \
		--services-per-provider 5 --fresh

messages: install
	@command -v msgfmt >/dev/null || sudo apt-get install -y -q gettext
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests --ignore=staticfiles
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

services:
	@bash .ci/services.sh start

services-stop:
	@bash .ci/services.sh stop

services-status:
	@bash .ci/services.sh status

clean:
	rm -rf $(VENV) staticfiles var db.sqlite3 .pytest_cache .ruff_cache
