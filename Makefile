# The two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_HOUSEHOLDS ?= 3000
# Two pytest-xdist workers: the suite takes about half as long on two cores. `make test
# PYTEST_ARGS="-n 0 -x some/tests.py"` runs in one process.
PYTEST_ARGS ?= -n 2

.PHONY: run test lint format migrations-check venv runtime migrate demo static celery-check bench stop-check clean

# The server's packages (`make run`), and on top of them the tests' and the linter's (`make venv`,
# `make test`): each stamp is rebuilt when a file it installs changes.
$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

runtime: $(VENV)/.installed

venv: $(VENV)/.installed-dev

migrate: runtime
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo --households $(DEMO_HOUSEHOLDS)
	$(PY) manage.py seed_low_income_demo
	$(PY) manage.py seed_identification_demo
	$(PY) manage.py seed_help_demo
	$(PY) manage.py seed_exit_demo
	$(PY) manage.py seed_declaration_demo

static: runtime
	$(PY) manage.py collectstatic --noinput --verbosity 0

run: demo static
	PORT=$(PORT) VENV=$(VENV) scripts/run.sh

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: venv
	$(PY) manage.py makemigrations --check --dry-run

# One task through the configured broker and a real worker (see scripts/celery_check.py).
celery-check: runtime
	$(PY) scripts/celery_check.py

# 300,000 households on SQLite and PostgreSQL, then the list page timings (bench/README.md).
bench: venv
	bench/run.sh

clean:
	rm -rf $(VENV) staticfiles
