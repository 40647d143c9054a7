# Compliance reports: the HTML page is rendered in headless Chromium by the test suite (screenshot,
# no external requests). Debian's package, installed once (root, as in CI) before the main tests.
.PHONY: setup-chromium
CHROMIUM ?= /usr/bin/chromium
setup-chromium:
	test -x $(CHROMIUM) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

test-main: setup-chromium
