# Two commands from a fresh clone: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)

.PHONY: run test lint format bench stop browser-deps clean-db messages gettext-deps

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $@

## Start everything: embedded PostgreSQL (unless DATABASE_URL is set), migrations, demo tenant, web + worker.
run: $(STAMP)
	@$(BIN)/python -m erp.launcher run

## The whole suite (lint, unit, view and browser tests) against a throw-away database.
test: $(STAMP) lint browser-deps
	@$(BIN)/python -m erp.launcher test $(PYTEST_ARGS)

lint: $(STAMP)
	@$(BIN)/ruff check erp tests
	@$(BIN)/ruff format --check erp tests
	@$(BIN)/djlint templates --lint --quiet

format: $(STAMP)
	@$(BIN)/ruff check --fix erp tests
	@$(BIN)/ruff format erp tests

## Chromium for the browser tests: Debian's package, installed with apt when possible.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      echo "Installing Debian's chromium for the browser tests…"; \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
	      { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; } || \
	      echo "Could not install chromium: browser tests will be skipped (or fail under ERP_REQUIRE_BROWSER=1)."; \
	    else echo "chromium not found: browser tests will be skipped (or fail under ERP_REQUIRE_BROWSER=1)."; fi; }

## Translations: update locale/de/LC_MESSAGES/django.po from the sources and compile django.mo.
## Translate the new entries in django.po, run it again, commit both files. The running
## application only reads the committed django.mo: GNU gettext is needed here, nowhere else.
MESSAGES_OPTIONS := --locale de --ignore 'var/*' --ignore 'tests/*' --ignore 'static/*' --add-location file --no-obsolete
messages: $(STAMP) gettext-deps
	@DATABASE_URL=$${DATABASE_URL:-postgres://unused/unused} $(BIN)/python manage.py makemessages $(MESSAGES_OPTIONS)
	@DATABASE_URL=$${DATABASE_URL:-postgres://unused/unused} $(BIN)/python manage.py compilemessages --locale de --ignore '.venv' --ignore 'var'

gettext-deps:
	@command -v msgfmt >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      echo "Installing Debian's gettext for the translation catalogues…"; \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -q gettext >/dev/null 2>&1 || \
	      { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q gettext >/dev/null 2>&1; }; \
	    fi; \
	    command -v msgfmt >/dev/null 2>&1 || { echo "GNU gettext is missing: install it (apt-get install gettext)."; exit 1; }; }

## Benchmarks (tests/benchmarks): tenant creation, page latency, …
bench: $(STAMP)
	@$(BIN)/python -m erp.launcher bench $(BENCH_ARGS)

## Stop the embedded PostgreSQL (it keeps running between `make run`s).
stop: $(STAMP)
	@$(BIN)/python -m erp.launcher stop
