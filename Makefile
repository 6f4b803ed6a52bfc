# Two commands: `make run` starts the whole product on embedded defaults; `make test` runs the suite.
# Needs only python3 (with its venv module). `PORT=8765 make run` serves on another port.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000

.PHONY: run setup prepare serve test test-fast lint typecheck fuzz deps dev-deps clean vendor

$(VENV)/bin/python:
	python3 -m venv $(VENV)

$(VENV)/.base-installed: requirements/base.txt | $(VENV)/bin/python
	$(PIP) install --quiet --disable-pip-version-check -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/base.txt requirements/dev.txt | $(VENV)/bin/python
	$(PIP) install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@ $(VENV)/.base-installed

deps: $(VENV)/.base-installed
dev-deps: $(VENV)/.dev-installed

# Database, schedules, first administrator (its generated password is printed once), demo data.
define PREPARE
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py setup_schedules
	$(PY) manage.py ensure_admin
	$(PY) manage.py load_demo
endef

# web + worker + beat + demo simulators + the URL banner, until Ctrl-C. honcho gives each process type its
# own PORT (web gets PORT, the next one PORT+100, ...), so the web port travels as WEB_PORT. On Ctrl-C
# honcho sends SIGTERM to every process group and waits for them.
define SERVE
	VENV=$(VENV) WEB_PORT=$(PORT) PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile.dev
endef

# Without credentials, integrations talk to the local simulators (tests/fakes/serve.py); DEMO_SIMULATORS=0
# turns that off. DEMO_DATA=0 skips the demo data set.
run setup prepare serve: export DEMO_SIMULATORS ?= 1

run: deps
	$(PREPARE)
	$(SERVE)

setup: deps
	$(PREPARE)

# The same steps without the install check, for an environment that is already installed.
prepare:
	$(PREPARE)

serve:
	$(SERVE)

test: dev-deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The edit loop: everything except the tests that start processes (worker, beat, ASGI server, browser, make).
test-fast: dev-deps
	$(VENV)/bin/pytest -m "not e2e" $(PYTEST_ARGS)

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

# mypy with django-stubs on services, selectors and the outbound clients (pyproject.toml [tool.mypy]).
typecheck: dev-deps
	$(VENV)/bin/mypy

# schemathesis over the API's own schema against a live server (PostgreSQL when DATABASE_URL is set).
fuzz: dev-deps
	$(VENV)/bin/python .ci/fuzz_api.py $(FUZZ_ARGS)

clean:
	rm -rf var

# The console's front-end files, from the npm registry at the versions package-lock.json pins, copied into the
# static files (and axe-core into the browser tests). The copies are committed: running the product or its
# tests needs no npm and no CDN. Run after changing a version in package.json.
vendor:
	npm ci --no-audit --no-fund
	mkdir -p orchestration/static/vendor/htmx orchestration/static/vendor/chartjs tests/browser/vendor
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE orchestration/static/vendor/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md orchestration/static/vendor/chartjs/
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE tests/browser/vendor/
