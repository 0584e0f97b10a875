"""``glassbox top`` against the real local stack scraping a process instrumented with the SDK.

A thread drives the public SDK API (streamed and plain LLM calls, half of them failing, a
work queue) and a loopback HTTP server serves its exposition; ``glassbox up`` points
Prometheus at it. Then ``top`` must show real numbers, and the mixin's error-rate alert
must fire through to Alertmanager — the path the demo relies on.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

import glassbox
from glassbox.cli import app
from glassbox.stack import (
    SERVICES,
    StackState,
    down,
    free_port,
    get_json,
    read_overview,
    up,
    wait_for_query,
)
from glassbox.testing import capture

pytestmark = pytest.mark.integration

MODEL = "gpt-4o-mini"


def _traffic() -> None:
    queue = glassbox.queue("ingest")
    enqueued_at = queue.enqueued()
    time.sleep(0.01)
    with queue.processing(enqueued_at):
        with glassbox.attributes(team="newsroom"), glassbox.llm_call("openai", MODEL) as call:
            call.set_usage(input_tokens=800, output_tokens=120)
            call.set_response(model=MODEL)
        try:
            with glassbox.llm_call("openai", MODEL, stream=True) as call:
                time.sleep(0.02)
                for _ in range(3):
                    call.chunk()
                    time.sleep(0.005)
                raise ConnectionError("simulated provider error")
        except ConnectionError:
            pass


@pytest.fixture
def sdk_endpoint() -> Iterator[str]:
    """A live SDK exposition on loopback, with traffic flowing (50% of calls failing)."""
    stop = threading.Event()
    with capture(service_name="newsroom") as telemetry:

        def drive() -> None:
            while not stop.wait(0.05):
                _traffic()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = telemetry.exposition(openmetrics=True).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/openmetrics-text; version=1.0.0")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        threads = [threading.Thread(target=drive), threading.Thread(target=server.serve_forever)]
        for thread in threads:
            thread.start()
        try:
            yield f"127.0.0.1:{server.server_address[1]}"
        finally:
            stop.set()
            server.shutdown()
            server.server_close()
            for thread in threads:
                thread.join()


@pytest.fixture
def stack(tmp_path: Path, sdk_endpoint: str) -> Iterator[StackState]:
    ports = {f"{name}_port": free_port() for name in SERVICES}
    try:
        yield up(state_dir=tmp_path, quiet=True, targets={"newsroom": [sdk_endpoint]}, **ports)
    finally:
        down(tmp_path)


def test_top_shows_live_numbers_and_the_alert_that_fired(stack: StackState) -> None:
    url = stack.prometheus_url
    calls = 'sum(rate(gen_ai_client_operation_duration_seconds_count{service="newsroom"}[15s]))'
    wait_for_query(url, f"{calls} > 0", timeout=30)

    frame = read_overview(url, window="15s")
    assert frame.errors == []
    assert frame.request_rate is not None
    assert frame.request_rate > 1
    assert frame.error_ratio is not None
    assert 0.3 < frame.error_ratio < 0.7  # one call in two fails
    for stage, p95 in frame.p95_seconds.items():
        assert p95 is not None, stage
        assert p95 > 0, stage
    assert frame.tokens_per_second is not None
    assert frame.tokens_per_second > 0
    assert frame.cost_today is not None
    assert frame.cost_today > 0
    assert "ingest" in frame.queue_depth
    assert [(m.provider, m.model) for m in frame.models] == [("openai", MODEL)]

    result = CliRunner().invoke(app, ["top", "--once", "--prometheus", url, "--window", "15s"])
    assert result.exit_code == 0, result.output
    (model_line,) = [line for line in result.output.splitlines() if MODEL in line]
    assert "–" not in model_line  # every column of the model row has a number
    assert re.search(r"\d+(\.\d+)?%", model_line)
    assert "ingest" in result.output

    # The local rules (for: 10s) turn the 50% error ratio into a firing alert, which
    # reaches Alertmanager and shows up in top.
    alert = 'ALERTS{alertname="GlassboxLLMHighErrorRate",alertstate="firing"}'
    wait_for_query(url, alert, timeout=45)
    assert any(
        a.name == "GlassboxLLMHighErrorRate" and a.state == "firing"
        for a in read_overview(url, window="15s").alerts
    )
    deadline = time.monotonic() + 15
    received: list[str] = []
    while time.monotonic() < deadline and "GlassboxLLMHighErrorRate" not in received:
        received = [
            a["labels"]["alertname"] for a in get_json(f"{stack.alertmanager_url}/api/v2/alerts")
        ]
        time.sleep(0.2)
    assert "GlassboxLLMHighErrorRate" in received
    result = CliRunner().invoke(app, ["top", "--once", "--prometheus", url])
    assert "GlassboxLLMHighErrorRate" in result.output


def test_top_once_fails_clearly_without_prometheus() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(app, ["top", "--once", "--prometheus", url])
    assert result.exit_code == 3  # a service could not be reached
    assert f"cannot reach Prometheus at {url}" in result.output
    assert "glassbox up" in result.output
