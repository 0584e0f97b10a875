"""The mixin on GenAI telemetry from instrumentations other than Glassbox's own SDK.

Two applications call the LLM simulator with the real ``openai`` client: one
instrumented by the official OpenTelemetry ``opentelemetry-instrumentation-openai-v2``,
one by OpenLIT, both exporting through the OpenTelemetry SDK's Prometheus reader (they run
in ``.venv-foreign``, see ``foreign_worker.py``). A real Prometheus scrapes both with the
generated configuration and rules; the test then counts, per source, the dashboard
queries and LLM recording rules that return data, and checks the normalized series the
issue was about: tokens, cost (from the price table), rate limits from ``error_type``,
and the by-model views.

Measured on this run shape (2026-12, openai-v2 2.4b0, OpenLIT 1.45.0), out of the panel
queries that return data for the Glassbox SDK in ``test_mixin_prometheus.py``:
see ``EXPECTED`` and docs/mixin.md.
"""

from __future__ import annotations

import dataclasses
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from glassbox.check._contract import mixin_queries, substitute
from glassbox.mixin import build, load_decisions
from glassbox.render import mixin_files, write_files
from glassbox.simulator import Simulator
from glassbox.stack import free_port, query, start_prometheus, wait_for_query

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FOREIGN_PYTHON = ROOT / ".venv-foreign" / "bin" / "python"
WORKER = Path(__file__).with_name("foreign_worker.py")
SOURCES = ("otel", "openlit")

#: Per source: at least this many dashboard queries return data (measured, see docs).
EXPECTED_PANEL_QUERIES = {"otel": 40, "openlit": 45}


def _variables(service: str) -> dict[str, str]:
    return {
        "$__rate_interval": "10s",
        "$__interval": "1s",
        "$__range_s": "60",
        "$__range": "1m",
        "$env": ".*",
        "$service": service,
    }


@pytest.fixture
def foreign_apps(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The two instrumented applications, by service name, calling a live simulator."""
    if not FOREIGN_PYTHON.exists():
        pytest.fail(f"{FOREIGN_PYTHON} is missing: run `make setup` (it creates .venv-foreign)")
    with Simulator(seed=11, time_scale=0.0) as sim:
        sim.set_faults(error_rates={429: 0.15})
        procs: list[subprocess.Popen[str]] = []
        apps: dict[str, str] = {}
        try:
            for source in SOURCES:
                port = free_port()
                proc = subprocess.Popen(
                    [str(FOREIGN_PYTHON), str(WORKER), source, sim.openai_base_url, str(port)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=(tmp_path / f"{source}.log").open("w"),
                    text=True,
                )
                procs.append(proc)
                assert proc.stdout is not None
                line = proc.stdout.readline().strip()
                assert line == "ready", (
                    f"{source} worker did not start: {(tmp_path / f'{source}.log').read_text()}"
                )
                apps[source] = f"127.0.0.1:{port}"
            yield apps
        finally:
            for proc in procs:
                if proc.stdin:
                    proc.stdin.close()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)


def test_mixin_works_on_foreign_instrumentations(
    foreign_apps: dict[str, str], tmp_path: Path
) -> None:
    env = load_decisions().environment("local")
    env = dataclasses.replace(
        env,
        targets={source: (address,) for source, address in foreign_apps.items()},
        pushgateway=None,
        alertmanager=f"127.0.0.1:{free_port()}",
    )
    mixin = build(env)
    r = mixin.records
    write_files(mixin_files(mixin), tmp_path / "out")
    with start_prometheus(
        tmp_path / "out" / "prometheus" / "prometheus.yml", tmp_path / "state"
    ) as prometheus:
        url = prometheus.url
        for source in SOURCES:
            wait_for_query(url, f'{r.calls.name}{{service="{source}"}} > 0', timeout=60)
            wait_for_query(url, f'{r.rate_limited.name}{{service="{source}"}} > 0', timeout=60)

        # Normalized series, per source: tokens from the histogram, 429s from error_type,
        # cost from the price table, and a real model on every by-model series.
        for source in SOURCES:
            s = f'service="{source}"'
            kinds = {
                x["metric"]["gen_ai_token_type"] for x in query(url, f"{r.tokens.name}{{{s}}}")
            }
            assert kinds == {"input", "output"}, source
            models = {
                x["metric"]["gen_ai_request_model"] for x in query(url, f"{r.calls.name}{{{s}}}")
            }
            assert models == {"gpt-4o-mini", "gpt-4o"}, source
            for record in (r.cost, r.cost_1d):
                spent = query(url, f"sum({record.name}{{{s}}}) > 0")
                assert spent, (source, record.name)
            assert not query(url, f"{r.unpriced.name}{{{s}}}"), source  # both models priced

        panels = [q for q in mixin_queries(mixin) if q.where.startswith("dashboard")]
        coverage: dict[str, set[str]] = {}
        for source in SOURCES:
            pending = {q.where: substitute(q.expr, _variables(source)) for q in panels}
            found: set[str] = set()
            deadline = time.monotonic() + 20
            while pending and time.monotonic() < deadline:
                for where, expr in list(pending.items()):
                    if query(url, expr):
                        found.add(where)
                        del pending[where]
                if pending:
                    time.sleep(1)
            coverage[source] = found
        report = {s: len(found) for s, found in coverage.items()}
        print(f"panel queries with data out of {len(panels)}: {report}")
        for source, floor in EXPECTED_PANEL_QUERIES.items():
            assert report[source] >= floor, (source, report, sorted(coverage[source]))
        for title in (
            "Tokens per hour",
            "Cost today",
            "Rate-limited responses by model",
            "Spend per hour by model",
            "Latency by model (p50, p95, p99)",
        ):
            for source in SOURCES:
                assert any(f"panel {title!r}" in w for w in coverage[source]), (source, title)
