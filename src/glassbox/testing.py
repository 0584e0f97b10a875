"""Helpers for asserting on telemetry in your own tests — no server needed.

Example::

    from glassbox.testing import capture

    def test_summary_is_costed():
        with capture() as telemetry:
            summarise("some article")
        assert telemetry.value("glassbox_llm_cost_usd_total", tenant="acme") > 0
        assert telemetry.spans(name="chat gpt-4o-mini")
        assert telemetry.logs(event="gen_ai.call")[0]["model"] == "gpt-4o-mini"

:func:`capture` initialises Glassbox with a fresh metric registry, keeps finished spans in
memory and captures log lines as parsed JSON (after redaction, exactly as they would be
written), then shuts Glassbox down again.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics

from glassbox import _facade, _runtime

__all__ = ["Telemetry", "capture"]


class Telemetry:
    """What :func:`capture` recorded."""

    def __init__(self, runtime: _runtime.Runtime, log_stream: io.StringIO) -> None:
        self.runtime = runtime
        self._log_stream = log_stream

    @property
    def registry(self) -> CollectorRegistry:
        """The fresh registry Glassbox recorded into."""
        return self.runtime.metrics.registry

    def value(self, name: str, /, **labels: str) -> float:
        """The sum of a sample's values over every series matching ``labels`` (0 if none).

        ``name`` is a sample name (``…_total``, ``…_count``, ``…_bucket``); labels not
        given match any value, so ``value("glassbox_llm_tokens_total", gen_ai_token_type="input")``
        sums over models.
        """
        total = 0.0
        for metric in self.registry.collect():
            for sample in metric.samples:
                if sample.name == name and all(
                    sample.labels.get(k) == v for k, v in labels.items()
                ):
                    total += sample.value
        return total

    def series(self, name: str) -> list[dict[str, str]]:
        """The label sets of every series of sample ``name``."""
        return [
            dict(sample.labels)
            for metric in self.registry.collect()
            for sample in metric.samples
            if sample.name == name
        ]

    def spans(self, name: str | None = None) -> list[ReadableSpan]:
        """Finished spans, oldest first, optionally only those called ``name``."""
        store = self.runtime.tracing.store
        spans = store.spans() if store is not None else []
        return [s for s in spans if name is None or s.name == name]

    def logs(self, **fields: Any) -> list[dict[str, Any]]:
        """Log events written so far, parsed, optionally only those matching ``fields``."""
        self.flush_logs()
        events = [
            # One event per "\n": str.splitlines() would also split inside JSON strings
            # holding U+2028 or U+0085, which JSON does not escape.
            json.loads(line)
            for line in self._log_stream.getvalue().split("\n")
            if line.strip()
        ]
        return [e for e in events if all(e.get(k) == v for k, v in fields.items())]

    def flush_logs(self) -> None:
        """Write the log lines still pending in the writer's batch (see ``log_flush_interval``)."""
        writer = self.runtime.logging.writer
        if writer is not None:
            writer.flush()

    def exposition(self, openmetrics: bool = False) -> str:
        """The registry in the Prometheus text format (or OpenMetrics, with exemplars)."""
        render = generate_openmetrics if openmetrics else generate_latest
        return render(self.registry).decode("utf-8")


@contextmanager
def capture(**settings: Any) -> Iterator[Telemetry]:
    """Run the block with Glassbox initialised for a test, then shut it down.

    Args:
        **settings: ``glassbox.init()`` settings; by default no metrics port, no OTLP (spans or
            logs), spans kept in memory.

    Raises:
        RuntimeError: Glassbox is already initialised (shut it down first).
    """
    if _runtime.current() is not None:
        raise RuntimeError(
            "glassbox is already initialised; call glassbox.shutdown() before capture()"
        )
    settings.setdefault("service_name", "test")
    settings.setdefault("metrics_port", None)
    settings.setdefault("otlp_endpoint", None)
    settings.setdefault("otlp_logs_endpoint", None)
    settings.setdefault("keep_spans", 10_000)
    stream = io.StringIO()
    runtime = _facade.start(_registry=CollectorRegistry(), _log_stream=stream, **settings)
    try:
        yield Telemetry(runtime, stream)
    finally:
        _facade.stop()
