"""The local stack as a library: :func:`up`, :func:`down` and :func:`status`.

``up`` generates the mixin's configuration for one environment of the decisions file
under ``<state dir>/config``, then makes sure a ``prometheus``, a
``prometheus-alertmanager``, a ``prometheus-pushgateway`` and the Glassbox console
(``python -m glassbox.console``: the mixin's dashboards, alerts, and an OTLP receiver for
traces and logs) run for that state directory, on loopback, and answer ``/-/ready``. It
converges rather than starts: a service that already runs is kept (and reloaded when its
configuration changed), a stale
pid file is removed, and only what is missing is started. ``down`` stops every process of
the stack and leaves none behind; data, configuration and logs stay for the next ``up``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from glassbox.exceptions import ConfigError, StackError
from glassbox.stack._process import (
    Service,
    require_binary,
    start_alertmanager,
    start_console,
    start_prometheus,
    start_pushgateway,
    wait_http_ok,
)
from glassbox.stack._state import (
    SERVICES,
    ServiceState,
    StackState,
    listen_port,
    owned_pids,
    owns,
    pid_file,
    probe_ready,
    read_pid,
    read_state_file,
    remove_state_file,
    running_pid,
    stop_pid,
    write_state_file,
)

if TYPE_CHECKING:
    import subprocess

    from rich.table import Table

    from glassbox.mixin import Environment

__all__ = [
    "DEFAULT_PORTS",
    "DEFAULT_STATE_DIR",
    "StackError",
    "down",
    "state_table",
    "status",
    "up",
]

#: Where the stack keeps configuration, data, logs and pid files, relative to the project.
DEFAULT_STATE_DIR = Path(".glassbox")
#: Each service's usual port (clear of the SDK's 9464 and the simulator's 8765).
DEFAULT_PORTS: dict[str, int] = {
    "prometheus": 9090,
    "alertmanager": 9093,
    "pushgateway": 9091,
    "console": 9095,
}

# Processes started by this interpreter, kept so that `down` reaps them (no zombies) and
# so that Popen does not warn about still-running children when it is collected.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def up(
    env: str = "local",
    config: Path | str | None = None,
    state_dir: Path | str = DEFAULT_STATE_DIR,
    prometheus_port: int | None = None,
    alertmanager_port: int | None = None,
    pushgateway_port: int | None = None,
    quiet: bool = False,
    *,
    console_port: int | None = None,
    targets: Mapping[str, Sequence[str]] | None = None,
    timeout: float = 60.0,
) -> StackState:
    """Bring the local stack up for ``env`` and return its state once every service is ready.

    Idempotent: services already running for ``state_dir`` are kept (reloaded if their
    generated configuration changed), stale pid files are replaced, missing services
    are started.

    Args:
        env: Environment of the decisions file whose configuration the stack runs.
        config: Decisions file (default: the one shipped with Glassbox).
        state_dir: Directory for configuration, data, logs and pid files.
        prometheus_port: Port of Prometheus; None keeps a running one's or uses 9090.
        alertmanager_port: Port of Alertmanager; None keeps a running one's or uses 9093.
        pushgateway_port: Port of the Pushgateway; None keeps a running one's or uses 9091.
        console_port: Port of the console; None keeps a running one's or uses 9095.
        quiet: Print nothing (otherwise progress and the URLs are printed with rich).
        targets: SDK metrics endpoints to scrape by service (``{"newsroom":
            ["127.0.0.1:8000"]}``), replacing the decisions file's ``targets``.
        timeout: Seconds to wait for each service to become ready.

    Returns:
        The stack's state; ``state.healthy`` is true.

    Raises:
        MissingBinaryError: A binary is not installed; the message names its package.
        ConfigError: A port is not a TCP port.
        DecisionsError: The decisions file or the environment is invalid.
        StackError: A port is taken, a service is running on another port than the one
            requested, or a service failed to start.
    """
    from rich.console import Console

    console = Console(quiet=quiet, highlight=False)
    root = Path(state_dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    requested = {
        "prometheus": prometheus_port,
        "alertmanager": alertmanager_port,
        "pushgateway": pushgateway_port,
        "console": console_port,
    }
    with _locked(root):
        pids: dict[str, int | None] = {}
        for name in SERVICES:
            pids[name] = pid = running_pid(root, name)
            if pid is None and pid_file(root, name).exists():
                console.print(f"[yellow]removing the stale pid file of {name}[/]")
                pid_file(root, name).unlink()
            elif pid is not None and read_pid(root, name) != pid:
                console.print(f"[yellow]{name} runs as pid {pid}; rewriting its pid file[/]")
                pid_file(root, name).write_text(f"{pid}\n")
        recorded = read_state_file(root) or {}
        ports = _ports(pids, requested, recorded.get("ports", {}))
        if targets is None and recorded.get("explicit_targets"):
            targets = recorded.get("scrape_targets")
        environment = _environment(env, config, ports, targets)
        changed = _write_config(environment, root / "config")
        for name, pid in pids.items():
            if pid is None:
                continue
            if name in changed:
                console.print(f"reloading {name} (its configuration changed)")
                _reload(name, ports[name], root)
            wait_http_ok(f"http://127.0.0.1:{ports[name]}/-/ready", timeout)
        missing = [name for name, pid in pids.items() if pid is None]
        for name in missing:
            if name != "console":
                require_binary(SERVICES[name])
            _check_port_free(name, ports[name])
        if missing:
            console.print(f"starting {', '.join(missing)} …")
            _start(missing, root, ports, timeout, env=env, decisions=config)
        write_state_file(root, env, dict(environment.targets), ports, targets is not None)
    state = _observe(root)
    assert state is not None  # the state file was just written
    console.print(state_table(state))
    return state


def down(state_dir: Path | str = DEFAULT_STATE_DIR) -> None:
    """Stop every process of the stack in ``state_dir`` and remove its pid files.

    Only processes that belong to this state directory are signalled (a pid file whose
    pid now names another process is just removed). Data, configuration and logs stay.
    """
    root = Path(state_dir).resolve()
    if not root.is_dir():
        return
    with _locked(root):
        for name in SERVICES:
            pids = set(owned_pids(root, name))
            recorded = read_pid(root, name)
            if recorded is not None and owns(root, name, recorded):
                pids.add(recorded)
            for pid in sorted(pids):
                stop_pid(pid)
                child = _CHILDREN.pop(pid, None)
                if child is not None:
                    child.poll()
            pid_file(root, name).unlink(missing_ok=True)
        remove_state_file(root)


def status(state_dir: Path | str = DEFAULT_STATE_DIR) -> StackState | None:
    """The stack in ``state_dir`` as it is now, or None when it was never started or is down.

    Each service is probed: ``running`` (a live process of this stack) and ``ready``
    (``/-/ready`` answered). ``state.healthy`` tells whether all are both.
    """
    return _observe(Path(state_dir).resolve())


def state_table(state: StackState) -> Table:
    """A rich table of the services: name, pid, URL and health."""
    from rich.table import Table

    table = Table(title=f"glassbox stack ({state.env}) — {state.state_dir}", title_justify="left")
    for column in ("service", "pid", "url", "health"):
        table.add_column(column)
    for service in state.services.values():
        if service.running and service.ready:
            health = "[green]ready[/]"
        elif service.running:
            health = "[yellow]not ready[/]"
        else:
            health = "[red]stopped[/]"
        pid = str(service.pid) if service.pid is not None else "-"
        table.add_row(service.name, pid, service.url, health)
    targets = ", ".join(f"{k}={' '.join(v)}" for k, v in sorted(state.scrape_targets.items()))
    table.caption = f"scraping SDK endpoints: {targets or 'none'}"
    table.caption_justify = "left"
    return table


# -- helpers ------------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """Serialise up/down on one state directory (two terminals, or a test and a demo)."""
    with (root / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _ports(
    pids: Mapping[str, int | None],
    requested: Mapping[str, int | None],
    recorded: Mapping[str, int],
) -> dict[str, int]:
    """Each service's port: the running one's, else the requested, last used or default."""
    ports: dict[str, int] = {}
    for name, pid in pids.items():
        current = listen_port(pid) if pid is not None else None
        wanted = requested[name]
        if wanted is not None and not 0 < wanted < 65536:
            raise ConfigError(f"{name}_port", wanted, "a TCP port, 1-65535")
        if current is not None and wanted is not None and current != wanted:
            raise StackError(
                f"{name} is already running on port {current} (pid {pid}), not {wanted}; "
                "run `glassbox down` first to move it"
            )
        ports[name] = current or wanted or int(recorded.get(name, DEFAULT_PORTS[name]))
    return ports


def _environment(
    env: str,
    config: Path | str | None,
    ports: Mapping[str, int],
    targets: Mapping[str, Sequence[str]] | None,
) -> Environment:
    """The decisions' environment, pointed at the ports this stack really uses."""
    from glassbox.mixin import load_decisions

    environment = load_decisions(config).environment(env)
    prometheus = dataclasses.replace(
        environment.datasources.prometheus, url=f"http://127.0.0.1:{ports['prometheus']}"
    )
    return dataclasses.replace(
        environment,
        datasources=dataclasses.replace(environment.datasources, prometheus=prometheus),
        alertmanager=f"127.0.0.1:{ports['alertmanager']}",
        pushgateway=f"127.0.0.1:{ports['pushgateway']}",
        targets=(
            environment.targets
            if targets is None
            else {service: tuple(addresses) for service, addresses in targets.items()}
        ),
    )


