# The README's two promises: `make run` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
NODE_STAMP := node_modules/.installed
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test fuzz lint check-migrations serve-prod screenshots audit bench casebook-timing clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(RUNTIME_STAMP) $@

# Test tools from npm (axe-core, Nu Html Checker); without npm those checks are skipped with a notice.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "NOTICE: npm not found: accessibility (axe-core) and HTML validity (vnu) checks will be skipped."; fi

## run: install, migrate, seed (insert-only: keeps all data) and serve on http://127.0.0.1:8000 with SQLite
run: $(RUNTIME_STAMP)
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=true $(PY) manage.py seed
	@echo "Serving on http://$(HOST):$(PORT)/ (staff admin: http://$(HOST):$(PORT)/admin/)"
	DJANGO_DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

## test: lint, migration check, the whole suite on SQLite, and again on PostgreSQL when DATABASE_URL points at one
test: $(DEV_STAMP) $(NODE_STAMP) lint check-migrations
	@echo "== test suite on SQLite =="
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)
	@case "$${DATABASE_URL:-}" in \
	  postgres*) echo "== test suite on PostgreSQL ($${DATABASE_URL%%@*}@...) =="; $(PY) -m pytest $(PYTEST_ARGS);; \
	  *) echo "NOTICE: PostgreSQL run skipped; set DATABASE_URL=postgres://... to run the suite on PostgreSQL too.";; \
	esac

## fuzz: the no-500 property tests with 20,000 randomised requests per endpoint (make test runs 1,000, fixed seed)
fuzz: $(DEV_STAMP)
	env -u DATABASE_URL FUZZ_EXAMPLES=20000 FUZZ_RANDOM=1 $(PY) -m pytest -p no:logging tests/test_fuzz.py tests/test_applications_fuzz.py tests/test_portal_fuzz.py tests/test_staff_fuzz.py

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check-migrations: $(DEV_STAMP)
	env -u DATABASE_URL DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run

## serve-prod: the production command (needs DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL)
serve-prod: $(RUNTIME_STAMP)
	$(PY) manage.py collectstatic --noinput
	$(PY) manage.py migrate --noinput
	GUNICORN_BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn tracker.wsgi

## screenshots: listing and statistics pages at phone and desktop widths, into screenshots/ (not committed)
screenshots: $(DEV_STAMP)
	$(PY) scripts/site_check.py screenshots

## audit: Lighthouse (npm, on Debian's Chromium) on home, listing, detail and stats; scores into docs/audit.md
audit: $(DEV_STAMP)
	$(PY) scripts/site_check.py audit

## bench: wrk against the production gunicorn on 100,000 cases in PostgreSQL; docs/performance.md (ARGS=--sqlite)
bench: $(DEV_STAMP)
	$(PY) scripts/bench.py $(ARGS)

## casebook-timing: the casebook PDF of 100 published cases on a scratch SQLite database, timed (docs/casebook.md)
casebook-timing: $(DEV_STAMP)
	env -u DATABASE_URL $(PY) scripts/casebook_timing.py $(ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache node_modules
