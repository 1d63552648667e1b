# The two commands of the README. Everything they need is installed here, from the
# package registries, into .venv/ (pinned by constraints.txt).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Debian packages the real-part tests use: a browser for page tests, a non-Python SPARQL
# client (roqet), a remote triple store, wrk for the benchmark harness's smoke run, and Apache httpd
# (mod_rewrite) for the w3id.org rules. Installed when running as root with apt-get (as
# CI does); elsewhere the tests that need them are skipped with the reason.
SYSTEM_PACKAGES := chromium rasqal-utils virtuoso-opensource-7-bin wrk apache2

.PHONY: setup system-deps run build test lint audit clean

# The venv's own pip and setuptools come from the system Python (ensurepip: 23.2.1 and
# 65.5.0 on Python 3.11), both with known advisories; they are pinned like the rest.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

system-deps:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  missing=""; \
	  for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:$$missing"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; } \
	      || echo "system-deps: could not install$$missing; the tests needing them will be skipped"; \
	  fi; \
	else \
	  echo "system-deps: not root or no apt-get; tests needing $(SYSTEM_PACKAGES) will be skipped"; \
	fi

## Build, validate and publish the release to release/.
build: setup
	$(BIN)/smartcity-graph build --out release

## Build the release, then serve it on http://127.0.0.1:8000/ (Ctrl-C stops it).
run: build
	$(BIN)/smartcity-graph serve --release release --host 127.0.0.1 --port 8000

## Lint, type-check, check import contracts, audit the dependencies, then run the whole test suite.
test: setup system-deps lint audit
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check src tests bench audit
	$(BIN)/ruff format --check src tests bench audit
	$(BIN)/mypy
	$(BIN)/lint-imports

## Audit the pinned and installed Python packages and the vendored npm packages for known
## advisories, offline, against the advisory snapshot (audit/README.md). Under a second.
audit: setup
	$(BIN)/python audit/check.py

clean:
	rm -rf $(VENV) release .pytest_cache .mypy_cache .ruff_cache
