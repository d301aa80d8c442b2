# Preuves — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATABASE_TASKS := django_tasks_db.DatabaseBackend

.PHONY: install run test lint format messages browsers clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 est requis ($(PYTHON) introuvable) : make PYTHON=/chemin/vers/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[test]"
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_referentiel
	$(BIN)/python manage.py demo
	@# Heavy work runs as jobs in a database worker beside the web server (stopped with it); the
	@# jobs a previous run left unfinished are queued again first.
	export DJANGO_TASKS_BACKEND=$(DATABASE_TASKS); \
	$(BIN)/python manage.py jobs_resume --stale-after 0 && \
	{ $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:8000; }

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null || { echo "Des migrations manquent : python manage.py makemigrations"; exit 1; }
	$(BIN)/pytest $(PYTEST_ARGS)

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
