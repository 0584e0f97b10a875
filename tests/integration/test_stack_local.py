"""``glassbox up``/``down``/``status`` with the real Prometheus, Alertmanager and Pushgateway."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from glassbox.cli import app
from glassbox.stack import (
    SERVICES,
    StackError,
    StackState,
    down,
    free_port,
    get_json,
    status,
    up,
    wait_for_query,
)

pytestmark = pytest.mark.integration


def _ports() -> dict[str, int]:
    return {f"{name}_port": free_port() for name in SERVICES}


def _gone(pid: int) -> bool:
    """No process (not even a zombie) has this pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def _pids(state: StackState) -> dict[str, int]:
    pids = {name: s.pid for name, s in state.services.items()}
    assert all(pid is not None for pid in pids.values()), pids
    return pids  # type: ignore[return-value]


@pytest.fixture
def stack_dir(tmp_path: Path) -> Iterator[Path]:
    """A state directory whose stack is always taken down, whatever the test did."""
    state_dir = tmp_path / "stack"
    try:
        yield state_dir
    finally:
        down(state_dir)


def test_up_starts_ready_services_with_the_generated_configuration(stack_dir: Path) -> None:
    target = f"127.0.0.1:{free_port()}"
    state = up(state_dir=stack_dir, quiet=True, targets={"newsroom": [target]}, **_ports())

    assert state.healthy
    assert state.env == "local"
    assert state.scrape_targets == {"newsroom": (target,)}
    for url in (state.prometheus_url, state.alertmanager_url, state.pushgateway_url):
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{url}/-/ready", timeout=5) as response:
            assert response.status == 200

    flags = get_json(f"{state.prometheus_url}/api/v1/status/flags")["data"]
    assert flags["web.enable-lifecycle"] == "true"
    assert "exemplar-storage" in flags["enable-feature"]
    assert flags["storage.tsdb.path"].startswith(str(stack_dir.resolve()))

    # Prometheus loaded the mixin's rules and sends alerts to this stack's Alertmanager.
    groups = get_json(f"{state.prometheus_url}/api/v1/rules")["data"]["groups"]
    assert {g["name"] for g in groups} >= {"glassbox-llm.rules", "glassbox-cost.rules"}
    assert any(r["type"] == "alerting" for g in groups for r in g["rules"])
    wait_for_query(state.prometheus_url, "up", timeout=15)  # the first scrapes happened
    managers = get_json(f"{state.prometheus_url}/api/v1/alertmanagers")["data"]
    assert [a["url"].split("/api")[0] for a in managers["activeAlertmanagers"]] == [
        state.alertmanager_url
    ]
    targets = get_json(f"{state.prometheus_url}/api/v1/targets")["data"]["activeTargets"]
    scraped = {(t["labels"]["job"], t["labels"]["instance"]) for t in targets}
    assert ("newsroom", target) in scraped
    assert ("pushgateway", state.pushgateway_url.removeprefix("http://")) in scraped

    # The Alertmanager API the demo reads alerts from answers (and holds none yet).
    assert get_json(f"{state.alertmanager_url}/api/v2/alerts") == []


def test_up_is_idempotent_and_down_leaves_no_process(stack_dir: Path) -> None:
    first = up(state_dir=stack_dir, quiet=True, **_ports())
    pids = _pids(first)

    again = up(state_dir=stack_dir, quiet=True)  # no ports given: keeps the running ones
    assert _pids(again) == pids
    assert again.prometheus_url == first.prometheus_url
    assert status(stack_dir) == again

    down(stack_dir)
    assert all(_gone(pid) for pid in pids.values()), pids
    assert status(stack_dir) is None
    assert not list(stack_dir.glob("*.pid"))


def test_up_survives_stale_and_lost_pid_files(stack_dir: Path) -> None:
    pids = _pids(up(state_dir=stack_dir, quiet=True, **_ports()))
    down(stack_dir)
    # Stale: one pid file names a live process that is not ours (this test runner), one a
    # pid that does not exist. Neither may be signalled; both services start afresh.
    (stack_dir / "prometheus.pid").write_text(f"{os.getpid()}\n")
    (stack_dir / "alertmanager.pid").write_text(f"{pids['alertmanager']}\n")
    state = up(state_dir=stack_dir, quiet=True, **_ports())
    assert state.healthy
    fresh = _pids(state)
    assert fresh["prometheus"] != os.getpid()

    # Lost: without its pid file a running service is still found, kept and stopped.
    (stack_dir / "pushgateway.pid").unlink()
    assert _pids(up(state_dir=stack_dir, quiet=True)) == fresh
    (stack_dir / "pushgateway.pid").unlink()
    down(stack_dir)
    assert all(_gone(pid) for pid in fresh.values()), fresh


