from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from prometheus_client import CollectorRegistry

import glassbox
from glassbox import _runtime
from glassbox.stack import free_port


def _run(script: str, timeout: float = 120) -> str:
    """Run ``script`` in a fresh interpreter (OpenTelemetry's global provider is per process)."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "GLASSBOX_REDACTION": "false"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


class _Failing(SpanExporter):
    def __init__(self) -> None:
        self.calls = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.calls += 1
        return SpanExportResult.FAILURE


def test_failed_exports_and_full_queue_are_counted_as_dropped() -> None:
    exporter = _Failing()
    runtime = _runtime.init(
        _registry=CollectorRegistry(), _span_exporter=exporter, metrics_port=None,
        span_queue_size=10, logs=False, log_llm_calls=False,
    )  # fmt: skip
    for _ in range(50):
        with glassbox.llm_call("openai", "gpt-4o-mini"):
            pass
    processor = runtime.tracing.processors[0]
    assert processor.queued <= 10  # the queue never grows past its bound
    glassbox.shutdown()  # flushes what is queued: those exports fail too
    dropped = runtime.metrics.registry.get_sample_value(
        "glassbox_telemetry_dropped_total", {"signal": "spans"}
    )
    assert dropped == 50  # every span is accounted for: dropped at the queue or at export
    assert exporter.calls >= 1


def test_traces_off_records_no_spans_but_keeps_metrics() -> None:
    from glassbox.testing import capture

    with capture(traces=False) as telemetry:
        with glassbox.llm_call("openai", "gpt-4o-mini") as call:
            assert not call.span.is_recording()
        assert telemetry.spans() == []
        assert telemetry.value("gen_ai_client_operation_duration_seconds_count") == 1
        assert "trace_id" not in telemetry.exposition(openmetrics=True)


def test_spans_reach_a_working_exporter() -> None:
    class Keep(SpanExporter):
        def __init__(self) -> None:
            self.spans: list[ReadableSpan] = []

        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            self.spans.extend(spans)
            return SpanExportResult.SUCCESS

    exporter = Keep()
    _runtime.init(
        _registry=CollectorRegistry(), _span_exporter=exporter, metrics_port=None, logs=False
    )
    with glassbox.llm_call("openai", "gpt-4o-mini"):
        pass
    glassbox.shutdown()
    assert [s.name for s in exporter.spans] == ["chat gpt-4o-mini"]


def test_unreachable_collector_never_blocks_and_memory_stays_bounded() -> None:
    port = free_port()  # nothing listens here
    out = _run(f"""
        import os, time, glassbox
        def rss():
            with open(f"/proc/{{os.getpid()}}/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        rt = glassbox.init(service_name="outage", metrics_port=None, logs=False,
                           log_llm_calls=False, span_queue_size=512,
                           otlp_endpoint="http://127.0.0.1:{port}/v1/traces")
        def calls(n):
            worst = 0.0
            for _ in range(n):
                t = time.perf_counter()
                with glassbox.llm_call("openai", "gpt-4o-mini") as call:
                    call.set_usage(input_tokens=10, output_tokens=5)
                worst = max(worst, time.perf_counter() - t)
            return worst
        calls(2000)
        before = rss()
        worst = calls(20000)
        after = rss()
        deadline = time.time() + 30
        def value():
            sample = rt.metrics.registry.get_sample_value(
                "glassbox_telemetry_dropped_total", {{"signal": "spans"}})
            return sample or 0
        while value() == 0 and time.time() < deadline:
            time.sleep(0.05)
        print(worst, after - before, value(), rt.tracing.processors[0].queued)
        os._exit(0)  # do not wait for the exporter's retries at exit
    """)
    worst, growth, dropped, queued = (float(x) for x in out.split())
    assert worst < 1.0, f"a call blocked for {worst:.3f}s behind the exporter"
    assert growth < 20, f"resident memory grew by {growth:.1f} MiB over 20,000 calls"
    assert dropped > 0
    assert queued <= 512


def test_joins_an_existing_tracer_provider_instead_of_replacing_it() -> None:
    out = _run("""
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        import glassbox
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        rt = glassbox.init(metrics_port=None, logs=False, otlp_endpoint="http://127.0.0.1:9/v1/traces")
        assert trace.get_tracer_provider() is provider
        assert rt.tracing.owned is False and rt.tracing.processors == []
        with trace.get_tracer("app").start_as_current_span("request"):
            with glassbox.llm_call("openai", "gpt-4o-mini"):
                pass
        names = sorted(s.name for s in exporter.get_finished_spans())
        parent = {s.name: s for s in exporter.get_finished_spans()}
        assert parent["chat gpt-4o-mini"].parent.span_id == parent["request"].context.span_id
        from glassbox._spans import LeanTracer
        ours = parent["chat gpt-4o-mini"]
        assert isinstance(rt.tracer, LeanTracer)  # lean spans on the application's provider
        assert ours.resource is provider.resource and ours.instrumentation_scope.name == "glassbox"
        assert ours.attributes["gen_ai.request.model"] == "gpt-4o-mini"
        print(",".join(names))
    """)
    assert out.strip() == "chat gpt-4o-mini,request"


def test_span_export_restarts_after_fork() -> None:
    out = _run("""
        import os, sys
        from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
        from prometheus_client import CollectorRegistry
        import glassbox
        from glassbox import _runtime
        r, w = os.pipe()
        class PipeExporter(SpanExporter):
            def export(self, spans):
                for s in spans:
                    os.write(w, f"{os.getpid()}:{s.name}\\n".encode())
                return SpanExportResult.SUCCESS
        rt = _runtime.init(_registry=CollectorRegistry(), _span_exporter=PipeExporter(),
                           metrics_port=None, logs=False)
        pid = os.fork()
        if pid == 0:
            with glassbox.llm_call("openai", "child-model"):
                pass
            rt.tracing.flush()
            os._exit(0)
        os.waitpid(pid, 0)
        os.close(w)
        print(os.read(r, 4096).decode().strip().split(":")[1])
    """)
    assert out.strip() == "chat child-model"


def test_otlp_export_to_a_real_http_receiver() -> None:
    """Spans are POSTed as OTLP/HTTP protobuf to the configured endpoint."""
    import http.server
    import threading

    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    received: list[ExportTraceServiceRequest] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            received.append(request)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        out = _run(f"""
            import glassbox
            glassbox.init(service_name="exporter-test", metrics_port=None, logs=False,
                          otlp_endpoint="http://127.0.0.1:{server.server_port}/v1/traces")
            with glassbox.llm_call("openai", "gpt-4o-mini"):
                pass
            glassbox.shutdown()
            print("done")
        """)
        assert out.strip() == "done"
        deadline = time.time() + 10
        while not received and time.time() < deadline:
            time.sleep(0.05)
        spans = [
            s
            for r in received
            for rs in r.resource_spans
            for ss in rs.scope_spans
            for s in ss.spans
        ]
        assert [s.name for s in spans] == ["chat gpt-4o-mini"]
        resource = {
            a.key: a.value.string_value for a in received[0].resource_spans[0].resource.attributes
        }
        assert resource["service.name"] == "exporter-test"
    finally:
        server.shutdown()
