# FOIA Workbench. `make run` serves the app; `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEBIAN_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-fra poppler-utils
# The browser journeys drive Debian's chromium (Playwright's own download is not used).
TEST_DEBIAN_PACKAGES := chromium
PORT ?= 8000

.PHONY: help setup system-packages run test lint format bench ci clean

help:
	@echo "make run    install what is missing, migrate, load demo data, serve on :$(PORT)"
	@echo "make test   the whole test suite"
	@echo "make lint   ruff check and format check;  make format  fix formatting"
	@echo "make bench  benchmarks, printing their figures"

setup: system-packages $(STAMP)

system-packages:
	@bash bin/system-packages $(DEBIAN_PACKAGES)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "FOIA Workbench needs Python 3.11 (found " + sys.version.split()[0] + ").")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $(STAMP)

run: setup
	@DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --no-input -v0
	@DEBUG=$${DEBUG:-1} $(PY) manage.py createcachetable
	@DEBUG=$${DEBUG:-1} $(PY) manage.py load_demo
	@DEBUG=$${DEBUG:-1} PORT=$(PORT) $(PY) bin/serve.py

test: setup
	@bash bin/system-packages $(TEST_DEBIAN_PACKAGES)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup
	@DEBUG=$${DEBUG:-1} $(PY) -m bench

ci:
	bash .ci/run

clean:
	rm -rf var/test.sqlite3* .pytest_cache
