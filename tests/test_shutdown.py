"""shutdown() is bounded whatever the collector does, and every span that did not leave
is counted in ``glassbox_telemetry_dropped_total{signal="spans"}``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanContext, TraceFlags

import glassbox
from glassbox import _runtime
from glassbox.testing import capture

SPANS = 40


@pytest.fixture
def never_reading_collector() -> Iterator[str]:
    """A TCP server that accepts connections and never reads or answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/v1/traces"
    stop.set()
    thread.join(5)
    for conn in accepted:
        conn.close()
    server.close()


@pytest.fixture
def dead_collector() -> str:
    """An address where nothing listens (connections are refused)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}/v1/traces"


def _make_calls() -> None:
    for _ in range(SPANS):
        with glassbox.llm_call("openai", "gpt-4o-mini") as call:
            call.set_usage(input_tokens=10, output_tokens=2)


def _dropped(telemetry: object) -> float:
    return telemetry.value("glassbox_telemetry_dropped_total", signal="spans")  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize("timeout", [0.5, 2.0])
def test_shutdown_with_a_never_reading_collector_is_bounded_and_counts_every_span(
    never_reading_collector: str, timeout: float
) -> None:
    with capture(otlp_endpoint=never_reading_collector, shutdown_timeout=timeout) as telemetry:
        _make_calls()
        telemetry.runtime.tracing.processors[0].force_flush(50)  # an export is now stuck
        started = time.monotonic()
        _runtime.shutdown()
        took = time.monotonic() - started
        assert _dropped(telemetry) == SPANS
    # The bound is the point of the test: the default exporter would wait 10 s per try.
    assert took < timeout + 1.5, f"shutdown took {took:.1f}s with shutdown_timeout={timeout}"


def test_shutdown_with_a_dead_collector_counts_every_span(dead_collector: str) -> None:
    with capture(otlp_endpoint=dead_collector) as telemetry:
        _make_calls()
        started = time.monotonic()
        _runtime.shutdown()
        took = time.monotonic() - started
        assert _dropped(telemetry) == SPANS
    assert took < 2.0 + 1.5


def test_spans_ending_after_shutdown_began_are_counted_not_lost(
    never_reading_collector: str,
) -> None:
    with capture(otlp_endpoint=never_reading_collector, shutdown_timeout=0.2) as telemetry:
        processor = telemetry.runtime.tracing.processors[0]
        _make_calls()
        _runtime.shutdown()
        with glassbox.llm_call("openai", "gpt-4o-mini"):
            pass  # after shutdown: recorded nowhere, raises nothing
        late = ReadableSpan("late", SpanContext(1, 1, False, TraceFlags(TraceFlags.SAMPLED)))
        processor.on_end(late)
        assert _dropped(telemetry) == SPANS + 1
