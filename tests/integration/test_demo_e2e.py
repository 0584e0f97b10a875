"""End to end: a real local stack, the demo with a provider error burst, and a clean run.

The demo runs as the user runs it (``glassbox demo`` in its own process) against a stack
started on free loopback ports. Alertmanager's own API is the judge: the injected
error burst must arrive there as ``GlassboxLLMHighErrorRate``, the demo must report its
time to detect, a clean run must fire nothing, and ``down`` must leave no process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from glassbox.demo._alerts import _unix
from glassbox.stack import down, free_port, get_json, up
from glassbox.stack._state import StackState, is_alive

pytestmark = pytest.mark.integration


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[StackState]:
    state_dir = tmp_path / "stack"
    state = up(
        env="local",
        state_dir=state_dir,
        prometheus_port=free_port(),
        alertmanager_port=free_port(),
        pushgateway_port=free_port(),
        console_port=free_port(),
        quiet=True,
        targets={"newsroom": [f"127.0.0.1:{free_port()}"]},
    )
    pids = [s.pid for s in state.services.values()]
    try:
        yield state
    finally:
        down(state_dir)
    assert all(pid is not None for pid in pids)
    left = [pid for pid in pids if pid is not None and is_alive(pid)]
    assert not left, f"processes left after down: {left}"


def _demo(state: StackState, out: Path, *args: str) -> subprocess.Popen[str]:
    command = [
        sys.executable, "-c", "from glassbox.cli import main; main()",
        "demo", "--state-dir", str(state.state_dir), "--no-live", "--summary-json", str(out),
        *args,
    ]  # fmt: skip
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "OTEL_EXPORTER_OTLP_ENDPOINT": ""},
    )  # fmt: skip


def _finish(process: subprocess.Popen[str], timeout: float) -> str:
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail(f"the demo did not finish in {timeout}s:\n{output}")
    assert process.returncode == 0, output
    return output


def _alerts(state: StackState) -> list[dict[str, Any]]:
    alerts: list[dict[str, Any]] = get_json(f"{state.alertmanager_url}/api/v2/alerts?active=true")
    return [a for a in alerts if a["labels"].get("env") == "local"]


def test_demo_detects_a_provider_error_burst_and_a_clean_run_fires_nothing(
    stack: StackState, tmp_path: Path
) -> None:
    # A clean run first: no fault, no alert.
    clean_out = tmp_path / "clean.json"
    output = _finish(_demo(stack, clean_out, "--scenario", "none", "--duration", "30s"), 90)
    clean = json.loads(clean_out.read_text())
    assert clean["alerts"] == [], output
    assert clean["llm"]["calls"] > 20
    assert clean["llm"]["errors"] == 0
    during = [
        a["labels"]["alertname"]
        for a in _alerts(stack)
        if clean["started_at"] <= _unix(a["startsAt"]) <= clean["ended_at"]
    ]
    assert during == [], f"alerts fired during the clean run: {during}"
    assert "No alert fired during the run." in output
    # The demo's spans went to the console, whose URL the summary ends with.
    assert f"Console: {stack.console_url}/d/glassbox-overview" in output
    assert clean["slowest_editor_run"]["trace_id"]
    slowest = f"{stack.console_url}/traces/{clean['slowest_editor_run']['trace_id']}"
    assert f"Slowest trace: {slowest}" in output
    with urllib.request.urlopen(slowest, timeout=10) as page:
        assert "invoke_agent" in page.read().decode()

    # Then the provider error burst: watch Alertmanager while the demo runs.
    out = tmp_path / "errors.json"
    process = _demo(
        stack, out, "--scenario", "provider-errors", "--warmup", "10", "--duration", "90s",
        "--stop-when-detected",
    )  # fmt: skip
    arrived: dict[str, Any] | None = None
    deadline = time.monotonic() + 100
    while arrived is None and process.poll() is None and time.monotonic() < deadline:
        arrived = next(
            (a for a in _alerts(stack) if a["labels"]["alertname"] == "GlassboxLLMHighErrorRate"),
            None,
        )
        time.sleep(0.5)
    output = _finish(process, 100)
    assert arrived is not None, f"GlassboxLLMHighErrorRate never reached Alertmanager:\n{output}"
    assert arrived["labels"]["gen_ai_provider_name"] == "openai"
    assert arrived["labels"]["service"] == "newsroom"

    summary = json.loads(out.read_text())
    [injection] = summary["injections"]
    assert injection["scenario"] == "provider-errors"
    assert injection["detected_by"] == "GlassboxLLMHighErrorRate"
    assert 0 < injection["time_to_detect"] <= 60
    detections = [a for a in summary["alerts"] if a["role"] == "detects"]
    assert detections
    assert detections[0]["time_to_detect_seconds"] == pytest.approx(
        injection["time_to_detect"], abs=0.01
    )
    assert not [a for a in summary["alerts"] if a["role"] == "unexpected"], output
    assert f"{injection['time_to_detect']:.1f}s" in output  # the printed summary says it too
