"""Unit tests of the stack's pid handling, port resolution, top's queries and rendering."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import promql_parser
import pytest
from rich.console import Console
from typer.testing import CliRunner

from glassbox import semconv
from glassbox.cli import app
from glassbox.exceptions import ConfigError
from glassbox.stack import (
    DEFAULT_PORTS,
    Alert,
    MissingBinaryError,
    ModelRow,
    Overview,
    render_overview,
    status,
    up,
)
from glassbox.stack._local import _ports
from glassbox.stack._state import is_alive, owns, pid_file, running_pid
from glassbox.stack._top import STAGES, overview_queries


def test_default_ports_avoid_the_sdk_and_the_simulator() -> None:
    from glassbox.cli._simulate import DEFAULT_PORT as SIMULATOR_PORT

    assert len(set(DEFAULT_PORTS.values())) == len(DEFAULT_PORTS) == 4
    assert not {9464, SIMULATOR_PORT} & set(DEFAULT_PORTS.values())


def test_a_pid_file_naming_another_process_is_stale(tmp_path: Path) -> None:
    pid_file(tmp_path, "prometheus").write_text(f"{os.getpid()}\n")
    assert is_alive(os.getpid())
    assert not owns(tmp_path, "prometheus", os.getpid())
    assert running_pid(tmp_path, "prometheus") is None


def test_an_exited_child_is_reaped_and_not_alive() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not is_alive(child.pid)


def test_ports_keep_the_running_one_then_requested_then_recorded_then_default() -> None:
    pids: dict[str, int | None] = dict.fromkeys(DEFAULT_PORTS)
    requested: dict[str, int | None] = {
        "prometheus": 19090,
        "alertmanager": None,
        "pushgateway": None,
        "console": None,
    }
    recorded = {"alertmanager": 19093}
    assert _ports(pids, requested, recorded) == {
        "prometheus": 19090,
        "alertmanager": 19093,
        "pushgateway": DEFAULT_PORTS["pushgateway"],
        "console": DEFAULT_PORTS["console"],
    }
    with pytest.raises(ConfigError, match="prometheus_port=70000: expected a TCP port"):
        _ports(pids, {**requested, "prometheus": 70000}, {})


def test_up_names_the_package_of_a_missing_binary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no binaries at all
    with pytest.raises(MissingBinaryError, match="apt-get install prometheus"):
        up(state_dir=tmp_path / "state", quiet=True, prometheus_port=1)
    assert not list((tmp_path / "state").glob("*.pid"))
    result = CliRunner().invoke(app, ["up", "-d", str(tmp_path / "state")])
    assert result.exit_code == 2  # a missing program is a setup problem: bad usage
    assert "apt-get install prometheus" in result.output


def test_status_of_a_directory_that_never_ran_a_stack(tmp_path: Path) -> None:
    assert status(tmp_path) is None
    result = CliRunner().invoke(app, ["status", "-d", str(tmp_path)])
    assert result.exit_code == 1
    assert "not running" in result.output
    result = CliRunner().invoke(app, ["status", "-d", str(tmp_path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output) == {
        "state_dir": str(tmp_path),
        "healthy": False,
        "services": {},
    }


def test_up_rejects_a_bad_target(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["up", "-d", str(tmp_path), "--target", "newsroom:8000"])
    assert result.exit_code == 2
    assert "invalid --target=newsroom:8000: expected SERVICE=HOST:PORT" in result.output


def test_top_queries_parse_and_name_only_contract_metrics() -> None:
    queries = overview_queries("30s", 'env="prod"', now=0.0)
    contract = {sample for spec in semconv.ALL_METRICS for sample in spec.series}
    for key, expr in queries.items():
        promql_parser.parse(expr)  # raises on a syntax error
        names = set(re.findall(r"\b([a-zA-Z_:][\w:]*)\{", expr))
        assert names, key
        assert names <= contract | {"ALERTS"}, (key, names - contract)
        assert 'env="prod"' in expr, key
    assert {f"p95:{stage}" for stage in STAGES} <= set(queries)


def test_cost_today_covers_the_time_since_local_midnight() -> None:
    import datetime as dt

    local_noon = dt.datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0)
    expr = overview_queries(now=local_noon.timestamp())["cost_today"]
    assert "[43200s]" in expr


def _frame(**changes: object) -> Overview:
    base = Overview(
        prometheus_url="http://127.0.0.1:9090",
        window="1m",
        taken_at=0.0,
        request_rate=12.5,
        error_ratio=0.25,
        p95_seconds={
            "total": 1.5,
            "time to first chunk": 0.25,
            "per chunk": None,
            "queue wait": 0.01,
        },
        tokens_per_second=4200.0,
        cost_today=3.21,
        in_flight=4,
        queue_depth={"ingest": 17},
        models=[ModelRow("openai", "gpt-4o-mini", 12.5, 0.25, 1.5, 4200.0, 0.9)],
        alerts=[Alert("GlassboxLLMHighErrorRate", "warning", "firing", {})],
    )
    return Overview(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_render_shows_each_panel() -> None:
    console = Console(width=160, record=True)
    console.print(render_overview(_frame()))
    text = console.export_text()
    for expected in ("12.50/s", "25.0%", "1.50 s", "250 ms", "4,200/s", "$3.21", "ingest", "17",
                     "gpt-4o-mini", "GlassboxLLMHighErrorRate", "firing"):  # fmt: skip
        assert expected in text, expected
    assert "–" in text  # the stage without data shows a dash, not zero


def test_render_says_when_nothing_fires() -> None:
    console = Console(width=160, record=True)
    console.print(render_overview(_frame(alerts=[], errors=["alerts: boom"])))
    text = console.export_text()
    assert "none" in text
    assert "query failed: alerts: boom" in text
