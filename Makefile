# Two commands for a new user: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-all lint bench system-deps clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

## Solve the embedded default scenario (Twente) and write the results to ./stageplanner-demo/
demo: setup
	$(BIN)/stageplanner demo

## System packages the tests use (headless Chromium for the maps, PostgreSQL for the API).
system-deps:
	@bash scripts/system-deps.sh

## Lint (ruff) and the import contracts (import-linter: the pipeline's layers, imports one way).
lint: setup
	$(BIN)/ruff check planner api maps tests scripts
	$(BIN)/lint-imports

## The whole fast test suite (slow tests: make test-all), after the lint.
test: setup system-deps lint
	$(BIN)/pytest

test-all: setup system-deps
	$(BIN)/pytest -m ''

bench: setup
	$(BIN)/stageplanner bench --instance twente --instance S --instance M --instance L --out bench-out

clean:
	rm -rf $(VENV) stageplanner-demo .pytest_cache .hypothesis