def test_up_reloads_prometheus_when_its_targets_change(stack_dir: Path) -> None:
    first = up(state_dir=stack_dir, quiet=True, targets={"a": ["127.0.0.1:1"]}, **_ports())
    state = up(state_dir=stack_dir, quiet=True, targets={"b": ["127.0.0.1:2"]})
    assert _pids(state) == _pids(first)  # reloaded, not restarted

    def jobs() -> set[str]:
        targets = get_json(f"{state.prometheus_url}/api/v1/targets")["data"]["activeTargets"]
        return {t["labels"]["job"] for t in targets}

    deadline = time.monotonic() + 20  # target updates are applied every 5 s
    while jobs() != {"b", "pushgateway"} and time.monotonic() < deadline:
        time.sleep(0.2)
    assert jobs() == {"b", "pushgateway"}
    # Explicit targets are kept by a later `up` that names none.
    assert up(state_dir=stack_dir, quiet=True).scrape_targets == {"b": ("127.0.0.1:2",)}


def test_up_refuses_a_taken_port_and_starts_nothing(stack_dir: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        ports = _ports() | {"alertmanager_port": port}
        with pytest.raises(StackError, match=rf"port {port} for alertmanager is in use"):
            up(state_dir=stack_dir, quiet=True, **ports)
    assert not list(stack_dir.glob("*.pid"))


def test_up_refuses_to_move_a_running_service(stack_dir: Path) -> None:
    state = up(state_dir=stack_dir, quiet=True, **_ports())
    other = free_port()
    with pytest.raises(StackError, match="already running on port"):
        up(state_dir=stack_dir, quiet=True, prometheus_port=other)
    assert status(stack_dir) == state


def test_cli_up_status_down(stack_dir: Path) -> None:
    runner = CliRunner()
    ports = _ports()
    args = ["--state-dir", str(stack_dir)]
    port_args = [f"--{k.removesuffix('_port')}-port={v}" for k, v in ports.items()]

    result = runner.invoke(app, ["up", *args, *port_args, "--target", "svc=127.0.0.1:9"])
    assert result.exit_code == 0, result.output
    for port in ports.values():
        assert f"http://127.0.0.1:{port}" in result.output

    result = runner.invoke(app, ["status", *args])
    assert result.exit_code == 0, result.output
    state = status(stack_dir)
    assert state is not None
    for service in state.services.values():
        assert service.name in result.output
        assert str(service.pid) in result.output
        assert service.url in result.output
    assert result.output.count("ready") == len(SERVICES)

    result = runner.invoke(app, ["status", *args, "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["healthy"] is True
    assert set(body["services"]) == set(SERVICES)
    for name, service in body["services"].items():
        assert service["url"] == f"http://127.0.0.1:{ports[f'{name}_port']}"
        assert (service["running"], service["ready"]) == (True, True)
    assert body["services"]["console"]["otlp"] == f"http://127.0.0.1:{ports['console_port']}"

    result = runner.invoke(app, ["down", *args])
    assert result.exit_code == 0, result.output
    assert "stopped prometheus" in result.output
    result = runner.invoke(app, ["status", *args])
    assert result.exit_code == 1
    assert "not running" in result.output


def test_up_from_a_separate_process_outlives_it(stack_dir: Path) -> None:
    """`glassbox up` returns while the services keep running; `down` from here stops them."""
    ports = _ports()
    port_args = [f"--{k.removesuffix('_port')}-port={v}" for k, v in ports.items()]
    code = "from glassbox.cli import main; main()"
    proc = subprocess.run(
        [sys.executable, "-c", code, "up", "-q", "--state-dir", str(stack_dir), *port_args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    state = status(stack_dir)
    assert state is not None
    assert state.healthy
    recorded = json.loads((stack_dir / "stack.json").read_text())
    assert recorded["ports"] == {name: ports[f"{name}_port"] for name in SERVICES}
    pids = _pids(state)
    down(stack_dir)
    assert all(_gone(pid) for pid in pids.values()), pids
