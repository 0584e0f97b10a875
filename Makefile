# Glassbox — every target installs what it needs first (see `make setup`).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Third-party GenAI instrumentations the mixin is tested on (tests/integration/
# test_mixin_foreign.py). Their own venv: OpenLIT pins versions the Glassbox venv does not
# share, and its init patches every library it finds. openai-v2 2.4b0 needs a
# util-genai that still has `instruments` (removed in 1.2; all its releases are betas,
# so the version is pinned exactly).
FOREIGN_VENV := .venv-foreign
FOREIGN_STAMP := $(FOREIGN_VENV)/.installed
FOREIGN_PACKAGES := openai opentelemetry-sdk opentelemetry-exporter-prometheus \
	opentelemetry-instrumentation-openai-v2==2.4b0 opentelemetry-util-genai==1.1b0 openlit==1.45.0
APT_PACKAGES := prometheus prometheus-alertmanager prometheus-pushgateway redis-server chromium chromium-driver
BINARIES := prometheus promtool amtool prometheus-alertmanager prometheus-pushgateway redis-server chromium chromedriver
# The console's charting library (uPlot), pinned by console-ui/package-lock.json.
VENDOR := src/glassbox/console/static/vendor
VENDOR_FILES := $(VENDOR)/uPlot.iife.min.js $(VENDOR)/uPlot.min.css
PYTEST_ARGS ?=
DEMO_ARGS ?=

.PHONY: setup system-deps console-assets demo test bench drift-study drift-baselines lint format docs clean

setup: system-deps console-assets $(STAMP) $(FOREIGN_STAMP)

# Front-end assets, from the npm registry at build time (never from a CDN at run time).
console-assets: $(VENDOR_FILES)

$(VENDOR_FILES) &: console-ui/package.json console-ui/package-lock.json
	cd console-ui && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp console-ui/node_modules/uplot/dist/uPlot.iife.min.js console-ui/node_modules/uplot/dist/uPlot.min.css $(VENDOR)/

# Operating-system packages: the real Prometheus, Alertmanager and Pushgateway; Redis as the
# Celery broker of the integration tests; Chromium and ChromeDriver for the console's
# browser tests.
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

# The drift power study (docs/drift.md): Glassbox's monitors on every scenario, the oracle
# bounds (what no test can beat on them; a few minutes), then the tables. One core; well
# over an hour at the default trial counts.
DRIFT_STUDY := nice $(PY) bench/drift_study/study.py
DRIFT_RESULTS := bench/drift_study/results
drift-study: setup
	$(DRIFT_STUDY) --out $(DRIFT_RESULTS)/glassbox.json
	nice $(PY) bench/drift_study/bounds.py
	$(PY) bench/drift_study/study.py --tables --write

# The baselines of issue 18 on the same held-back draws, each in its own venv (never in
# the Glassbox venv, the tests or CI): Evidently's data-drift preset on the scalars,
# alibi-detect's MMDDrift on the embeddings. torch 2.13.0 is the CPU build this machine
# keeps on disk; elsewhere pip would fetch a CUDA build of several GB.
EVIDENTLY_VENV := .venv-evidently
ALIBI_VENV := .venv-alibi
drift-baselines: setup
	@test -x $(EVIDENTLY_VENV)/bin/python || $(PYTHON) -m venv $(EVIDENTLY_VENV)
	$(EVIDENTLY_VENV)/bin/python -m pip install -q 'evidently==0.7.23' 'pandas<3'
	@test -x $(ALIBI_VENV)/bin/python || $(PYTHON) -m venv $(ALIBI_VENV)
	$(ALIBI_VENV)/bin/python -m pip install -q 'torch==2.13.0' 'alibi-detect[torch]==0.13.0'
	nice $(EVIDENTLY_VENV)/bin/python bench/drift_study/study.py --method evidently \
		--sets held-back --modalities scalars --scalar-null-trials 200 --scalar-trials 20 \
		--out $(DRIFT_RESULTS)/evidently.json
	nice $(ALIBI_VENV)/bin/python bench/drift_study/study.py --method alibi \
		--sets held-back --modalities embeddings --embedding-null-trials 20 \
		--embedding-trials 5 --out $(DRIFT_RESULTS)/alibi.json
	$(PY) bench/drift_study/study.py --tables --write

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
	rm -rf $(VENV) $(FOREIGN_VENV) .venv-evidently .venv-alibi .pytest_cache .mypy_cache .ruff_cache .glassbox build dist
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .glassbox build dist console-ui/node_modules $(VENDOR)
