# checkov (the third-party cross-check of `blueprint check --engine checkov|all`) lives in its own
# venv (.venv-checkov): it pins packaging<24 while Pulumi needs packaging>=26. Installed only from
# hashes in blueprint/checkov/requirements.lock, after the pinned installer (pip.lock).
CHECKOV_VENV := .venv-checkov
CHECKOV_BIN := $(CHECKOV_VENV)/bin
CHECKOV_LOCK := blueprint/checkov/requirements.lock
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(shell cat pip.lock $(CHECKOV_LOCK) | cksum | cut -d' ' -f1)

.PHONY: setup-checkov
setup-checkov: $(CHECKOV_STAMP)

$(CHECKOV_STAMP): pip.lock $(CHECKOV_LOCK)
	test -x $(CHECKOV_BIN)/python || $(PY) -m venv $(CHECKOV_VENV)
	$(CHECKOV_BIN)/python -m pip $(PIP_BOOTSTRAP)
	$(CHECKOV_BIN)/pip install -q --disable-pip-version-check --require-hashes -r $(CHECKOV_LOCK)
	rm -f $(CHECKOV_VENV)/.installed-* && touch $@

# The main suite's checkov tests run checkov from this venv: test-main needs it installed.
test-main: setup-checkov
