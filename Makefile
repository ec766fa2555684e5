# Everyday commands: `make run` starts every Cerdas process locally, `make test` runs the suites.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
# Pinned, hashed dependencies: runtime.lock is what the image installs, dev.lock adds the test and
# lint tools on the same runtime versions. Both are compiled from pyproject.toml by `make lock`.
RUNTIME_LOCK := requirements/runtime.lock
DEV_LOCK := requirements/dev.lock
# Reinstalling is slow, so it happens only when the lock or pyproject.toml changes.
STAMP := $(VENV)/.installed
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
PYTEST_ARGS ?=
LOCK_FLAGS := --generate-hashes --universal --python-version 3.11 --quiet --custom-compile-command 'make lock'

.PHONY: help venv lock run test lint secrets clean

help:
	@echo "make venv     create $(VENV) and install Cerdas with its dev tools from $(DEV_LOCK)"
	@echo "make lock     recompile $(RUNTIME_LOCK) and $(DEV_LOCK) from pyproject.toml"
	@echo "make run      start Redis, the SMTP sink, the four APIs, their workers and beat (Ctrl-C stops all)"
	@echo "make test     run the test suites (extra pytest options: PYTEST_ARGS='-k smtp')"
	@echo "make lint     ruff"
	@echo "make secrets  create the secret files docker-compose.yml mounts (deploy/secrets/)"
	@echo "make clean    remove caches and build output (keeps $(VENV) and var/)"

venv: $(STAMP)

# pip alone installs the lock (no other tool is needed on a fresh machine), refusing any file whose
# hash is not in it. Cerdas itself goes in last, editable and without dependencies, so nothing
# outside the lock is ever resolved; its build backend (setuptools) comes from the lock too.
$(STAMP): $(DEV_LOCK) pyproject.toml
	@test -x $(BIN)/python || { test -n "$(PYTHON)" || { echo "python3.11 or python3 is required" >&2; exit 1; }; \
		echo "creating $(VENV) with $(PYTHON)"; "$(PYTHON)" -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

# uv comes from the dev lock; the runtime lock is compiled first and constrains the dev one, so both
# carry the same version of every package they share.
lock: venv
	$(BIN)/uv pip compile pyproject.toml requirements/build.in $(LOCK_FLAGS) -o $(RUNTIME_LOCK)
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --extra dev -c $(RUNTIME_LOCK) $(LOCK_FLAGS) -o $(DEV_LOCK)

# The embedded run: SQLite files, Redis and the SMTP sink of its own under var/, on ports
# 6390 and 8025, so it never touches a Redis or PostgreSQL already serving 6379 or 5432.
# Migrations read var/run.env exactly as the processes do, so both see the same databases.
# Settings already in your environment win over deploy/local.env. The broker and SMTP URLs follow
# CERDAS_REDIS_PORT and CERDAS_SMTP_PORT; pointing CERDAS_BROKER_URL or CERDAS_SMTP_URL elsewhere
# leaves out the embedded Redis or SMTP sink.
run: venv
	mkdir -p var
	$(BIN)/python deploy/run_env.py deploy/local.env > var/run.env
	$(BIN)/honcho run -e var/run.env $(BIN)/cerdas migrate
	@procs=$$(grep -oE '^[a-z-]+' Procfile); \
	{ [ -z "$${CERDAS_BROKER_URL:-}" ] && ! grep -q '^CERDAS_BROKER_URL=' deploy/local.env; } || procs=$$(echo "$$procs" | grep -vx redis); \
	{ [ -z "$${CERDAS_SMTP_URL:-}" ] && ! grep -q '^CERDAS_SMTP_URL=' deploy/local.env; } || procs=$$(echo "$$procs" | grep -vx smtp); \
	export PATH="$(CURDIR)/$(BIN):$$PATH" && exec $(BIN)/honcho start -f Procfile -e var/run.env $$procs

test: venv
	$(BIN)/pytest -p no:cacheprovider -q -ra $(PYTEST_ARGS)

# Every benchmark, each figure with its baseline measured in the same run (bench/README.md). Needs the
# PostgreSQL and Redis that `make test` uses; CERDAS_BENCH_LARGE=1 adds the long runs; BENCH=events runs one.
.PHONY: bench
bench: venv
	$(BIN)/python -m bench $(BENCH)

lint: venv
	$(BIN)/ruff check .

secrets:
	"$(PYTHON)" deploy/make_secrets.py deploy/secrets

# var/ holds the embedded run's data (databases, queues, mail); remove it by hand to start afresh.
clean:
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis build dist *.egg-info
