# DuckCDB: `make serve` and `make test` are the whole quick start.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-0.1.0
PYTHON3 ?= python3

.PHONY: install serve test test-deps lint format bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON3) -m venv $(VENV)
	$(VENV)/bin/pip install -q -e '.[test]'
	# sqlglotc is sqlglot's compiled tokenizer/parser: faster where it installs, optional elsewhere.
	-$(VENV)/bin/pip install -q 'sqlglotc==30.30.0'
	touch $(STAMP)

install: $(STAMP)

serve: install
	$(VENV)/bin/duckcdb serve --data-dir ./data

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Packages the client tests use: pgjdbc (Debian), node-postgres (npm, pinned in tests/node), and
# for the schema-tool suites (tests/tools/REQUIREMENTS.md) knex (npm, pinned in tests/tools/knex)
# and dbt-postgres in its own venv .venv/dbt (pinned in tests/tools/dbt-requirements.txt).
JDBC_JAR := /usr/share/java/postgresql.jar
test-deps: install
	@test -f $(JDBC_JAR) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpostgresql-jdbc-java)
	@test -d tests/node/node_modules/pg || npm ci --prefix tests/node --no-audit --no-fund
	@test -d tests/tools/knex/node_modules/knex || npm ci --prefix tests/tools/knex --no-audit --no-fund
	@$(PY) tests/tools/dbt_venv.py >/dev/null

test: lint test-deps
	$(PY) -m pytest -q

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
