"""OTLP/HTTP decoding: ``/v1/traces`` and ``/v1/logs`` bodies into store records.

Both encodings of the OTLP/HTTP spec are accepted: binary protobuf
(``application/x-protobuf``, what the OpenTelemetry SDK exporters send) and JSON
(``application/json``). OTLP/JSON writes trace and span ids as hex where the standard
protobuf JSON mapping expects base64, so ids are rewritten before parsing.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

from glassbox.console._store import LogRecord, SpanRecord
from glassbox.exceptions import InputError

__all__ = ["OTLPDecodeError", "decode_logs", "decode_traces"]

_ID_FIELDS = frozenset(
    {"traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"}
)
_SEVERITY = {1: "trace", 5: "debug", 9: "info", 13: "warning", 17: "error", 21: "critical"}


class OTLPDecodeError(InputError):
    """The request body is not an OTLP export request in the declared encoding."""


def _value(v: AnyValue) -> Any:
    kind = v.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [_value(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return _attributes(v.kvlist_value.values)
    if kind == "bytes_value":
        return v.bytes_value.hex()
    return getattr(v, kind)


def _attributes(kvs: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kv in kvs:
        assert isinstance(kv, KeyValue)
        out[kv.key] = _value(kv.value)
    return out


def _hex_ids(node: Any) -> Any:
    """OTLP/JSON hex ids → the base64 the protobuf JSON mapping reads."""
    if isinstance(node, dict):
        return {
            k: base64.b64encode(bytes.fromhex(v)).decode()
            if k in _ID_FIELDS and isinstance(v, str) and v
            else _hex_ids(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_hex_ids(x) for x in node]
    return node


def _parse(body: bytes, content_type: str, message: Any) -> None:
    try:
        if "json" in content_type:
            json_format.ParseDict(_hex_ids(json.loads(body)), message, ignore_unknown_fields=True)
        else:
            message.ParseFromString(body)
    except (DecodeError, json_format.ParseError, ValueError, TypeError) as exc:
        kind = "JSON" if "json" in content_type else "protobuf"
        raise OTLPDecodeError(f"not an OTLP {kind} export request: {exc}") from None


def decode_traces(body: bytes, content_type: str = "application/x-protobuf") -> list[SpanRecord]:
    """The spans of an ``ExportTraceServiceRequest``.

    Raises:
        OTLPDecodeError: The body does not parse in the declared encoding.
    """
    request = ExportTraceServiceRequest()
    _parse(body, content_type, request)
    return list(_spans(request))


def _spans(request: ExportTraceServiceRequest) -> Iterator[SpanRecord]:
    for resource_spans in request.resource_spans:
        resource = _attributes(resource_spans.resource.attributes)
        service = str(resource.get("service.name", "unknown_service"))
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                yield SpanRecord(
                    trace_id=span.trace_id.hex(),
                    span_id=span.span_id.hex(),
                    parent_id=span.parent_span_id.hex(),
                    service=service,
                    name=span.name,
                    start_ns=span.start_time_unix_nano,
                    end_ns=max(span.end_time_unix_nano, span.start_time_unix_nano),
                    kind=span.kind,
                    status=span.status.code,
                    status_message=span.status.message,
                    attributes=_attributes(span.attributes),
                    events=[
                        {
                            "name": e.name,
                            "time_ns": e.time_unix_nano,
                            "attributes": _attributes(e.attributes),
                        }
                        for e in span.events
                    ],
                )


def decode_logs(body: bytes, content_type: str = "application/x-protobuf") -> list[LogRecord]:
    """The log records of an ``ExportLogsServiceRequest``.

    Raises:
        OTLPDecodeError: The body does not parse in the declared encoding.
    """
    request = ExportLogsServiceRequest()
    _parse(body, content_type, request)
    out: list[LogRecord] = []
    for resource_logs in request.resource_logs:
        resource = _attributes(resource_logs.resource.attributes)
        service = str(resource.get("service.name", "unknown_service"))
        for scope_logs in resource_logs.scope_logs:
            for record in scope_logs.log_records:
                body_value = _value(record.body)
                level = record.severity_text.lower() or _SEVERITY.get(
                    (record.severity_number - 1) // 4 * 4 + 1, ""
                )
                out.append(
                    LogRecord(
                        time_ns=record.time_unix_nano or record.observed_time_unix_nano,
                        service=service,
                        level=level,
                        body=body_value if isinstance(body_value, str) else json.dumps(body_value),
                        trace_id=record.trace_id.hex(),
                        span_id=record.span_id.hex(),
                        attributes=_attributes(record.attributes),
                    )
                )
    return out
