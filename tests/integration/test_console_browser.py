"""The console in a real browser (headless Debian Chromium driven by Selenium).

``glassbox up`` starts Prometheus, Alertmanager, the Pushgateway and the console; a thread
drives every SDK path (``glassbox.check.exercise_into``), Prometheus scrapes its metrics,
its spans go to the console with the OpenTelemetry SDK's OTLP/HTTP exporter, and its log
lines are written where the console follows JSON-lines files. Then each mixin dashboard must draw
its panels, the trace list and waterfall must show a trace the SDK sent, and an exemplar
and a log line must lead to their trace.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

from glassbox import semconv
from glassbox.mixin import build, load_decisions
from glassbox.stack import SERVICES, StackState, down, free_port, up, wait_for_query
from glassbox.testing import capture

pytestmark = pytest.mark.integration

T = TypeVar("T")
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1440,1000",
)
#: Dashboards whose series the SDK does not produce (vLLM's own metrics): no data, no error.
NOT_FROM_SDK = {"glassbox-serving"}


def _poll(check: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not seen within {timeout:.0f}s")
        time.sleep(0.25)


@pytest.fixture(autouse=True)
def _no_runtime_leaks() -> None:
    """Overrides the suite's per-test shutdown: this module's runtime lives for the module."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StackState, Any]]:
    """The local stack scraping, and receiving spans from, a process driving the SDK."""
    from glassbox.check._exercise import exercise_into, settings  # every SDK path

    state_dir = tmp_path_factory.mktemp("console-stack")
    ports = {f"{name}_port": free_port() for name in SERVICES}
    console = f"http://127.0.0.1:{ports['console_port']}"
    log_dir = state_dir / "demo"
    log_dir.mkdir()
    stop = threading.Event()
    holder: dict[str, Any] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            telemetry = holder.get("telemetry")
            if telemetry is None:
                self.send_response(503)
                self.end_headers()
                return
            body = telemetry.exposition(openmetrics=True).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/openmetrics-text; version=1.0.0")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    # The console first: an exporter that starts against a closed port backs off for long.
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    serving = threading.Thread(target=server.serve_forever)
    serving.start()
    target = f"127.0.0.1:{server.server_address[1]}"
    try:
        state = up(state_dir=state_dir, quiet=True, targets={"newsroom": [target]}, **ports)
        # Spans leave over OTLP/HTTP through the SDK's exporter, sent from here rather than
        # by the runtime: in a full test run another test may own the global provider.
        exporter = OTLPSpanExporter(endpoint=f"{console}/v1/traces")
        with capture(**settings(), service_name="newsroom") as telemetry:
            holder["telemetry"] = telemetry

            def drive() -> None:
                written = exported = 0
                with (log_dir / "newsroom.jsonl").open("a") as log:
                    while not stop.wait(0.5):
                        try:
                            exercise_into(telemetry)
                            spans = telemetry.spans()
                            exporter.export(spans[exported:])
                            exported = len(spans)
                        except BaseException as exc:
                            holder["error"] = exc
                            raise
                        lines = telemetry.logs()
                        for line in lines[written:]:
                            log.write(json.dumps(line) + "\n")
                        written = len(lines)
                        log.flush()

            driver = threading.Thread(target=drive)
            driver.start()
            try:
                yield state, telemetry
            finally:
                stop.set()
                driver.join()
                assert "error" not in holder, f"the SDK driver failed: {holder['error']!r}"
                holder.clear()
    finally:
        down(state_dir)
        server.shutdown()
        server.server_close()
        serving.join()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver

    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if shutil.which(path) is None:
            pytest.fail(f"{path} is missing: install {package} (`make setup` does)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _panel_states(driver: Any, url: str) -> dict[str, str]:
    """Open a dashboard, wait until every panel finished loading; title → state."""
    driver.get(url)
    _poll(
        lambda: driver.execute_script("return document.body.dataset.loaded === 'true'"),
        30,
        f"{url} loaded",
    )
    states: dict[str, str] = driver.execute_script(
        "const o = {}; document.querySelectorAll('section.panel').forEach("
        "p => o[p.dataset.title + ' #' + p.id] = p.dataset.state); return o;"
    )
    return states


def _queries_contract(expr: str) -> bool:
    """Whether a PromQL expression reads a series of Glassbox's metric contract."""
    return any(spec.name in expr for spec in semconv.ALL_METRICS)


def _screenshot(driver: Any, name: str, out: Path) -> None:
    """Save a screenshot (into $GLASSBOX_SCREENSHOTS when set: how docs/ gets them)."""
    path = Path(os.environ.get("GLASSBOX_SCREENSHOTS", out)) / name
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000, f"{path} is suspiciously small"


def test_every_dashboard_draws_its_panels(
    stack: tuple[StackState, Any], browser: Any, tmp_path: Path
) -> None:
    state, _ = stack
    calls = 'sum(rate(gen_ai_client_operation_duration_seconds_count{service="newsroom"}[15s]))'
    wait_for_query(state.prometheus_url, f"{calls} > 0", timeout=60)
    dashboards = build(load_decisions().environment("local")).dashboards
    overview = f"{state.console_url}/d/glassbox-overview?from=now-5m"

    # Recording rules need a few evaluations before the overview's stats have a value.
    last: dict[str, str] = {}

    def overview_drawn() -> bool:
        last.update(_panel_states(browser, overview))
        return all(s == "ok" for s in last.values())

    try:
        _poll(overview_drawn, 60, "every overview panel drawing data")
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {last}") from None
    for model in dashboards.values():
        uid = model["uid"]
        states = _panel_states(browser, f"{state.console_url}/d/{uid}?from=now-5m")
        expected = len([p for p in model["panels"] if p["type"] != "row"])
        assert len(states) == expected, uid
        errors = {title: s for title, s in states.items() if s not in ("ok", "nodata")}
        assert errors == {}, f"{uid}: panels failed: {errors}"
        drawn = [title for title, s in states.items() if s == "ok"]
        if uid in NOT_FROM_SDK:
            # Only panels that also query a contract series (the client side of "where did
            # the time to first token go") may draw; serving-engine series never come here.
            with_sdk = {
                f"{p['title']} #panel-{p['id']}"
                for p in model["panels"]
                if any(_queries_contract(t.get("expr", "")) for t in p.get("targets", []))
            }
            assert set(drawn) <= with_sdk, f"{uid} drew data the SDK does not produce: {drawn}"
        else:
            assert len(drawn) >= len(states) // 2, f"{uid}: only {drawn} of {list(states)} drew"
    # A time series panel really holds a uPlot chart with the series the API returned.
    browser.get(f"{state.console_url}/d/glassbox-llm?from=now-5m")
    _poll(lambda: browser.execute_script("return document.body.dataset.loaded"), 30, "llm")
    canvases = browser.execute_script(
        "return [...document.querySelectorAll("
        "'section.panel[data-type=timeseries][data-state=ok]')]"
        ".filter(p => p.querySelector('canvas') && Number(p.dataset.series) > 0).length"
    )
    assert canvases > 0


def test_a_trace_sent_over_otlp_is_listed_and_drawn_as_a_waterfall(
    stack: tuple[StackState, Any], browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    import glassbox

    state, telemetry = stack
    with glassbox.llm_call("openai", "console-check-model") as call:
        call.set_usage(input_tokens=321, output_tokens=45)
        call.set_response(model="console-check-model")
    (span,) = [s for s in telemetry.spans() if s.name == "chat console-check-model"]
    trace_id = format(span.context.trace_id, "032x")
    service = span.resource.attributes["service.name"]  # another test's provider may own it

    def listed() -> Any:
        browser.get(f"{state.console_url}/traces?service={service}&name=console-check")
        rows = browser.find_elements(By.CSS_SELECTOR, f'tr.trace[data-trace="{trace_id}"]')
        return rows[0] if rows else None

    row = _poll(listed, 30, f"trace {trace_id} in the trace list")
    row.find_element(By.TAG_NAME, "a").click()
    assert browser.current_url.endswith(f"/traces/{trace_id}")
    waterfall = browser.find_element(By.CSS_SELECTOR, ".waterfall")
    assert "chat console-check-model" in waterfall.text
    assert "model console-check-model" in waterfall.text  # GenAI attributes of the span
    assert "input tokens 321" in waterfall.text
    bars = browser.find_elements(By.CSS_SELECTOR, ".waterfall .span .bar")
    assert len(bars) >= 1
    _screenshot(browser, "console-trace.png", tmp_path)

    # Filters: a span name no trace has lists nothing; malformed ids get a clear page.
    browser.get(f"{state.console_url}/traces?name=no-such-span-anywhere")
    assert browser.find_elements(By.CSS_SELECTOR, "tr.trace") == []
    browser.get(f"{state.console_url}/traces/not-a-trace")
    assert "is not a trace id" in browser.find_element(By.CSS_SELECTOR, ".message").text


def test_an_exemplar_leads_to_its_trace(stack: tuple[StackState, Any], browser: Any) -> None:
    from selenium.webdriver.common.by import By

    state, _ = stack

    def exemplar() -> Any:
        _panel_states(browser, f"{state.console_url}/d/glassbox-llm?from=now-5m")
        for marker in browser.find_elements(By.CSS_SELECTOR, "a.exemplar"):
            trace_id = marker.get_attribute("data-trace")
            if _stored(state.console_url, trace_id):
                return marker
        return None

    marker = _poll(exemplar, 60, "an exemplar whose trace the console has")
    trace_id = marker.get_attribute("data-trace")
    browser.execute_script("arguments[0].click()", marker)
    assert browser.current_url.endswith(f"/traces/{trace_id}")
    assert browser.find_element(By.CSS_SELECTOR, ".waterfall .span")


def test_a_log_line_leads_to_its_trace(
    stack: tuple[StackState, Any], browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    state, _ = stack

    def linked() -> Any:
        browser.get(f"{state.console_url}/logs?q=gen_ai.call+model%3Dgpt-4o-mini")
        for link in browser.find_elements(By.CSS_SELECTOR, "a.trace-link"):
            trace_id = link.get_attribute("href").rsplit("/", 1)[1]
            if _stored(state.console_url, trace_id):
                return link
        return None

    link = _poll(linked, 30, "a gen_ai.call log line whose trace the console has")
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.log")
    assert rows
    assert all("gen_ai.call" in r.text for r in rows)  # the text search filtered
    _screenshot(browser, "console-logs.png", tmp_path)
    trace_id = link.get_attribute("href").rsplit("/", 1)[1]
    link.click()
    assert browser.current_url.endswith(f"/traces/{trace_id}")
    # The trace view lists the log lines of its trace.
    assert browser.find_elements(By.CSS_SELECTOR, "table.logs tr.log")


def _stored(console: str, trace_id: str | None) -> bool:
    import urllib.error
    import urllib.request

    if not trace_id:
        return False
    try:
        with urllib.request.urlopen(f"{console}/traces/{trace_id}", timeout=5) as response:
            return bool(response.status == 200)
    except urllib.error.HTTPError:
        return False


def test_the_overview_after_a_while(
    stack: tuple[StackState, Any], browser: Any, tmp_path: Path
) -> None:
    """Last, with the most history: every overview panel still draws (the docs' screenshot)."""
    state, _ = stack
    states = _panel_states(browser, f"{state.console_url}/d/glassbox-overview?from=now-5m")
    assert set(states.values()) == {"ok"}, states
    _screenshot(browser, "console-overview.png", tmp_path)


def test_gauge_and_bar_panels_draw(stack: tuple[StackState, Any], browser: Any) -> None:
    """The mixin has no gauge or bar panel yet: the Overview's stats redrawn as those types."""
    import copy

    import uvicorn

    from glassbox.console import ConsoleConfig, TelemetryStore, create_app

    state, _ = stack
    board = copy.deepcopy(build(load_decisions().environment("local")).dashboards["overview"])
    board["uid"] = "shapes"
    kinds = iter(["gauge", "bargauge", "barchart", "gauge"])
    for panel in board["panels"]:
        if panel["type"] == "stat":
            panel["type"] = next(kinds, "stat")
    config = ConsoleConfig(
        dashboards={"shapes": board}, prometheus=state.prometheus_url, store=TelemetryStore()
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port))
    thread = threading.Thread(target=server.run)
    thread.start()
    try:
        _poll(lambda: server.started, 10, "the console")
        states = _panel_states(browser, f"http://127.0.0.1:{port}/d/shapes?from=now-5m")
        drawn = browser.execute_script(
            "const o = {}; document.querySelectorAll('section.panel[data-state=ok]').forEach("
            "p => o[p.dataset.type] = (o[p.dataset.type] || 0)"
            " + p.querySelectorAll('svg.gauge, .bar-fill').length); return o;"
        )
    finally:
        server.should_exit = True
        thread.join()
    assert set(states.values()) == {"ok"}, states
    assert drawn["gauge"] >= 2
    assert drawn["bargauge"] >= 1
    assert drawn["barchart"] >= 1
