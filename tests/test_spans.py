"""Lean spans are indistinguishable from the SDK's: same finished span for the same calls.

Every test runs the same operations on a :class:`LeanTracer` and on the SDK's own tracer
(each on a provider with the same sampler and id generator settings) and compares what
the processors receive.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, DEFAULT_ON, ParentBased, TraceIdRatioBased
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags

import glassbox
from glassbox._spans import LeanSpan, LeanTracer, lean_tracer
from glassbox.testing import capture


class _Collect(SpanProcessor):
    def __init__(self) -> None:
        self.ended: list[ReadableSpan] = []
        self.started = 0

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        self.started += 1

    def on_end(self, span: ReadableSpan) -> None:
        self.ended.append(span)


def _lean(**provider_args: Any) -> tuple[LeanTracer, TracerProvider, _Collect]:
    provider = TracerProvider(shutdown_on_exit=False, **provider_args)
    own = _Collect()
    provider.add_span_processor(own)
    tracer = lean_tracer(provider.get_tracer("glassbox", "1.0"), "glassbox", "1.0")
    assert isinstance(tracer, LeanTracer)
    return tracer, provider, own


def _sdk(**provider_args: Any) -> tuple[trace.Tracer, _Collect]:
    provider = TracerProvider(shutdown_on_exit=False, **provider_args)
    collect = _Collect()
    provider.add_span_processor(collect)
    return provider.get_tracer("glassbox", "1.0"), collect


def _shape(span: ReadableSpan) -> dict[str, Any]:
    """Everything an exporter reads from a finished span, except ids and times."""
    with warnings.catch_warnings():  # instrumentation_info is deprecated, still read
        warnings.simplefilter("ignore", DeprecationWarning)
        info = span.instrumentation_info
    return {
        "name": span.name,
        "kind": span.kind,
        "attributes": dict(span.attributes or {}),
        "dropped_attributes": span.dropped_attributes,
        "events": [(e.name, dict(e.attributes or {})) for e in span.events],
        "links": [(link.context, dict(link.attributes or {})) for link in span.links],
        "status": (span.status.status_code, span.status.description),
        "parent": span.parent,
        "resource": dict(span.resource.attributes),
        "scope": (span.instrumentation_scope.name, span.instrumentation_scope.version)
        if span.instrumentation_scope
        else None,
        "sampled": span.context.trace_flags.sampled,
        "info": (info.name, info.version) if info else None,
    }


def _both(ops: Callable[[trace.Span], None], **start: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    lean_tracer, _, own = _lean()
    sdk_tracer, collect = _sdk()
    for tracer in (lean_tracer, sdk_tracer):
        span = tracer.start_span("op", **start)
        ops(span)
        span.end()
    assert len(own.ended) == 1
    assert len(collect.ended) == 1
    return _shape(own.ended[0]), _shape(collect.ended[0])


class _Custom:
    def __str__(self) -> str:
        return "custom"


_PRIMITIVE = st.one_of(
    st.text(max_size=20), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats()
)
_VALUE = st.recursive(
    st.one_of(_PRIMITIVE, st.none(), st.binary(max_size=8), st.just(_Custom())),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=5), inner, max_size=3),
    ),
    max_leaves=8,
)
_KEY = st.one_of(st.text(max_size=12), st.sampled_from(["gen_ai.request.model", ""]))


def _same(a: Any, b: Any) -> bool:
    """Equality that treats NaN as equal to itself (a float attribute may be NaN)."""
    return repr(a) == repr(b)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.dictionaries(_KEY, _VALUE, max_size=6),
    later=st.lists(st.tuples(_KEY, _VALUE), max_size=6),
    bulk=st.dictionaries(_KEY, _VALUE, max_size=6),
)
def test_attributes_are_cleaned_like_the_sdk_does(
    start: dict[str, Any], later: list[tuple[str, Any]], bulk: dict[str, Any]
) -> None:
    def ops(span: trace.Span) -> None:
        for key, value in later:
            span.set_attribute(key, value)
        span.set_attributes(bulk)

    lean, sdk = _both(ops, attributes=start)
    assert _same(lean, sdk)


def test_a_list_changed_after_it_was_set_does_not_change_the_span() -> None:
    def ops(span: trace.Span) -> None:
        names = ["search"]
        span.set_attribute("gen_ai.tool.names", names)
        names.append("later")

    lean, sdk = _both(ops)
    assert lean["attributes"] == sdk["attributes"] == {"gen_ai.tool.names": ("search",)}


def test_events_exceptions_status_links_and_names_match_the_sdk() -> None:
    linked = SpanContext(7, 9, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED))

    def ops(span: trace.Span) -> None:
        odd: Any = {"attempt": 2, "bad": object()}
        span.add_event("retry", odd)
        try:
            raise ValueError("boom")
        except ValueError as exc:
            span.record_exception(exc, {"extra": "x"})
        span.set_status(Status(StatusCode.ERROR, "boom"))
        span.set_status(StatusCode.OK)  # error then OK: OK wins and is final
        span.set_status(StatusCode.ERROR, "ignored")
        span.add_link(linked, {"why": "follows"})
        span.add_link(trace.INVALID_SPAN_CONTEXT)  # invalid without attributes: dropped
        span.update_name("renamed")

    lean, sdk = _both(ops, kind=SpanKind.CLIENT, links=[Link(linked, {"a": 1})])
    for shape in (lean, sdk):
        stacktrace = shape["events"][1][1].pop("exception.stacktrace")
        assert "ValueError: boom" in stacktrace
    assert lean == sdk
    assert lean["name"] == "renamed"
    assert lean["status"] == (StatusCode.OK, None)


def test_an_exception_leaving_a_with_block_is_recorded_like_the_sdk() -> None:
    lean_tracer, _, own = _lean()
    sdk_tracer, collect = _sdk()
    for tracer in (lean_tracer, sdk_tracer):
        with pytest.raises(KeyError), tracer.start_as_current_span("op"):
            raise KeyError("k")
    lean, sdk = _shape(own.ended[0]), _shape(collect.ended[0])
    for shape in (lean, sdk):
        shape["events"][0][1].pop("exception.stacktrace")
    assert lean == sdk
    assert lean["status"][0] is StatusCode.ERROR


def test_children_nest_under_a_lean_span_and_share_its_trace() -> None:
    tracer, _, own = _lean()
    with tracer.start_as_current_span("parent") as parent:
        child = tracer.start_span("child")
        child.end()
        assert trace.get_current_span() is parent
    child_span, parent_span = own.ended
    assert child_span.parent == parent_span.context
    assert child_span.context.trace_id == parent_span.context.trace_id
    assert parent_span.parent is None


def test_limits_from_the_environment_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "3")
    monkeypatch.setenv("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "4")
    monkeypatch.setenv("OTEL_SPAN_EVENT_COUNT_LIMIT", "2")

    def ops(span: trace.Span) -> None:
        for i in range(6):
            span.set_attribute(f"k{i}", "abcdefgh")
        for i in range(5):
            span.add_event(f"e{i}")

    lean, sdk = _both(ops)
    assert lean == sdk
    assert lean["attributes"] == {"k3": "abcd", "k4": "abcd", "k5": "abcd"}
    assert lean["dropped_attributes"] == 3
    assert [name for name, _ in lean["events"]] == ["e3", "e4"]


@pytest.mark.parametrize(
    ("sampler", "parent_flags", "recording", "sampled"),
    [
        (ALWAYS_OFF, None, False, False),
        (DEFAULT_ON, None, True, True),
        (DEFAULT_ON, TraceFlags.DEFAULT, False, False),
        (DEFAULT_ON, TraceFlags.SAMPLED, True, True),
        (ParentBased(TraceIdRatioBased(1.0)), TraceFlags.DEFAULT, False, False),
        (ParentBased(TraceIdRatioBased(0.0)), TraceFlags.SAMPLED, True, True),
        (TraceIdRatioBased(1.0), None, True, True),
    ],
)
def test_the_providers_sampler_decides(
    sampler: Any, parent_flags: int | None, recording: bool, sampled: bool
) -> None:
    tracer, _, own = _lean(sampler=sampler)
    context = None
    if parent_flags is not None:
        parent = SpanContext(3, 4, is_remote=True, trace_flags=TraceFlags(parent_flags))
        context = trace.set_span_in_context(trace.NonRecordingSpan(parent))
    span = tracer.start_span("op", context=context)
    assert span.is_recording() is recording
    assert span.get_span_context().trace_flags.sampled is sampled
    if parent_flags is not None:
        assert span.get_span_context().trace_id == 3
    span.end()
    assert len(own.ended) == int(recording)


def test_every_processor_on_the_provider_sees_start_and_end() -> None:
    tracer, provider, own = _lean()
    seen: list[tuple[str, str, dict[str, Any]]] = []

    class _Reads(_Collect):
        def on_start(self, span: Any, parent_context: Any = None) -> None:
            span.set_attribute("added.on_start", True)  # what baggage processors do
            seen.append(("start", span.name, dict(span.attributes)))

    reads = _Reads()
    provider.add_span_processor(reads)  # added after the tracer was made: still seen
    span = tracer.start_span("op", attributes={"a": 1})
    span.end()
    assert seen == [("start", "op", {"a": 1, "added.on_start": True})]
    assert [s.name for s in reads.ended] == [s.name for s in own.ended] == ["op"]
    assert dict(own.ended[0].attributes or {}) == {"a": 1, "added.on_start": True}


def test_the_sdks_tracer_stays_where_a_lean_one_cannot_follow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert isinstance(lean_tracer(trace.NoOpTracer(), "g", "1"), trace.NoOpTracer)
    monkeypatch.setenv("OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED", "true")
    sdk = TracerProvider(shutdown_on_exit=False).get_tracer("g")
    assert lean_tracer(sdk, "g", "1") is sdk


def test_ending_twice_exports_once_and_a_failing_processor_is_reported() -> None:
    tracer, _, own = _lean()
    span = tracer.start_span("op")
    span.end()
    span.end()
    span.set_attribute("late", 1)  # after end: ignored, as the SDK does
    assert len(own.ended) == 1
    assert "late" not in (own.ended[0].attributes or {})

    errors: list[str] = []

    class _Broken(_Collect):
        def on_end(self, span: ReadableSpan) -> None:
            raise RuntimeError("exporter bug")

    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(_Broken())
    broken = lean_tracer(provider.get_tracer("g"), "glassbox", "1")
    assert isinstance(broken, LeanTracer)
    broken.on_error = lambda component, exc: errors.append(component)
    broken.start_span("op").end()  # raises nothing into the caller
    assert errors == ["tracing"]


def test_glassbox_uses_lean_spans() -> None:
    with capture() as telemetry:
        assert isinstance(telemetry.runtime.tracer, LeanTracer)
        with glassbox.llm_call("openai", "gpt-4o-mini") as call:
            call.set_usage(input_tokens=3, output_tokens=5)
        (span,) = [s for s in telemetry.spans() if s.name == "chat gpt-4o-mini"]
        assert span.attributes is not None
        assert span.attributes["gen_ai.usage.output_tokens"] == 5


def test_ids_are_random_and_distinct_across_many_spans() -> None:
    tracer, _, own = _lean()
    random.seed(0)
    for _ in range(2000):
        tracer.start_span("op").end()
    ids = {s.context.span_id for s in own.ended}
    traces = {s.context.trace_id for s in own.ended}
    assert len(ids) == 2000
    assert len(traces) == 2000


@pytest.fixture(autouse=True)
def _no_leaked_context() -> Iterator[None]:
    token = otel_context.attach(otel_context.Context())
    yield
    otel_context.detach(token)


@settings(max_examples=150, deadline=None)
@given(
    start=st.dictionaries(st.text(min_size=1, max_size=8), _PRIMITIVE, max_size=5),
    final=st.dictionaries(
        st.text(min_size=1, max_size=8),
        st.one_of(_PRIMITIVE, st.tuples(st.text(max_size=5)), st.tuples()),
        max_size=8,
    ),
)
def test_end_with_final_attributes_equals_setting_them_then_ending(
    start: dict[str, Any], final: dict[str, Any]
) -> None:
    lean_tracer, _, own = _lean()
    sdk_tracer, collect = _sdk()
    lean_span = lean_tracer.start_span("op", attributes=start)
    assert isinstance(lean_span, LeanSpan)
    lean_span.end_with(dict(final))
    sdk_span = sdk_tracer.start_span("op", attributes=start)
    sdk_span.set_attributes(final)
    sdk_span.end()
    assert _same(_shape(own.ended[0]), _shape(collect.ended[0]))


def test_end_with_past_the_count_limit_evicts_like_the_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "4")
    lean_tracer, _, own = _lean()
    sdk_tracer, collect = _sdk()
    start = {"a": 1, "b": 2, "c": 3}
    final = {"b": 20, "d": 4, "e": 5}
    lean_span = lean_tracer.start_span("op", attributes=start)
    assert isinstance(lean_span, LeanSpan)
    lean_span.end_with(final)
    sdk_span = sdk_tracer.start_span("op", attributes=start)
    sdk_span.set_attributes(final)
    sdk_span.end()
    lean, sdk = _shape(own.ended[0]), _shape(collect.ended[0])
    assert lean == sdk
    assert list(lean["attributes"]) == list(sdk["attributes"])
