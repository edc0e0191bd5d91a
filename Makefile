# Comunagua: `make demo` to try it, `make test` before you push.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINTED := src tests benchmarks
PYTEST := $(BIN)/python -m pytest
# The two legs run side by side, one core each. The PostgreSQL leg, the longer, has two
# pytest-xdist workers, so that it takes both cores once the SQLite leg ends (measured on this
# 2-core machine: two workers in both legs cost more in start-up than they saved). The demo's
# tests share one worker (xdist_group). The 15 slowest tests end each leg.
PYTEST_LEG := $(PYTEST) --durations=15 --durations-min=1
PYTEST_LEG_PG := $(PYTEST_LEG) -n 2 --dist loadgroup

.PHONY: setup .venv demo test test-sqlite test-postgresql lint deep bench format messages clean

setup .venv: $(STAMP)

# Re-install whenever pyproject.toml changes (new or bumped dependencies).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

demo: $(STAMP)
	DEBUG=true $(BIN)/comunagua migrate --noinput
	DEBUG=true $(BIN)/comunagua demo

# -k: a lint error or a failure on one database still lets the other checks run and report.
# -j2: the two database legs run side by side, one per core (measured: 12 min 54 s wall against
# 6 + 8.6 min one after the other, and that with a third test run competing for the cores);
# -O keeps each leg's output together, printed when it ends.
test: $(STAMP)
	@status=0; \
	$(MAKE) --no-print-directory lint || status=1; \
	$(MAKE) --no-print-directory -k -j2 -O test-sqlite test-postgresql || status=1; \
	exit $$status

# ruff; the layers of docs/architecture.md (import-linter, contracts in pyproject.toml); and no
# model change without its migration.
lint: $(STAMP)
	@echo "== ruff, import-linter, makemigrations --check"
	@status=0; \
	$(BIN)/ruff check --output-format concise $(LINTED) || status=1; \
	$(BIN)/ruff format --check --output-format concise $(LINTED) || status=1; \
	if out=$$(PYTHONPATH=src $(BIN)/lint-imports --no-logo --no-cache 2>&1); then \
		echo "import-linter: $$(grep -c KEPT <<<"$$out") contracts kept"; \
	else echo "$$out"; status=1; fi; \
	DEBUG=true COMUNAGUA_VAR_DIR=$$(mktemp -d) $(BIN)/comunagua makemigrations --check --dry-run || status=1; \
	exit $$status

# In CI a missing Chromium must fail the run, not skip the browser tests.
test-sqlite: $(STAMP)
	@if [ "$${CI:-}" = true ] && [ ! -x /usr/bin/chromium ]; then \
		echo "CI: /usr/bin/chromium is missing (apt-get install chromium)" >&2; exit 1; fi
	@echo "== pytest on SQLite"
	TIMEFORMAT='== SQLite leg: %0Rs'; time env -u DATABASE_URL $(PYTEST_LEG)

test-postgresql: $(STAMP)
	@echo "== pytest on a throwaway PostgreSQL"
	TIMEFORMAT='== PostgreSQL leg: %0Rs'; time $(BIN)/python tests/pg_cluster.py -- $(PYTEST_LEG_PG)

# The property tests with many more examples (tests/properties.py, profile `deep`), on SQLite:
# too long for every `make test`, run by CI after it.
deep: $(STAMP)
	@echo "== property tests, deep profile"
	TIMEFORMAT='== deep: %0Rs'; time env -u DATABASE_URL HYPOTHESIS_PROFILE=deep $(PYTEST) -n 2 -m property -q

bench: $(STAMP)
	@if [ -f benchmarks/run.py ]; then $(BIN)/python benchmarks/run.py $(BENCH); \
	else echo "No benchmarks/run.py"; fi

format: $(STAMP)
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

# Run from the package so makemessages writes to src/comunagua/locale.
messages: $(STAMP)
	cd src/comunagua && DEBUG=true COMUNAGUA_VAR_DIR=$(CURDIR)/var ../../$(BIN)/comunagua makemessages -l es -l en --ignore 'demo/*'
	cd src/comunagua && DEBUG=true COMUNAGUA_VAR_DIR=$(CURDIR)/var ../../$(BIN)/comunagua compilemessages

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis build dist staticfiles benchmarks/results/*.tmp
