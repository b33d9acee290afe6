# Two commands for a new user: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-all lint bench system-deps messages clean

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
	$(BIN)/pytest -n 2 --dist load --durations=15

test-all: setup system-deps
	$(BIN)/pytest -m ''

## Add new texts (wrapped in _(), ngettext() or N_()) to the Dutch catalogue; then translate the empty ones.
messages: setup
	$(BIN)/pybabel -q extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 --no-location --sort-output -o .messages.pot .
	$(BIN)/pybabel -q update -i .messages.pot -d planner/locale -D messages -l nl --no-fuzzy-matching --ignore-obsolete --no-wrap
	@rm -f .messages.pot

bench: setup
	$(BIN)/stageplanner bench --instance twente --instance S --instance M --instance L --out bench-out

clean:
	rm -rf $(VENV) stageplanner-demo .pytest_cache .hypothesis
