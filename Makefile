# civicgrid — set-up and everyday commands. Two commands on a fresh clone: `make demo`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 2

.PHONY: install lock demo serve test test-only lint format bench-demo-load bench-rq-warm bench-prepared bench-working-hours bench-first-recent bench-locate bench-photos bench-intake bench-dashboard bench-lists bench-city cluster-test clean-demo messages

# constraints.txt pins every Python package to the versions the suite last passed with (`make
# lock` writes it again from a fresh resolution of pyproject.toml's ranges).
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

# A new constraints.txt: the newest versions pyproject.toml's ranges allow (test and bench extras
# too), resolved in a scratch virtualenv; run the suite before committing it.
lock:
	rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet --upgrade pip
	var/lock-venv/bin/pip install --quiet -e ".[test,bench]"
	( echo "# Written by make lock on $$(date -u +%F) for Python $$(var/lock-venv/bin/python -c 'import platform; print(platform.python_version())'): the versions the suite passed with."; \
	  var/lock-venv/bin/pip freeze --exclude-editable | sort -f ) > constraints.txt
	rm -rf var/lock-venv

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

# Installs, migrates the SQLite default, loads the demo street (once: a second run keeps the data),
# prints the logins, and runs the web server on $(HOST):$(PORT) with the task worker beside it.
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_street --if-empty
	$(PY) manage.py demo_logins
	./scripts/serve-demo $(HOST) $(PORT)

serve: install
	./scripts/serve-demo $(HOST) $(PORT)

test: install test-only

test-only:
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal -q $(PYTEST_ARGS)

# ruff, the layers contract (import-linter, [tool.importlinter] in pyproject.toml), Django's checks.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# English catalogue (zh-hans is the source language): extracts new strings into
# civicgrid/locale/en/LC_MESSAGES/django.po and compiles django.mo. Needs GNU gettext
# (apt-get install gettext) — only here: both files are committed, so running the app does not.
# Translate every new entry (core/tests/test_i18n.py fails on untranslated or fuzzy ones).
I18N_IGNORE := --ignore=.venv --ignore=node_modules --ignore=var
messages: $(STAMP)
	$(PY) manage.py makemessages -l en $(I18N_IGNORE)
	$(PY) manage.py compilemessages -l en $(I18N_IGNORE)

$(VENV)/.bench-stamp: $(STAMP)
	$(PIP) install --quiet -c constraints.txt -e ".[test,bench]"
	touch $@

bench-locate: $(VENV)/.bench-stamp
	$(PY) bench/locate.py

# One hostile 7000×7000 photo upload: reduced-scale decode vs a full decode, in the same run.
bench-photos: $(STAMP)
	$(PY) bench/photos.py

# Needs a local PostgreSQL (BENCH_DATABASE_URL; the database is created if missing) and starts
# its own gunicorn on a free loopback port; BENCH_ARGS e.g. "--seconds 5 --clients 16".
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/civicgrid_bench
BENCH_ARGS ?=
bench-intake: $(VENV)/.bench-stamp
	$(PY) bench/intake.py --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

# Dashboard figures from the rollups vs DuckDB scanning the same cases in Parquet: 10M synthetic
# cases generated in SQL on a local PostgreSQL (database created if missing); ~7 min on 2 cores.
# BENCH_DASHBOARD_ARGS e.g. "--cases 200000" for a quick run.
BENCH_DASHBOARD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/civicgrid_bench_dashboard
BENCH_DASHBOARD_ARGS ?=
bench-dashboard: $(VENV)/.bench-stamp
	$(PY) bench/dashboard.py --database-url $(BENCH_DASHBOARD_DATABASE_URL) $(BENCH_DASHBOARD_ARGS)

bench-dispatch: $(STAMP)
	$(PY) bench/dispatch.py

# The default demo load on SQLite, this tree against another revision in turn (BENCH_AGAINST, HEAD).
BENCH_AGAINST ?= HEAD
bench-demo-load: $(STAMP)
	$(PY) bench/demo_load.py --against $(BENCH_AGAINST)

# Dispatch top-1 against char TF-IDF + SVM over seeds 0–3 on both development files (same folds).
bench-dispatch-seeds: $(STAMP)
	$(PY) bench/dispatch_seeds.py

# RQ jobs (smart dispatch's suggestions) with civicgrid's warmed worker against RQ's own, on a copy
# of the demo street's database (make demo first) and Redis db 13.
bench-rq-warm: $(STAMP)
	$(PY) bench/rq_warm.py

# An intake with PostgreSQL's prepared statements (DB_PREPARE=5) vs without (0), alternating.
bench-prepared: $(VENV)/.bench-stamp
	$(PY) bench/prepared.py --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

# Working hours over long spans: whole days summed against the day-by-day walk (no database).
bench-working-hours: $(STAMP)
	$(PY) bench/working_hours.py

# 未诉先办: the hourly job over the recent cases against the full rebuild (bench/first_recent.py).
bench-first-recent: $(VENV)/.bench-stamp
	$(PY) bench/first_recent.py $(BENCH_FIRST_RECENT_ARGS)

# Case lists: a page of 50 through the app against one SQL query + json.dumps, first and deep
# pages (bench/lists.py); 1M cases by default, BENCH_LISTS_ARGS e.g. "--cases 10000000".
BENCH_LISTS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/civicgrid_bench_lists
BENCH_LISTS_ARGS ?=
bench-lists: $(VENV)/.bench-stamp
	$(PY) bench/lists.py --database-url $(BENCH_LISTS_DATABASE_URL) $(BENCH_LISTS_ARGS)

# A city's day on the two-node cluster of cluster-test (bench/city.py): intake at 3 cases/s, 50 staff
# on queues and cases, leaders on the dashboard, the deadline scan, over 1M generated cases (10M is
# the issue's scale) in a database kept between runs (civicgrid_bench_city); p50/p99 per page, last
# line city_p99_ratio_vs_hello=<x>. Needs what cluster-test needs. BENCH_CITY_ARGS e.g. "--cases 100000".
BENCH_CITY_ARGS ?=
bench-city: $(VENV)/.bench-stamp
	$(PY) bench/city.py $(BENCH_CITY_ARGS)

# The several-machines proof (docs/deploy.md): nginx, two app nodes, two RQ workers, PostgreSQL,
# Redis, moto S3 and an SMS sink on 127.0.0.1; kill -9 of a node and a worker under load; PASS or
# FAIL. Needs nginx, PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379; it
# flushes database 13 only). Not part of `make test`. CLUSTER_ARGS e.g. "--seconds 30 --keep".
CLUSTER_ARGS ?=
cluster-test: $(STAMP)
	$(PY) scripts/cluster/run.py $(CLUSTER_ARGS)

clean-demo:
	rm -f var/civicgrid.sqlite3 var/civicgrid.sqlite3-wal var/civicgrid.sqlite3-shm
