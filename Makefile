# Two commands do everything on a fresh machine (python3 + package registries only):
#   make demo   set up .venv from pinned requirements, plan dev and prod offline
#   make test   same set-up, then lint, type-check and the whole test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pip.lock requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
# Every venv first gets the pinned installer (pip.lock), then its own lock.
PIP_BOOTSTRAP = --disable-pip-version-check install -q --require-hashes -r $(CURDIR)/pip.lock

.PHONY: setup demo test test-main lint typecheck bench goldens clean verify-locks
setup: $(STAMP)

$(STAMP): pip.lock requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip $(PIP_BOOTSTRAP)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-* && touch $@

demo: setup
	$(BIN)/blueprint demo dev prod

lint: setup
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy

test-main: setup
	$(BIN)/pytest

# Extra test targets (e.g. the router's own environment) register themselves here.
EXTRA_TESTS :=
-include router/router.mk
-include blueprint/checkov/checkov.mk
-include compliance/compliance.mk

test: lint typecheck test-main $(EXTRA_TESTS)

# Builds every venv from its lock alone in a scratch dir, no cache (registry drift shows up here).
verify-locks:
	PY=$(PY) scripts/verify-locks.sh

# Regenerate the graph goldens (tests/graphs/) after a change that alters a plan on purpose; commit them
# with the change and say why (tests/test_graphs.py).
goldens: setup
	$(BIN)/python -m tests.test_graphs

bench: setup
	$(BIN)/python benchmarks/plan_bench.py

clean:
	rm -rf $(VENV) .venv-checkov out .pytest_cache .mypy_cache .ruff_cache
