# The two commands of the README. Everything they need is installed here, from the
# package registries, into .venv/ (pinned by constraints.txt).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run build test lint clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## Build, validate and publish the release to release/.
run: setup
	$(BIN)/smartcity-graph build --out release

build: run

## Lint, type-check, check import contracts, then run the whole test suite.
test: setup lint
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) release .pytest_cache .mypy_cache .ruff_cache
