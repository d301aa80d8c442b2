# Preuves — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATABASE_TASKS := django_tasks_db.DatabaseBackend

.PHONY: install run test test-db checks lint format messages browsers clean screenshots prod-smoke restore-drill

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 est requis ($(PYTHON) introuvable) : make PYTHON=/chemin/vers/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[test]"
	@touch $(STAMP)

install: $(STAMP)

# make run HOST=0.0.0.0 PORT=8001: where the server listens. The links the demo prints and the
# e-mails carry use PREUVES_SITE_URL, taken from HOST and PORT unless already set.
HOST ?= 127.0.0.1
PORT ?= 8000
comma := ,
SITE_URL := $(if $(PREUVES_SITE_URL),$(PREUVES_SITE_URL),http://$(HOST):$(PORT))
ALLOWED_HOSTS := $(if $(DJANGO_ALLOWED_HOSTS),$(DJANGO_ALLOWED_HOSTS),127.0.0.1$(comma)localhost$(comma)$(HOST))

run: $(STAMP)
	@# Heavy work runs as jobs in a database worker beside the web server (stopped with it); the
	@# jobs a previous run left unfinished are queued again first.
	export PREUVES_SITE_URL='$(SITE_URL)' DJANGO_ALLOWED_HOSTS='$(ALLOWED_HOSTS)'; \
	$(BIN)/python manage.py migrate --no-input && \
	$(BIN)/python manage.py load_referentiel && \
	$(BIN)/python manage.py demo && \
	export DJANGO_TASKS_BACKEND=$(DATABASE_TASKS) && \
	$(BIN)/python manage.py jobs_resume --stale-after 0 && \
	{ $(BIN)/python manage.py jobs_worker --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT); }

# Retake the README's screenshots on a throw-away mid-season demo centre (needs Chromium).
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

# The suite on as many processes as the machine has cores (pytest-xdist, one test database
# each), then the browser tests in one process (one Chromium at a time keeps them steady).
# `make test-db` is the part that reads or writes the database: CI runs it a second time on
# PostgreSQL; the browser tests exercise the pages, not the database, and run once.
JOBS ?= auto

test: checks
	$(BIN)/pytest -n $(JOBS) -m "not browser and not smoke" $(PYTEST_ARGS)
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

test-db: checks
	$(BIN)/pytest -n $(JOBS) -m "not browser and not smoke" $(PYTEST_ARGS)

checks: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null || { echo "Des migrations manquent : python manage.py makemigrations"; exit 1; }

# The restore drill (docs/backups.md): a mid-season demo centre in PostgreSQL (the server of
# DATABASE_URL, else 127.0.0.1:5432) and S3 (moto's server) is backed up, restored into a second
# database and bucket, and checked there: verify_manifests, verify_audit, row counts, the audit
# trigger. Both databases are dropped at the end.
restore-drill: $(STAMP)
	$(BIN)/python scripts/restore_drill.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract, then compile: the .mo is committed (nothing compiles it at deploy time) and a test
# checks that it matches the .po. Needs GNU gettext (msgfmt).
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=tests --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var/test-* .pytest_cache .ruff_cache

# The production topology on this machine (nginx, two gunicorn, a worker, PostgreSQL, moto's S3
# server, clamd), gone through over HTTPS; then the same with the scanner stopped must fail.
prod-smoke: $(STAMP)
	$(BIN)/python scripts/prod_smoke.py
	$(BIN)/pytest -p no:cacheprovider -m smoke tests/scripts/test_prod_smoke.py
