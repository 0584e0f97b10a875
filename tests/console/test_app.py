"""The console's pages and API without a browser: bad input gets a clear answer."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from glassbox.console import (
    SpanRecord,
    TelemetryStore,
    build_config,
    create_app,
    panel_for_alert,
    parse_log_line,
)
from glassbox.console._dashboards import TimeRange, parse_time, variables_for
from glassbox.mixin import build, load_decisions
from glassbox.promql import substitute
from glassbox.stack import free_port

DOWN = f"http://127.0.0.1:{free_port()}"  # nothing listens there


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    store = TelemetryStore()
    start = time.time_ns()
    store.add_spans(
        [
            SpanRecord(
                "ab" * 16, "1" * 16, "", "newsroom", "invoke_agent editor", start, start + 10**8
            ),
            SpanRecord(
                "ab" * 16, "2" * 16, "1" * 16, "newsroom", "chat gpt-4o-mini",
                start + 10**7, start + 5 * 10**7, status=2, status_message="RateLimitError",
                attributes={"gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 7},
            ),
        ]
    )  # fmt: skip
    with TestClient(create_app(build_config(prometheus=DOWN, store=store))) as c:
        yield c


def test_every_mixin_dashboard_has_a_page_by_its_uid(client: TestClient) -> None:
    for model in build(load_decisions().environment("local")).dashboards.values():
        response = client.get(f"/d/{model['uid']}")
        assert response.status_code == 200
        assert f'"uid": "{model["uid"]}"' in response.text  # the very model Grafana gets
    assert "/d/glassbox-overview" in client.get("/").text


def test_an_unknown_uid_is_a_404_page_naming_it_and_the_known_ones(client: TestClient) -> None:
    response = client.get("/d/no-such-board")
    assert response.status_code == 404
    assert "&#x27;no-such-board&#x27;" in response.text
    assert "glassbox-overview" in response.text
    assert "Traceback" not in response.text


def test_prometheus_down_is_said_in_the_panel_and_alert_pages(client: TestClient) -> None:
    response = client.get("/api/panel/glassbox-overview/2")
    assert response.status_code == 502
    assert f"Prometheus at {DOWN} is unreachable" in response.json()["error"]
    alerts = client.get("/alerts")
    assert alerts.status_code == 502
    assert "glassbox up" in alerts.text


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/panel/glassbox-overview/999", 404, "has no panel '999'"),
        ("/api/panel/glassbox-overview/2?from=yesterday", 400, "time 'yesterday'"),
        ("/api/panel/glassbox-overview/2?from=now&to=now-1h", 400, "is empty"),
        ("/api/variable/glassbox-overview/nope", 404, "no query variable 'nope'"),
    ],
)
def test_bad_api_input_is_json_naming_the_value(
    client: TestClient, url: str, status: int, message: str
) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_trace_pages(client: TestClient) -> None:
    listed = client.get("/traces?errors=1")
    assert 'data-trace="' + "ab" * 16 in listed.text
    assert "ab" * 16 not in client.get("/traces?service=other").text
    assert client.get("/traces?min_ms=abc").status_code == 400
    page = client.get(f"/traces/{'AB' * 16}")  # ids are case-insensitive hex
    assert page.status_code == 200
    assert "model</i> gpt-4o-mini" in page.text
    assert "RateLimitError" in page.text
    bad = client.get("/traces/xyz")
    assert bad.status_code == 400
    assert "32 hex digits" in bad.text
    missing = client.get(f"/traces/{'cd' * 16}")
    assert missing.status_code == 404
    assert "aged out" in missing.text


def test_log_search_parses_text_and_fields(client: TestClient) -> None:
    response = client.get("/logs?q=timeout+level%3Derror+model%3Dgpt-4o")
    assert response.status_code == 200
    assert "No log line matches." in response.text


def test_variables_follow_grafana() -> None:
    window = TimeRange.of(0, 3600, scrape_interval=15)
    assert window.step == 15  # 3600 s / 300 points = 12 s, never under the scrape interval
    values = variables_for({"env": [], "service": ["a.b", "c"]}, window, 15)
    assert values["$__rate_interval"] == "60s"  # 4 x scrape interval
    assert values["$env"] == ".*"
    assert values["$service"] == values["${service}"] == r"(a\.b|c)"
    expr = 'rate(x{env=~"$env",service=~"$service"}[$__rate_interval]) * $__range_s'
    assert substitute(expr, values) == r'rate(x{env=~".*",service=~"(a\.b|c)"}[60s]) * 3600'


def test_relative_times() -> None:
    now = 1_700_000_000.0
    assert parse_time("now", now) == now
    assert parse_time("now-15m", now) == now - 900
    assert parse_time("now/d", now) <= now
    assert now - parse_time("now/d", now) < 86400 + 3600
    assert parse_time("1700000000000", now) == 1_700_000_000  # milliseconds
    with pytest.raises(ValueError, match="'soon'"):
        parse_time("soon", now)


def test_every_mixin_alert_links_to_a_panel_that_queries_its_series() -> None:
    mixin = build(load_decisions().environment("local"))
    rules = [r for g in mixin.alerting for r in g["rules"]]
    links = {r["alert"]: panel_for_alert(r["expr"], mixin.dashboards, r["alert"]) for r in rules}
    unlinked = sorted(name for name, link in links.items() if link is None)
    assert len(unlinked) <= len(rules) // 4, unlinked
    error_rate = links["GlassboxLLMHighErrorRate"]
    assert error_rate is not None
    assert "error" in error_rate.title.lower()
    assert error_rate.url.startswith("/d/glassbox-")
    latency = links["GlassboxLLMSlowLatency"]
    assert latency is not None
    assert "latency" in latency.title.lower()


def test_json_log_lines() -> None:
    line = (
        '{"timestamp": "2026-01-02T03:04:05Z", "level": "INFO", "event": "gen_ai.call", '
        '"service": "newsroom", "trace_id": "' + "ab" * 16 + '", "model": "gpt-4o"}'
    )
    record = parse_log_line(line)
    assert record is not None
    assert (record.level, record.body, record.service) == ("info", "gen_ai.call", "newsroom")
    assert record.trace_id == "ab" * 16
    assert record.attributes == {"model": "gpt-4o"}
    assert record.time_ns == 1_767_323_045 * 10**9
    assert parse_log_line("not json") is None
    no_trace = parse_log_line('{"event": "x", "trace_id": "' + "0" * 32 + '"}', "svc")
    assert no_trace is not None
    assert (no_trace.trace_id, no_trace.service) == ("", "svc")


def test_the_console_refuses_bad_ports_and_non_loopback_addresses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from typer.testing import CliRunner

    from glassbox.cli import app
    from glassbox.console import main

    result = CliRunner().invoke(app, ["console", "--port", "70000"])
    assert result.exit_code == 2
    assert "invalid --port=70000" in result.output
    assert main(["--web.listen-address=0.0.0.0:9095"]) == 2
    assert "'0.0.0.0:9095' is not loopback" in capsys.readouterr().err
    assert main(["--web.listen-address=localhost"]) == 2
    assert "is not HOST:PORT" in capsys.readouterr().err
