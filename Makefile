# govinspect: `make run` starts the suite on an embedded default; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check
UV     := $(BIN)/uv
SAY    := @echo "[govinspect]"
# Python packages are installed by uv (from PyPI, several times faster than pip: the first
# `make run` is mostly this install), with pip as the fallback when uv cannot be had or fails.
# uv does not read pip.conf: point it at a mirror with UV_DEFAULT_INDEX (e.g. a PyPI mirror in China).
PY_INSTALL = if [ -x $(UV) ] && $(UV) pip install --python $(BIN)/python $(1); then :; \
	else echo "[govinspect] 改用 pip 安装……"; $(PIP) install $(1); fi
RUN_REQS   := -e '.[embedded,browser]'
TEST_REQS  := -e '.[embedded,browser,test]'
BENCH_REQS := -e '.[embedded,browser,test,bench]'

# Debian packages: Chromium (the headless shell: lighter than the full browser, which the checker
# also runs when it is the one installed), a CJK font and Tesseract with its Simplified Chinese
# data for the checker's inspections (both commands); LibreOffice Writer for circulars printed
# to PDF (the tests).
RUN_DEBS  := chromium-headless-shell fonts-wqy-microhei tesseract-ocr tesseract-ocr-chi-sim
TEST_DEBS := $(RUN_DEBS) libreoffice-writer-nogui

.PHONY: run test install install-test debs chromium lint bench clean

$(BIN)/python:
	$(SAY) "创建虚拟环境 $(VENV) ……"
	$(PYTHON) -m venv $(VENV)
	$(SAY) "安装 uv（更快的安装工具；装不上则用 pip）……"
	-$(PIP) install --quiet --progress-bar off uv

# The stamp files re-run the install when pyproject.toml changes.
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(SAY) "安装 Python 依赖（embedded、browser；首次约半分钟）……"
	@$(call PY_INSTALL,$(RUN_REQS))
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	@$(call PY_INSTALL,$(TEST_REQS))
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
	@$(call PY_INSTALL,$(BENCH_REQS))
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
