"""OTLP/HTTP decoding, fed by the OpenTelemetry SDK's own encoders and exporter."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

from glassbox.console import (
    ConsoleConfig,
    OTLPDecodeError,
    TelemetryStore,
    create_app,
    decode_logs,
    decode_traces,
)
from glassbox.stack import free_port


def _provider(exporter: object) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": "newsroom"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))  # type: ignore[arg-type]
    return provider


def test_protobuf_spans_from_the_sdk_encoder() -> None:
    memory = InMemorySpanExporter()
    tracer = _provider(memory).get_tracer("t")
    with (
        tracer.start_as_current_span("invoke_agent editor") as root,
        tracer.start_as_current_span("chat gpt-4o-mini") as child,
    ):
        child.set_attribute("gen_ai.usage.input_tokens", 12)
        child.set_attribute("glassbox.cost.usd", 0.25)
        child.set_attribute("glassbox.tool_call_names", ["search", "publish"])
        child.add_event("retry", {"attempt": 1})
        child.set_status(Status(StatusCode.ERROR, "boom"))
    body = encode_spans(memory.get_finished_spans()).SerializeToString()
    spans = {s.name: s for s in decode_traces(body)}
    chat, agent = spans["chat gpt-4o-mini"], spans["invoke_agent editor"]
    assert chat.trace_id == format(root.get_span_context().trace_id, "032x")
    assert chat.parent_id == agent.span_id
    assert agent.parent_id == ""
    assert chat.service == "newsroom"
    assert chat.attributes == {
        "gen_ai.usage.input_tokens": 12,
        "glassbox.cost.usd": 0.25,
        "glassbox.tool_call_names": ["search", "publish"],
    }
    assert chat.error
    assert chat.status_message == "boom"
    assert chat.events[0]["name"] == "retry"
    assert chat.events[0]["attributes"] == {"attempt": 1}
    assert chat.end_ns >= chat.start_ns > 0


def test_json_encoding_with_hex_ids() -> None:
    body = {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]
                },
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": "5b8efff798038103d269b633813fc60c",
                                "spanId": "eee19b7ec3c1b174",
                                "name": "GET /",
                                "startTimeUnixNano": "1544712660000000000",
                                "endTimeUnixNano": "1544712661000000000",
                                "attributes": [
                                    {"key": "http.route", "value": {"stringValue": "/"}}
                                ],
                            }
                        ]
                    }
                ],
            }
        ]
    }
    (span,) = decode_traces(json.dumps(body).encode(), "application/json")
    assert span.trace_id == "5b8efff798038103d269b633813fc60c"
    assert span.span_id == "eee19b7ec3c1b174"
    assert span.duration_ms == 1000
    assert span.attributes == {"http.route": "/"}


def test_protobuf_logs() -> None:
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord, ResourceLogs, ScopeLogs
    from opentelemetry.proto.resource.v1.resource_pb2 import Resource as ProtoResource

    record = LogRecord(
        time_unix_nano=1_700_000_000_000_000_000,
        trace_id=bytes.fromhex("5b8efff798038103d269b633813fc60c"),
        span_id=bytes.fromhex("eee19b7ec3c1b174"),
        severity_number=13,  # WARN; no severity text: the number names the level
        body=AnyValue(string_value="tool failed"),
        attributes=[KeyValue(key="tool", value=AnyValue(string_value="search"))],
    )
    service = KeyValue(key="service.name", value=AnyValue(string_value="worker"))
    request = ExportLogsServiceRequest(
        resource_logs=[
            ResourceLogs(
                resource=ProtoResource(attributes=[service]),
                scope_logs=[ScopeLogs(log_records=[record])],
            )
        ]
    )
    (log,) = decode_logs(request.SerializeToString())
    assert (log.service, log.level, log.body) == ("worker", "warning", "tool failed")
    assert log.trace_id == "5b8efff798038103d269b633813fc60c"
    assert log.attributes == {"tool": "search"}


@pytest.mark.parametrize("content_type", ["application/x-protobuf", "application/json"])
def test_garbage_is_a_decode_error_naming_the_encoding(content_type: str) -> None:
    with pytest.raises(OTLPDecodeError, match="not an OTLP"):
        decode_traces(b"\xff\x00garbage{", content_type)


@pytest.fixture
def console() -> Iterator[tuple[str, TelemetryStore]]:
    store = TelemetryStore()
    config = ConsoleConfig(dashboards={}, prometheus="http://127.0.0.1:9", store=store)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port))
    thread = threading.Thread(target=server.run)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", store
    finally:
        server.should_exit = True
        thread.join()


def test_the_sdk_exporter_delivers_to_the_receiver(console: tuple[str, TelemetryStore]) -> None:
    url, store = console
    exporter = OTLPSpanExporter(endpoint=f"{url}/v1/traces")
    tracer = _provider(exporter).get_tracer("t")
    with tracer.start_as_current_span("chat gpt-4o-mini") as span:
        span.set_attribute("gen_ai.request.model", "gpt-4o-mini")
    trace_id = format(span.get_span_context().trace_id, "032x")
    (stored,) = store.trace(trace_id)
    assert stored.attributes == {"gen_ai.request.model": "gpt-4o-mini"}


def test_a_bad_body_gets_400_with_the_reason(console: tuple[str, TelemetryStore]) -> None:
    import httpx

    url, store = console
    response = httpx.post(
        f"{url}/v1/traces", content=b"\xff\xfe", headers={"content-type": "application/x-protobuf"}
    )
    assert response.status_code == 400
    assert "not an OTLP protobuf export request" in response.json()["error"]
    assert store.traces() == []
