# Glassbox — every target installs what it needs first (see `make setup`).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Third-party GenAI instrumentations the mixin is tested on (tests/integration/
# test_mixin_foreign.py). Their own venv: OpenLIT pins versions the Glassbox venv does not
# share, and its init patches every library it finds. openai-v2 2.4b0 needs a
# util-genai that still has `instruments` (removed in 1.2).
FOREIGN_VENV := .venv-foreign
FOREIGN_STAMP := $(FOREIGN_VENV)/.installed
FOREIGN_PACKAGES := openai opentelemetry-sdk opentelemetry-exporter-prometheus \
	opentelemetry-instrumentation-openai-v2==2.4b0 'opentelemetry-util-genai<1.2' openlit==1.45.0
APT_PACKAGES := prometheus prometheus-alertmanager prometheus-pushgateway redis-server
BINARIES := prometheus promtool amtool prometheus-alertmanager prometheus-pushgateway redis-server
PYTEST_ARGS ?=
DEMO_ARGS ?=

.PHONY: setup system-deps demo test bench lint format docs clean

setup: system-deps $(STAMP) $(FOREIGN_STAMP)

# Operating-system packages: the real Prometheus, Alertmanager and Pushgateway; Redis as the
# Celery broker of the integration tests.
system-deps:
	@missing=""; for b in $(BINARIES); do command -v $$b >/dev/null || missing="$$missing $$b"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages for:$$missing"; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null; \
	fi
	@# kubectl (for `kubectl kustomize` in the deploy tests): any kubectl will do; Debian's
	@# kubernetes-client package only when none is installed (it would clash with another).
	@if ! command -v kubectl >/dev/null; then \
		echo "Installing Debian package kubernetes-client (kubectl)"; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null; \
	fi

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

$(FOREIGN_STAMP): Makefile
	@test -x $(FOREIGN_VENV)/bin/python || $(PYTHON) -m venv $(FOREIGN_VENV)
	$(FOREIGN_VENV)/bin/python -m pip install -q $(FOREIGN_PACKAGES)
	@touch $(FOREIGN_STAMP)

demo: setup
	$(VENV)/bin/glassbox demo $(DEMO_ARGS)

test: setup lint
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	@$(PY) -m pip install -q -e '.[dev,bench]'
	@for script in bench/bench_*.py; do \
		echo; echo "=== $$script"; $(PY) $$script || exit $$?; \
	done

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

docs: setup
	$(PY) -m glassbox._docs

clean:
	rm -rf $(VENV) $(FOREIGN_VENV) .pytest_cache .mypy_cache .ruff_cache .glassbox build dist
