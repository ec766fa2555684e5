# Everyday commands: `make run` starts every Cerdas process locally, `make test` runs the suites.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
# Reinstalling is slow, so it happens only when the dependency list changes.
STAMP := $(VENV)/.installed
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
PYTEST_ARGS ?=

.PHONY: help venv run test lint clean

help:
	@echo "make venv   create $(VENV) and install Cerdas with its dev tools"
	@echo "make run    start Redis, the SMTP sink, the four APIs, their workers and beat (Ctrl-C stops all)"
	@echo "make test   run the test suites (extra pytest options: PYTEST_ARGS='-k smtp')"
	@echo "make lint   ruff"
	@echo "make clean  remove caches and build output (keeps $(VENV) and var/)"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { test -n "$(PYTHON)" || { echo "python3.11 or python3 is required" >&2; exit 1; }; \
		echo "creating $(VENV) with $(PYTHON)"; "$(PYTHON)" -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# The embedded run: SQLite files, Redis and the SMTP sink of its own under var/, on ports
# 6390 and 8025, so it never touches a Redis or PostgreSQL already serving 6379 or 5432.
# Migrations read deploy/local.env exactly as the processes do, so both see the same databases.
run: venv
	mkdir -p var
	$(BIN)/honcho run -e deploy/local.env $(BIN)/cerdas migrate
	export PATH="$(CURDIR)/$(BIN):$$PATH" && exec $(BIN)/honcho start -f Procfile -e deploy/local.env

test: venv
	$(BIN)/pytest -p no:cacheprovider -q -ra $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .

# var/ holds the embedded run's data (databases, queues, mail); remove it by hand to start afresh.
clean:
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis build dist *.egg-info
