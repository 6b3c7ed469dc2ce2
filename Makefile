# The commands the README promises. `make run` for the local demo, `make test` for the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test plugin-test lint format messages bench bench-import bench-search \
	bench-relevance bench-webhooks load backup restore fuzz services services-stop services-status \
	cluster cluster-stop cluster-status cluster-test clean

help:
	@echo "make run              install, migrate, load the demo, serve http://$(HOST):$(PORT) (SQLite)"
	@echo "make test             start the local services, lint, run the whole pytest suite"
	@echo "make fuzz             API fuzzing at length: schemathesis, every phase, 200 examples an"
	@echo "                      operation, as anonymous, buyer and provider (make test runs a"
	@echo "                      bounded pass); FUZZ_MAX_EXAMPLES, FUZZ_PHASES, FUZZ_SEED"
	@echo "make lint             ruff check, ruff format --check, and the import contracts"
	@echo "                      (lint-imports: the layering of DESIGN.md, pyproject.toml)"
	@echo "make format           ruff format and fix what ruff can"
	@echo "make messages         extract and compile the Chinese translations (needs gettext)"
	@echo "make bench            benchmarks (not part of make test): bench-import, bench-search,"
	@echo "                      bench-relevance, bench-webhooks, each on its own *bench* database;"
	@echo "                      JSON in var/bench/"
	@echo "make bench-import     bulk import of 1,000 providers through the importer (~12 min)"
	@echo "make bench-search     10,000 providers / 100,000 listings: reindex, API latency at 1/8/32"
	@echo "                      clients, database fallback, Wagtail's elasticsearch8 backend"
	@echo "make bench-relevance  mean nDCG@10 of the judged queries over the demo site"
	@echo "make bench-webhooks   signed Stripe events through the endpoint and a Celery worker"
	@echo "make load             locust: 50 users for 60 s (search, provider pages, jobs, RFQs,"
	@echo "                      quotes) against gunicorn and a Celery worker, DEBUG and rate limits"
	@echo "                      off, on a fresh *load* database; p50/p95/p99 and errors by endpoint"
	@echo "                      group, JSON in var/bench/; fails on any failed request"
	@echo "make backup           pg_dump of the database, the uploaded files and a manifest, in"
	@echo "                      $(BACKUP_DIR)/<database>-<time>/ (DATABASE_URL and"
	@echo "                      DJANGO_SETTINGS_MODULE as in your environment)"
	@echo "make restore FILE=... restore that backup (its folder, manifest or dump) and check the"
	@echo "                      counts; RESTORE_ARGS='--clean --reindex' to replace a database"
	@echo "                      that has tables and rebuild the search indexes"
	@echo "make services         install and start PostgreSQL, Redis, Elasticsearch, Stripe emulators"
	@echo "make services-stop    stop them"
	@echo "make services-status  print each service's state and port"
	@echo "make cluster          the cluster layout: 3 Elasticsearch nodes (9201-9203), a PostgreSQL"
	@echo "                      replica (5433), Celery workers for payments and for search, beat"
	@echo "make cluster-stop     stop it (the services stay up)"
	@echo "make cluster-status   print each cluster process's state"
	@echo "make cluster-test     start the cluster, run its fault tests (make test runs them too)"

# What WeasyPrint renders the deal documents with: Pango, and fonts that carry Chinese.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk
# The virtualenv is rebuilt only when pyproject.toml changes.
$(INSTALLED): pyproject.toml
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || sudo apt-get install -y -q python3-venv
	@dpkg -s $(PDF_PACKAGES) >/dev/null 2>&1 || { echo "installing Pango and CJK fonts for PDFs (apt-get)"; \
		sudo apt-get install -y -q $(PDF_PACKAGES) >/dev/null; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing Python dependencies into $(VENV)"
	@$(BIN)/pip install -q -e '.[dev]' --config-settings editable_mode=compat
	@touch $@

install: $(INSTALLED)

# Quiet on purpose: what a newcomer needs is the address and the logins (the last lines before the
# server's own banner). SITE_URL follows HOST and PORT so every printed link is the one served.
run: export SITE_URL = http://$(HOST):$(PORT)
run: install
	@echo "migrating the local database (SQLite: db.sqlite3)"
	@$(BIN)/python manage.py migrate --noinput -v 0
	@$(BIN)/python manage.py load_demo
	@$(BIN)/python manage.py search_reindex --if-available --quiet-progress
	@$(BIN)/python manage.py load_demo --logins
	@$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite on PostgreSQL, then the payment tests and the database search engine's tests
# again on SQLite, the database `make run` serves the demo with (FTS5 there, not PostgreSQL's
# full-text search; what passes on one and not the other shows; row-lock tests stay out).
test: install services lint plugin-test
	$(BIN)/pytest
	$(BIN)/pytest -p no:cacheprovider --ds=marketplace.settings.test_sqlite -m "not postgresql" \
		tests/payments tests/search/test_text.py
	$(BIN)/pytest -p no:cacheprovider --ds=marketplace.settings.test_sqlite -m "not postgresql" \
		tests/search -k "database" 
	@$(MAKE) --no-print-directory cluster-test

# The fault tests of the cluster layout (tests/cluster): kill an Elasticsearch node under searches
# and a reindex, stop the replica under reads, kill a Celery worker in a burst of webhook events.
# Figures in var/cluster/. The cluster stays up afterwards, as the services do.
cluster-test: install services
	@bash .ci/cluster.sh start
	$(BIN)/pytest -p no:cacheprovider tests/cluster

# The fuzz tests (tests/fuzz/) with far more examples and every generation phase; the summary at
# the end gives the cases and failures for each caller, output and reports go to var/fuzz/.
FUZZ_MAX_EXAMPLES ?= 200
FUZZ_PHASES ?= examples,coverage,fuzzing,stateful

fuzz: install services
	FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) FUZZ_PHASES=$(FUZZ_PHASES) $(BIN)/pytest -m fuzz tests/fuzz

# Unit tests of the Elasticsearch analysis plugin (search/es-plugin), in Java.
plugin-test:
	mvn -q -B -f search/es-plugin/pom.xml test

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks write JSON under var/bench/, each on its own throwaway database (refused unless its
# name contains "bench") and, for search, its own index prefix; the bench indexes are deleted at
# the end, the databases kept (bench-search reuses a corpus of the same size).
BENCH_PROVIDERS ?= 1000
BENCH_DATABASE_URL ?= postgres://marketplace:marketplace@127.0.0.1:5432/marketplace_bench
BENCH_SEARCH_PROVIDERS ?= 10000
BENCH_SERVICES_PER_PROVIDER ?= 10
BENCH_SEARCH_DATABASE_URL ?= postgres://marketplace:marketplace@127.0.0.1:5432/marketplace_bench_search
BENCH_RELEVANCE_DATABASE_URL ?= postgres://marketplace:marketplace@127.0.0.1:5432/marketplace_bench_relevance
BENCH_INDEX_PREFIX ?= bench
BENCH_SEARCH_ARGS ?=

bench: bench-import bench-search bench-relevance bench-webhooks

bench-import: install services
	DJANGO_SETTINGS_MODULE=marketplace.settings DATABASE_URL=$(BENCH_DATABASE_URL) \
		$(BIN)/python tests/bench/import_providers.py --providers $(BENCH_PROVIDERS) \
		--services-per-provider 5 --fresh

bench-search: install services
	DJANGO_SETTINGS_MODULE=marketplace.settings DATABASE_URL=$(BENCH_SEARCH_DATABASE_URL) \
		ELASTICSEARCH_INDEX_PREFIX=$(BENCH_INDEX_PREFIX) \
		$(BIN)/python tests/bench/search_bench.py --providers $(BENCH_SEARCH_PROVIDERS) \
		--services-per-provider $(BENCH_SERVICES_PER_PROVIDER) $(BENCH_SEARCH_ARGS)

BENCH_WEBHOOKS_DATABASE_URL ?= postgres://marketplace:marketplace@127.0.0.1:5432/marketplace_bench_webhooks
BENCH_WEBHOOK_MILESTONES ?= 200

bench-webhooks: install services
	DJANGO_SETTINGS_MODULE=marketplace.settings DATABASE_URL=$(BENCH_WEBHOOKS_DATABASE_URL) \
		$(BIN)/python tests/bench/webhook_bench.py --milestones $(BENCH_WEBHOOK_MILESTONES)

bench-relevance: install services
	DJANGO_SETTINGS_MODULE=marketplace.settings DATABASE_URL=$(BENCH_RELEVANCE_DATABASE_URL) \
		ELASTICSEARCH_INDEX_PREFIX=$(BENCH_INDEX_PREFIX)-relevance \
		$(BIN)/python tests/bench/relevance_report.py

# Load: locust against gunicorn on loopback, on its own database (recreated each run, refused
# unless its name contains "load") and index prefix. LOAD_USERS, LOAD_SPAWN_RATE, LOAD_RUN_TIME,
# LOAD_BUYERS, LOAD_THINK, LOAD_WORKERS, LOAD_THREADS override the scenario's defaults.
LOAD_DATABASE_URL ?= postgres://marketplace:marketplace@127.0.0.1:5432/marketplace_load
LOAD_INDEX_PREFIX ?= load-marketplace
LOAD_ARGS ?=

load: install services
	DJANGO_SETTINGS_MODULE=marketplace.settings DATABASE_URL=$(LOAD_DATABASE_URL) \
		ELASTICSEARCH_INDEX_PREFIX=$(LOAD_INDEX_PREFIX) \
		$(BIN)/python tests/bench/load/load_run.py $(LOAD_ARGS)

# Backups of the site the environment describes: no settings are set here, so DATABASE_URL,
# MEDIA_ROOT, PRIVATE_MEDIA_ROOT and DJANGO_SETTINGS_MODULE (marketplace.settings.production on a
# server) are the ones the site runs with.
BACKUP_DIR ?= var/backups
RESTORE_ARGS ?=

backup: install
	$(BIN)/python manage.py backup --to $(BACKUP_DIR)

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=$(BACKUP_DIR)/<backup>/manifest.json" \
		"[RESTORE_ARGS='--clean --reindex']" >&2; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)" $(RESTORE_ARGS)

messages: install
	@command -v msgfmt >/dev/null || sudo apt-get install -y -q gettext
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests --ignore=staticfiles
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

services:
	@bash .ci/services.sh start

# The cluster layout on this machine (.ci/cluster.sh): three Elasticsearch nodes, a PostgreSQL
# streaming replica, a Celery worker for payments and one for search, and beat.
cluster: install services
	@bash .ci/cluster.sh start

cluster-stop:
	@bash .ci/cluster.sh stop

cluster-status:
	@bash .ci/cluster.sh status

services-stop:
	@bash .ci/services.sh stop

services-status:
	@bash .ci/services.sh status

clean:
	rm -rf $(VENV) staticfiles var db.sqlite3 .pytest_cache .ruff_cache
