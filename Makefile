# govinspect: `make run` starts the suite on an embedded default; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check
SAY    := @echo "[govinspect]"

# Debian packages: Chromium and a CJK font for the checker's inspections (both commands);
# LibreOffice Writer for circulars printed to PDF (the tests).
RUN_DEBS  := chromium fonts-wqy-microhei tesseract-ocr tesseract-ocr-chi-sim
TEST_DEBS := $(RUN_DEBS) libreoffice-writer-nogui

.PHONY: run test install install-test debs chromium lint bench clean

$(BIN)/python:
	$(SAY) "创建虚拟环境 $(VENV) ……"
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# The stamp files re-run the install when pyproject.toml changes.
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(SAY) "安装 Python 依赖（embedded、browser；首次约一分钟）……"
	$(PIP) install --progress-bar off -e '.[embedded,browser]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[embedded,browser,test]'
	touch $@

install: $(VENV)/.run-installed
install-test: $(VENV)/.test-installed

## Install, migrate and start every service with its workers (SQLite and Redis under ./var/),
## serve the demo site and, on the first start, inspect it and draft its circular.
run: install debs
	$(SAY) "启动全部服务……"
	$(BIN)/python -m deploy.local

## Chromium and a CJK font when missing (as root; otherwise the command to run is printed).
debs:
	@sh .ci/debs $(RUN_DEBS)

## Every Debian package the tests use, when missing and running as root.
chromium:
	@sh .ci/debs $(TEST_DEBS)

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
