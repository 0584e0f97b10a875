"""Assertion helpers shared by the instrumentation tests."""

from __future__ import annotations

from typing import Any

from glassbox import semconv
from glassbox.testing import Telemetry


def llm_spans(telemetry: Telemetry) -> list[Any]:
    """Glassbox's LLM spans (the anthropic library may add spans of its own)."""
    return [s for s in telemetry.spans() if s.name.startswith(("chat ", "embeddings "))]


def only_span(telemetry: Telemetry) -> Any:
    """The single LLM span recorded."""
    spans = llm_spans(telemetry)
    assert len(spans) == 1, [s.name for s in telemetry.spans()]
    return spans[0]


def internal_errors(telemetry: Telemetry) -> float:
    """Failures inside Glassbox that were caught and counted."""
    return telemetry.value(semconv.INSTRUMENTATION_ERRORS.total)
