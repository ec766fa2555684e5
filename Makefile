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
# Settings already in your environment win over deploy/local.env; pointing CERDAS_BROKER_URL or
# CERDAS_SMTP_URL elsewhere also leaves out the embedded Redis or SMTP sink.
run: venv
	mkdir -p var
	@grep -E '^[A-Z_]+=' deploy/local.env | while IFS='=' read -r key value; do \
		[ -n "$${!key+set}" ] || echo "$$key=$$value"; done > var/run.env
	$(BIN)/honcho run -e var/run.env $(BIN)/cerdas migrate
	@procs=$$(grep -oE '^[a-z-]+' Procfile); \
	[ -z "$${CERDAS_BROKER_URL:-}" ] || procs=$$(echo "$$procs" | grep -vx redis); \
	[ -z "$${CERDAS_SMTP_URL:-}" ] || procs=$$(echo "$$procs" | grep -vx smtp); \
	export PATH="$(CURDIR)/$(BIN):$$PATH" && exec $(BIN)/honcho start -f Procfile -e var/run.env $$procs

test: venv
	$(BIN)/pytest -p no:cacheprovider -q -ra $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .

# var/ holds the embedded run's data (databases, queues, mail); remove it by hand to start afresh.
clean:
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis build dist *.egg-info