def _snapshot(directory: Path) -> dict[Path, bytes]:
    return {p.relative_to(directory): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


def _write_config(environment: Environment, config_dir: Path) -> set[str]:
    """Write the mixin's files; return the services whose configuration changed."""
    from glassbox.mixin import build
    from glassbox.render import mixin_files, write_files

    before = _snapshot(config_dir) if config_dir.is_dir() else {}
    write_files(mixin_files(build(environment)), config_dir)
    after = _snapshot(config_dir)
    changed = {path.parts[0] for path in after if before.get(path) != after[path]}
    return changed & set(SERVICES)


def _reload(name: str, port: int, root: Path) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/-/reload", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30):
            return
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip()
    except OSError as exc:
        detail = str(exc)
    raise StackError(f"{name} rejected its new configuration: {detail}; see {root / f'{name}.log'}")


def _check_port_free(name: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise StackError(
                f"port {port} for {name} is in use by another process; pass "
                f"--{name}-port with a free port (or {name}_port=… to up()), or stop "
                "whatever listens there"
            ) from None


def _start(
    names: Sequence[str],
    root: Path,
    ports: Mapping[str, int],
    timeout: float,
    *,
    env: str,
    decisions: Path | str | None,
) -> None:
    """Start ``names`` concurrently; on any failure stop the ones that did start."""
    config = root / "config"
    (root / "pushgateway-data").mkdir(exist_ok=True)
    starters: dict[str, Callable[[], Service]] = {
        "prometheus": lambda: start_prometheus(
            config / "prometheus" / "prometheus.yml",
            root,
            ports["prometheus"],
            extra_args=["--web.external-url=" + f"http://127.0.0.1:{ports['prometheus']}"],
            timeout=timeout,
        ),
        "alertmanager": lambda: start_alertmanager(
            config / "alertmanager" / "alertmanager.yml",
            root,
            ports["alertmanager"],
            extra_args=["--web.external-url=" + f"http://127.0.0.1:{ports['alertmanager']}"],
            timeout=timeout,
        ),
        "pushgateway": lambda: start_pushgateway(
            root,
            ports["pushgateway"],
            extra_args=[f"--persistence.file={root / 'pushgateway-data' / 'metrics.db'}"],
            timeout=timeout,
        ),
        "console": lambda: start_console(
            root,
            ports["console"],
            prometheus=f"http://127.0.0.1:{ports['prometheus']}",
            alertmanager=f"http://127.0.0.1:{ports['alertmanager']}",
            env=env,
            config=decisions,
            logs=(str(root / "demo" / "*.jsonl"),),
            timeout=timeout,
        ),
    }
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        futures = {name: pool.submit(starters[name]) for name in names}
    started: list[Service] = []
    errors: list[str] = []
    for name, future in futures.items():
        try:
            started.append(future.result())
        except RuntimeError as exc:  # MissingBinaryError too
            errors.append(f"{name}: {exc}")
    if errors:
        for service in started:
            service.stop()
        raise StackError("the stack did not start: " + "; ".join(errors))
    for service in started:
        _CHILDREN[service.process.pid] = service.process
        pid_file(root, service.name).write_text(f"{service.process.pid}\n")


def _observe(root: Path) -> StackState | None:
    recorded = read_state_file(root)
    if recorded is None:
        return None
    recorded_ports = recorded.get("ports", {})
    services: dict[str, ServiceState] = {}
    for name in SERVICES:
        pid = running_pid(root, name)
        port = (listen_port(pid) if pid is not None else None) or int(
            recorded_ports.get(name, DEFAULT_PORTS[name])
        )
        services[name] = ServiceState(
            name=name,
            pid=pid,
            port=port,
            running=pid is not None,
            ready=pid is not None and probe_ready(port),
            log_path=root / f"{name}.log",
        )
    targets = {str(k): tuple(v) for k, v in recorded.get("scrape_targets", {}).items()}
    return StackState(str(recorded.get("env", "")), root, services, targets)
