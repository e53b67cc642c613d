# Motcua — `make run` serves the demo, `make test` runs the whole suite. `make help` lists all.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 5000
export FLASK_APP := wsgi

.DEFAULT_GOAL := help
.PHONY: help run cluster test test-sqlite test-postgresql lint bench translations migrate seed system-deps clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

translations: $(VENV)/.installed ## Compile the Babel catalogues (vi default, en)
	@$(VENV)/bin/pybabel --quiet compile -d app/translations -f

migrate: $(VENV)/.installed ## Apply database migrations
	$(VENV)/bin/flask db upgrade

seed: migrate ## Load the demo communes if the database is empty
	$(VENV)/bin/flask seed-demo --if-empty

# QR posters and printed links point at this server unless PUBLIC_BASE_URL says otherwise.
run seed: export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

run: translations seed ## Install, migrate, seed when empty, serve on http://127.0.0.1:$(PORT)
	MOTCUA_PUSH_WORKER=thread $(VENV)/bin/flask run --host 127.0.0.1 --port $(PORT) --with-threads

# nginx's port for `make cluster`: PORT when given, else 8080 (5000 stays `make run`'s).
CLUSTER_PORT := $(if $(filter environment command line,$(origin PORT)),$(PORT),8080)

cluster: system-deps $(VENV)/.installed-dev translations ## PostgreSQL + replica, Redis, SeaweedFS, 2 app servers, 2 push workers behind nginx on http://127.0.0.1:8080 (PORT=…), demo seeded; Ctrl-C stops all
	$(PY) scripts/cluster.py --port $(CLUSTER_PORT)

system-deps: ## Install Debian's chromium, postgresql, redis-server and nginx when missing (as root)
	@bash scripts/system-deps.sh

test: system-deps $(VENV)/.installed-dev translations lint tests/oidc/node_modules ## The whole suite, on SQLite then PostgreSQL
	$(PY) -m pytest -q -p no:cacheprovider --db=sqlite
	$(PY) -m pytest -q -p no:cacheprovider --db=postgresql --store=s3

test-sqlite: $(VENV)/.installed-dev translations tests/oidc/node_modules ## The suite on SQLite only
	$(PY) -m pytest -q --db=sqlite $(ARGS)

test-postgresql: $(VENV)/.installed-dev translations tests/oidc/node_modules ## The suite on PostgreSQL, files on SeaweedFS (S3), both started by the tests
	$(PY) -m pytest -q --db=postgresql --store=s3 $(ARGS)

# The OpenID provider the sign-in tests run (npm oidc-provider), exactly as locked.
tests/oidc/node_modules: tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund
	touch $@

lint: $(VENV)/.installed-dev ## ruff check, and mypy on app/
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: $(VENV)/.installed-dev translations ## Run the benchmarks and print their figures
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## Remove the virtualenv and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .ruff_cache
