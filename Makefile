# riecycle — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format install node-deps system-deps app-deps translations extract translations-update db seed serve scheduler bench migration clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP) translations

# Node packages for the test suite only (package.json: axe-core, oidc-provider), pinned by
# package-lock.json. The app itself needs no Node.js.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

node-deps: $(NODE_STAMP)

# Debian packages the app and the tests need: Pango for WeasyPrint (the PDF report) and
# poppler-utils to read it back; Chromium for browser tests, PostgreSQL server binaries,
# LibreOffice Calc (headless) to print the evidence workbook to PDF, Node.js for axe-core and the
# OpenID provider of the single sign-on tests.
system-deps:
	@need=""; \
	ldconfig -p | grep -q libpango-1.0 || need="$$need libpango-1.0-0"; \
	ldconfig -p | grep -q libpangoft2-1.0 || need="$$need libpangoft2-1.0-0"; \
	command -v pdftotext >/dev/null || need="$$need poppler-utils"; \
	command -v npm >/dev/null || need="$$need nodejs npm"; \
	test -x /usr/bin/chromium || need="$$need chromium"; \
	command -v soffice >/dev/null || need="$$need libreoffice-calc-nogui"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || need="$$need postgresql"; \
	if [ -n "$$need" ]; then \
	  echo "Installing:$$need"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	fi

# What `make run` needs from Debian: Pango for WeasyPrint (the PDF report).
app-deps:
	@need=""; \
	ldconfig -p | grep -q libpango-1.0 || need="$$need libpango-1.0-0"; \
	ldconfig -p | grep -q libpangoft2-1.0 || need="$$need libpangoft2-1.0-0"; \
	if [ -n "$$need" ]; then \
	  echo "Installing:$$need"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	fi

translations: $(STAMP)
	$(BIN)/pybabel -q compile -d riecycle/translations

# The gettext functions the source uses, besides Babel's defaults (_, gettext, ngettext, pgettext,
# npgettext). tests/test_translations.py reads this line, so the test extracts exactly what
# `make extract` does.
BABEL_KEYWORDS := -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 -k lazy_npgettext:1c,2,3
POT := riecycle/translations/messages.pot

# Every marked string (python, .html and .txt templates, see babel.cfg) into messages.pot.
extract: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg $(BABEL_KEYWORDS) -o $(POT) \
	  --project riecycle --version 1.0 \
	  --header-comment=$$'# Translations template for riecycle (Dutch msgids).\n# Made by `make extract` from the source: do not edit by hand.\n#' .

# extract, then merge messages.pot into every language's messages.po: new strings get an empty
# msgstr (no fuzzy guesses: Babel's were mostly wrong), strings gone from the source are dropped.
# Translate the empty ones; tests/test_translations.py fails until every msgid has a non-fuzzy
# translation. Then `make translations` compiles the .mo files.
translations-update: extract
	$(BIN)/pybabel update -i $(POT) -d riecycle/translations --no-fuzzy-matching --ignore-obsolete

db: install app-deps
	$(FLASK) db upgrade

seed: db
	$(FLASK) seed demo

serve:
	$(FLASK) run --host $(HOST) --port $(PORT)

# The web server and the reminder scheduler (its own process), stopped together.
run: seed
	@echo "riecycle draait op http://$(HOST):$(PORT) — inloggen met bijvoorbeeld preventie@demo.riecycle.nl / riecycle-demo"
	@trap 'kill 0' EXIT INT TERM; \
	if $(FLASK) scheduler --help >/dev/null 2>&1; then $(FLASK) scheduler & fi; \
	$(FLASK) run --host $(HOST) --port $(PORT)

# The suite in parallel (pytest-xdist): one worker per core, at most 4; each worker starts its
# own PostgreSQL cluster and takes its ports from its own range (tests/support/ports.py).
# TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)

test: install system-deps node-deps
	$(BIN)/pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

# ruff, then pyright in basic mode over riecycle/models and riecycle/services ([tool.pyright] in
# pyproject.toml). The pyright package runs on the machine's Node.js.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pyright

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# New migration from the models: make migration m="what changed"
migration: install
	rm -f /tmp/riecycle-migration.sqlite
	RIECYCLE_DATABASE_URL=sqlite:////tmp/riecycle-migration.sqlite $(FLASK) db upgrade
	RIECYCLE_DATABASE_URL=sqlite:////tmp/riecycle-migration.sqlite $(FLASK) db migrate -m "$(m)"

# Benchmark (bench/): generates the scenarios and measures on SQLite and PostgreSQL (~10 min on
# 2 cores); writes bench/results/latest.json and latest.md. Needs wrk (installed here when missing).
bench: install system-deps
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache
