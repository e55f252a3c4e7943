# Tsunagari: `make run` (a running site with demo data) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# In development, mail is sent (to the console) at once rather than by a worker.
DEV_TASKS ?= django_tasks.backends.immediate.ImmediateBackend

.PHONY: run test test-faults lint install machine checkers messages migrate worker bench bench-graph bench-diary bench-communities bench-home-search bench-load bench-profile clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput

run: migrate
	DEBUG=1 $(PY) manage.py seed_demo
	@echo "  Site:   http://$(HOST):$(PORT)/"
	DEBUG=1 SITE_URL=http://$(HOST):$(PORT) TASKS_BACKEND=$(DEV_TASKS) \
		$(PY) manage.py runserver $(HOST):$(PORT)

# Task worker for the database queue (mail is sent here in production).
worker: install
	$(PY) manage.py db_worker

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# The page checkers of tests/e2e/test_page_checks.py (the Nu Html Checker, axe-core) from npm,
# at the versions tests/e2e/package-lock.json pins; they need node and java. Without their
# install scripts: vnu-jar's would download a Java runtime, and the jar is in the package.
CHECKERS := var/node/.installed

$(CHECKERS): tests/e2e/package.json tests/e2e/package-lock.json
	mkdir -p var/node
	cp tests/e2e/package.json tests/e2e/package-lock.json var/node/
	npm ci --prefix var/node --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

checkers: $(CHECKERS)

# What the suite needs of the machine (Chromium and its fonts, gettext, Java, npm, Redis, the
# local PostgreSQL named by DATABASE_URL), installed or started when missing: tests/machine.sh.
machine:
	bash tests/machine.sh

test: machine lint $(CHECKERS)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# PostgreSQL restarted under load (tests/faults: a private server, gunicorn, a minute): left
# out of `make test` by its marker; .ci/run runs it after.
test-faults: install
	NEED_POSTGRESQL=1 bash tests/machine.sh
	$(VENV)/bin/pytest -m faults tests/faults $(PYTEST_ARGS)

# Recompile the message catalogues after editing locale/*/LC_MESSAGES/django.po (needs gettext).
messages: install
	DEBUG=1 $(PY) manage.py makemessages -l ja -l en -e html,txt,py,svg --ignore='.venv/*' --ignore='var/*' --ignore='tests/*' --ignore='bench/*'
	DEBUG=1 $(PY) manage.py compilemessages --ignore='.venv/*'

# Seeds the full data set once, runs every benchmark and the load test, writes bench/results/.
bench: install
	DEBUG=0 SECRET_KEY=bench-only-secret $(PY) bench/run_all.py

bench-graph: install
	DEBUG=0 SECRET_KEY=bench-only-secret $(PY) bench/run.py

bench-diary: install
	DEBUG=0 SECRET_KEY=bench-only-secret $(PY) bench/run_diary.py

bench-communities: install
	DEBUG=0 SECRET_KEY=bench-only-secret $(PY) bench/run_communities.py

bench-home-search: install
	DEBUG=0 SECRET_KEY=bench-only-secret $(PY) bench/run_home_search.py

bench-offkai: install
	DEBUG=0 SECRET_KEY=bench-only-secret $(PY) bench/run_offkai.py

# gunicorn as in production and wrk (apt-get install -y wrk) beside it.
bench-load: install
	DEBUG=0 SECRET_KEY=bench-only-secret $(PY) bench/load.py $(LOAD_ARGS)

bench-profile: install
	DEBUG=0 SECRET_KEY=bench-only-secret $(PY) bench/profile_pages.py $(PROFILE_ARGS)

clean:
	rm -rf $(VENV) var
