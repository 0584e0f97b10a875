"""Log records over OTLP/HTTP, received by a real HTTP server and parsed as protobuf."""

from __future__ import annotations

import http.server
import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from prometheus_client import CollectorRegistry

import glassbox
from glassbox import _config, _runtime

EMAIL = "jane.doe@example.com"


class Receiver:
    """An OTLP/HTTP logs endpoint on loopback that keeps every request it got."""

    def __init__(self) -> None:
        self.requests: list[ExportLogsServiceRequest] = []
        self.bodies: list[bytes] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = ExportLogsServiceRequest()
                request.ParseFromString(body)
                receiver.bodies.append(body)
                receiver.requests.append(request)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/logs"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def records(self) -> list[tuple[dict[str, Any], Any]]:
        """(resource attributes, log record) for every record received."""
        out = []
        for request in self.requests:
            for resource_logs in request.resource_logs:
                resource = {a.key: _value(a.value) for a in resource_logs.resource.attributes}
                for scope in resource_logs.scope_logs:
                    out.extend((resource, record) for record in scope.log_records)
        return out


def _value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_value(v) for v in value.array_value.values]
    return getattr(value, kind) if kind else None


def _attributes(record: Any) -> dict[str, Any]:
    return {a.key: _value(a.value) for a in record.attributes}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def _init(tmp_path: Path, **settings: Any) -> Any:
    return _runtime.init(
        _registry=CollectorRegistry(),
        service_name="newsroom",
        environment="staging",
        metrics_port=None,
        otlp_endpoint=None,
        keep_spans=100,
        log_file=str(tmp_path / "app.jsonl"),
        **settings,
    )


def test_every_kind_of_record_is_exported_redacted_with_its_trace(
    receiver: Receiver, tmp_path: Path
) -> None:
    runtime = _init(tmp_path, otlp_logs_endpoint=receiver.url)
    try:
        with glassbox.llm_call(provider="openai", model="gpt-4o-mini") as call:
            call.set_usage(input_tokens=10, output_tokens=5)
        structlog.get_logger().info("article.ingested", contact=EMAIL, words=120)
        logging.getLogger("newsroom.queue").warning("queue %s is slow", "ingest")
        span = runtime.tracing.store.spans()[-1]
    finally:
        glassbox.shutdown()
    records = receiver.records()
    by_body = {record.body.string_value: (resource, record) for resource, record in records}
    assert {"gen_ai.call", "article.ingested", "queue ingest is slow"} <= set(by_body)

    resource, call_record = by_body["gen_ai.call"]
    assert resource["service.name"] == "newsroom"
    assert resource["deployment.environment.name"] == "staging"
    assert int.from_bytes(call_record.trace_id, "big") == span.context.trace_id
    assert int.from_bytes(call_record.span_id, "big") == span.context.span_id
    assert call_record.event_name == "gen_ai.call"
    assert call_record.severity_text == "INFO"
    assert _attributes(call_record)["input_tokens"] == 10

    _, app_record = by_body["article.ingested"]
    assert _attributes(app_record)["words"] == 120
    assert _attributes(app_record)["contact"].startswith("<EMAIL:")
    assert all(EMAIL.encode() not in body for body in receiver.bodies)  # redacted before export

    _, stdlib_record = by_body["queue ingest is slow"]
    assert stdlib_record.severity_text == "WARNING"
    assert stdlib_record.severity_number == 13  # WARN
    # The JSON lines are still written, the same events.
    lines = (tmp_path / "app.jsonl").read_text()
    assert "article.ingested" in lines
    assert EMAIL not in lines


def test_captured_content_is_an_event_redacted_and_the_raw_stream_is_separate(
    receiver: Receiver, tmp_path: Path
) -> None:
    _init(tmp_path, otlp_logs_endpoint=receiver.url, capture_content=True, raw_stream=True)
    try:
        with glassbox.llm_call(provider="openai", model="gpt-4o-mini") as call:
            call.capture_input([{"role": "user", "content": f"mail {EMAIL} the summary"}])
            call.set_usage(input_tokens=10, output_tokens=5)
    finally:
        glassbox.shutdown()
    details = [
        (resource, record)
        for resource, record in receiver.records()
        if record.event_name == "gen_ai.client.inference.operation.details"
    ]
    normal = [r for resource, r in details if resource.get("glassbox.stream") != "raw"]
    raw = [r for resource, r in details if resource.get("glassbox.stream") == "raw"]
    assert len(normal) == 1
    assert len(raw) == 1
    assert EMAIL not in _attributes(normal[0])["gen_ai.input.messages"]
    assert "<EMAIL:" in _attributes(normal[0])["gen_ai.input.messages"]
    assert EMAIL in _attributes(raw[0])["gen_ai.input.messages"]
    # Nothing raw leaves in a request of the normal stream.
    for request in receiver.requests:
        for resource_logs in request.resource_logs:
            marks = {a.key: a.value.string_value for a in resource_logs.resource.attributes}
            if marks.get("glassbox.stream") != "raw":
                assert EMAIL.encode() not in resource_logs.SerializeToString()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_dead_collector_drops_and_counts_without_blocking(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1/logs"
    runtime = _init(tmp_path, otlp_logs_endpoint=url, log_queue_size=50, shutdown_timeout=0.5)
    logger = structlog.get_logger()
    try:
        for i in range(500):
            logger.info("tick", i=i)
    finally:
        glassbox.shutdown()
    dropped = runtime.metrics.registry.get_sample_value(
        "glassbox_telemetry_dropped_total", {"signal": "logs"}
    )
    assert dropped is not None
    assert dropped >= 500  # every record: queue full, failed export or not gone at shutdown
    assert (tmp_path / "app.jsonl").read_text().count('"tick"') == 500  # lines all written


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, "http://collector:4318/v1/logs"),
        ({"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "http://logs:4318/v1/logs"}, "http://logs:4318/v1/logs"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_LOGS_EXPORTER": "none"}, None),
        ({}, None),
    ],
)  # fmt: skip
def test_the_standard_variables_choose_the_logs_endpoint(
    environ: dict[str, str], expected: str | None
) -> None:
    assert _config.resolve_settings(environ=environ).otlp_logs_endpoint == expected
