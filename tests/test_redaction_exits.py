"""Every text that leaves the process passes the same redactor (the real one).

Side doors closed here: exception messages on spans (status and exception event), the
ASGI middleware's URL path, spans of other instrumentations on the same provider, dict
keys and numbers in log events, a field holding a key; and ``init()`` refuses to start
when redaction is on but its extra is missing.
"""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
import structlog
from opentelemetry import trace
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

import glassbox
from glassbox.asgi import GlassboxMiddleware
from glassbox.testing import Telemetry, capture

EMAIL = "alice.martin@example.com"
CARD = 4111111111111111
PHONE = "+1 415 555 0132"


def _texts(span: object) -> str:
    """Everything a span would export, as one string."""
    parts = [json.dumps(dict(span.attributes or {}), default=str)]  # type: ignore[attr-defined]
    parts += [json.dumps(dict(e.attributes or {}), default=str) for e in span.events]  # type: ignore[attr-defined]
    parts.append(str(span.status.description))  # type: ignore[attr-defined]
    return "\n".join(parts)


@pytest.mark.parametrize("capture_content", [False, True])
def test_exception_messages_are_redacted_on_spans(capture_content: bool) -> None:
    with capture(capture_content=capture_content) as telemetry:
        with pytest.raises(ValueError, match="alice"), glassbox.llm_call("openai", "gpt-4o"):
            raise ValueError(f"no account for {EMAIL}, card {CARD}")
        (span,) = telemetry.spans()
        exported = _texts(span)
    assert EMAIL not in exported
    assert str(CARD) not in exported
    assert "<EMAIL:" in span.status.description
    (event,) = span.events
    assert event.name == "exception"
    assert "<EMAIL:" in str(event.attributes["exception.message"])
    assert EMAIL not in str(event.attributes["exception.stacktrace"])


async def _echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def test_the_asgi_url_path_is_redacted(telemetry: Telemetry) -> None:
    app = Starlette(routes=[Route("/users/{email}", _echo)])
    app.add_middleware(GlassboxMiddleware)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get(f"/users/{EMAIL}")).status_code == 200
    (span,) = telemetry.spans()
    assert EMAIL not in _texts(span)
    assert span.attributes["url.path"].startswith("/users/<EMAIL:")
    assert span.attributes["http.route"] == "/users/{email}"


def test_spans_of_other_instrumentations_are_redacted(telemetry: Telemetry) -> None:
    foreign = trace.get_tracer("anthropic-sdk-or-otel-contrib")
    with foreign.start_as_current_span("chat claude") as span:
        span.set_attribute("gen_ai.prompt", f"Write to {EMAIL} or call {PHONE}")
        span.set_attribute("customer.ids", [f"{EMAIL}", "42"])
        span.add_event("gen_ai.content.completion", {"gen_ai.completion": f"Sent to {EMAIL}"})
    (kept,) = telemetry.spans(name="chat claude")
    exported = _texts(kept)
    assert EMAIL not in exported
    assert "415 555 0132" not in exported
    assert kept.attributes["customer.ids"][1] == "42"
    assert kept.attributes["gen_ai.prompt"].startswith("Write to <EMAIL:")


def test_log_redaction_covers_keys_numbers_and_key_fields(telemetry: Telemetry) -> None:
    key_hex = "9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e"
    structlog.get_logger().info(
        "billing",
        card=CARD,
        phone=4155550132,
        by_customer={EMAIL: 3},
        redaction_key=key_hex,
        articles=12,
        latency_ms=1234567.5,
    )
    (line,) = telemetry.logs(event="billing")
    text = json.dumps(line)
    assert EMAIL not in text
    assert str(CARD) not in text
    assert "4155550132" not in text
    assert key_hex not in text
    assert line["card"].startswith("<CREDIT_CARD:")
    assert line["redaction_key"].startswith("<SECRET:")
    assert line["articles"] == 12  # small numbers stay numbers
    assert line["latency_ms"] == 1234567.5  # so do fractions


def test_init_fails_closed_without_the_redaction_extra() -> None:
    script = (
        "import sys\n"
        "sys.modules['phonenumbers'] = None  # as if glassbox[redaction] were not installed\n"
        "import glassbox\n"
        "try:\n"
        "    glassbox.init(metrics_port=None)\n"
        "except glassbox.ConfigError as exc:\n"
        "    print('ConfigError:', exc)\n"
        "    sys.exit(0)\n"
        "sys.exit('init() started without its redactor')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "redaction" in result.stdout
    assert "glassbox[redaction]" in result.stdout
    assert "redaction=False" in result.stdout
    assert "phonenumbers" in result.stdout
