from __future__ import annotations

import socket
import urllib.request

import pytest

import glassbox
from glassbox import _runtime
from glassbox.stack import free_port


def _get(url: str, accept: str | None = None) -> tuple[str, str]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.headers["Content-Type"], response.read().decode()


def test_init_is_idempotent_and_shutdown_is_safe_twice() -> None:
    first = glassbox.init(service_name="svc", metrics_port=0, logs=False)
    second = glassbox.init(service_name="svc", metrics_port=0, logs=False)
    assert first is second
    different = glassbox.init(service_name="other", metrics_port=0, logs=False)
    assert different is first
    assert first.settings.service_name == "svc"
    glassbox.shutdown()
    glassbox.shutdown()
    assert _runtime.current() is None


def test_metrics_endpoint_serves_text_and_openmetrics_with_exemplars() -> None:
    runtime = glassbox.init(service_name="svc", metrics_port=0, logs=False)
    assert runtime.metrics_url is not None
    assert runtime.metrics_url.startswith("http://127.0.0.1:")
    with glassbox.llm_call("openai", "gpt-4o-mini") as call:
        call.set_usage(input_tokens=3, output_tokens=4)
    content_type, text = _get(runtime.metrics_url)
    assert content_type.startswith("text/plain")
    assert "gen_ai_client_operation_duration_seconds_count" in text
    assert "trace_id" not in text
    content_type, om = _get(runtime.metrics_url, "application/openmetrics-text; version=1.0.0")
    assert content_type.startswith("application/openmetrics-text")
    assert '# {trace_id="' in om
    assert om.rstrip().endswith("# EOF")
    assert 'glassbox_build_info{version="' in om


def test_metrics_endpoint_binds_loopback_on_the_configured_port() -> None:
    port = free_port()
    runtime = glassbox.init(metrics_port=port, logs=False)
    assert runtime.metrics_port == port
    assert _get(f"http://127.0.0.1:{port}/metrics")[1]


def test_port_in_use_is_reported_not_raised() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        runtime = glassbox.init(metrics_port=port, logs=False)
        assert runtime.metrics_port is None
        errors = runtime.metrics.registry.get_sample_value(
            "glassbox_instrumentation_errors_total", {"component": "metrics_server"}
        )
        assert errors == 1


def test_metrics_endpoint_can_be_disabled() -> None:
    runtime = glassbox.init(metrics_port=None, logs=False)
    assert runtime.metrics_url is None
    assert runtime.server is None


def test_unknown_instrumentation_is_reported_not_raised() -> None:
    runtime = glassbox.init(metrics_port=None, logs=False, instrument=["cohere-nonexistent"])
    errors = runtime.metrics.registry.get_sample_value(
        "glassbox_instrumentation_errors_total", {"component": "instrument_cohere-nonexistent"}
    )
    assert errors == 1


def test_redaction_is_plugged_into_logs_by_default(tmp_path: pytest.TempPathFactory) -> None:
    from glassbox.testing import capture

    with capture(redaction=True, redaction_key_file=str(tmp_path / "key")) as telemetry:  # type: ignore[operator]
        import logging

        logging.getLogger("app").warning("contact bob.smith@example.org please")
        (line,) = telemetry.logs()
        assert "bob.smith@example.org" not in line["event"]
        assert "<EMAIL:" in line["event"]
        assert telemetry.value("glassbox_redactions_total", entity_type="EMAIL") == 1
        import structlog

        structlog.get_logger().info("signup", password="hunter22-correct-horse", phone="4155550132")
        (signup,) = telemetry.logs(event="signup")
        assert "hunter22" not in signup["password"]  # the field name is context
        assert "4155550132" not in signup["phone"]
