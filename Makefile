# Two commands: `make run` starts the whole product on embedded defaults; `make test` runs the suite.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
export PORT

.PHONY: run test lint deps dev-deps setup clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/base.txt requirements/dev.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements/dev.txt
	touch $@

deps: $(VENV)/.base-installed
dev-deps: $(VENV)/.dev-installed

setup: deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py setup_schedules
	$(PY) manage.py ensure_admin
	$(PY) manage.py load_demo

run: setup
	DEMO_SIMULATORS=$${DEMO_SIMULATORS:-1} $(VENV)/bin/honcho start -f Procfile.dev

test: dev-deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf var
