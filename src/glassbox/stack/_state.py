"""What the local stack is: its services, their pid files, and whether they are alive.

A running service is known by its pid file (``<state dir>/<service>.pid``). A pid file is
trusted only when the process it names is alive, is the expected binary, and was started
for *this* state directory (its command line names files under it) — so a stale pid file,
or one whose pid the kernel has since given to another process, is recognised and never
signalled. The port of a running service is read from its own command line, which makes
the processes themselves the source of truth.
"""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "SERVICES",
    "ServiceState",
    "StackState",
    "is_alive",
    "listen_port",
    "owned_pids",
    "owns",
    "pid_file",
    "probe_ready",
    "read_pid",
    "read_state_file",
    "remove_state_file",
    "running_pid",
    "stop_pid",
    "write_state_file",
]

#: The services of the local stack: name → what runs it, a binary (the Debian package of
#: the same name) or ``python -m MODULE`` (the console runs in this Python).
SERVICES: dict[str, str] = {
    "prometheus": "prometheus",
    "alertmanager": "prometheus-alertmanager",
    "pushgateway": "prometheus-pushgateway",
    "console": "python -m glassbox.console",
}

_STATE_FILE = "stack.json"


@dataclass(frozen=True)
class ServiceState:
    """One service of the local stack as last observed.

    Attributes:
        name: ``prometheus``, ``alertmanager``, ``pushgateway`` or ``console``.
        pid: The process id, or None when no live process belongs to this stack.
        port: The loopback port it listens on.
        running: A live process of the right binary, started for this state directory.
        ready: Its ``/-/ready`` endpoint answered 200.
        log_path: Where its standard output and error go.
    """

    name: str
    pid: int | None
    port: int
    running: bool
    ready: bool
    log_path: Path

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"


@dataclass(frozen=True)
class StackState:
    """The local stack: where it lives, what it scrapes, and each service's state.

    Attributes:
        env: The decisions-file environment its configuration was generated for.
        state_dir: The project-local directory holding configuration, data, logs, pids.
        services: ``prometheus``, ``alertmanager``, ``pushgateway`` and ``console``.
        scrape_targets: The SDK metrics endpoints Prometheus scrapes, by service
            (``{"newsroom": ("127.0.0.1:8000",)}``); serve ``/metrics`` there.
        config_dir: The generated mixin files (``prometheus/``, ``alertmanager/``, …).
    """

    env: str
    state_dir: Path
    services: dict[str, ServiceState]
    scrape_targets: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def config_dir(self) -> Path:
        return self.state_dir / "config"

    @property
    def prometheus_url(self) -> str:
        return self.services["prometheus"].url

    @property
    def alertmanager_url(self) -> str:
        return self.services["alertmanager"].url

    @property
    def pushgateway_url(self) -> str:
        return self.services["pushgateway"].url

    @property
    def console_url(self) -> str:
        return self.services["console"].url

    @property
    def otlp_endpoint(self) -> str:
        """The console's OTLP/HTTP base URL, for ``OTEL_EXPORTER_OTLP_ENDPOINT``."""
        return self.services["console"].url

    def as_dict(self) -> dict[str, Any]:
        """Every service's URL and state as JSON-ready data (``glassbox status --json``)."""
        services: dict[str, dict[str, Any]] = {}
        for s in self.services.values():
            services[s.name] = {
                "url": s.url,
                "pid": s.pid,
                "running": s.running,
                "ready": s.ready,
                "log": str(s.log_path),
            }
        if "console" in services:
            services["console"]["otlp"] = self.otlp_endpoint
        return {
            "env": self.env,
            "state_dir": str(self.state_dir),
            "healthy": self.healthy,
            "services": services,
            "scrape_targets": {k: list(v) for k, v in sorted(self.scrape_targets.items())},
        }

    @property
    def healthy(self) -> bool:
        """Every service is running and ready."""
        return all(s.running and s.ready for s in self.services.values())


def pid_file(state_dir: Path, name: str) -> Path:
    """The pid file of service ``name``."""
    return state_dir / f"{name}.pid"


def read_pid(state_dir: Path, name: str) -> int | None:
    """The pid recorded for ``name``, or None when there is no readable pid file."""
    try:
        return int(pid_file(state_dir, name).read_text().strip())
    except (OSError, ValueError):
        return None


def is_alive(pid: int) -> bool:
    """The process exists and is not a zombie (our own exited children are reaped)."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    except ChildProcessError:
        pass  # not our child: ask the kernel below
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no procfs: kill(0) is all we know
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _cmdline(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _runs(argv: list[str], command: str) -> bool:
    """``argv`` is ``command``: the binary itself, or some Python running ``-m MODULE``."""
    if command.startswith("python -m "):
        module = command.rsplit(" ", 1)[1]
        return "python" in os.path.basename(argv[0]) and argv[1:3] == ["-m", module]
    return os.path.basename(argv[0]) == command


def _owned(pid: int, binary: str, state_dir: Path) -> bool:
    """``pid`` runs ``binary`` with arguments under ``state_dir`` (not a reused pid)."""
    argv = _cmdline(pid)
    if argv is None:
        return not Path("/proc").is_dir()  # no procfs: trust the pid file
    if not argv or not _runs(argv, binary):
        return False
    root = str(state_dir.resolve())
    return any(root + os.sep in arg for arg in argv[1:])


def running_pid(state_dir: Path, name: str) -> int | None:
    """The pid of the live process of ``name`` for this state directory, else None.

    The pid file is checked first; when it is missing or stale, the process table is
    searched, so a process whose pid file was lost is still found (and can be stopped).
    """
    pid = read_pid(state_dir, name)
    if pid is not None and owns(state_dir, name, pid):
        return pid
    found = owned_pids(state_dir, name)
    return found[0] if found else None


def owns(state_dir: Path, name: str, pid: int) -> bool:
    """``pid`` is a live ``name`` process of this state directory (not a reused pid)."""
    return is_alive(pid) and _owned(pid, SERVICES[name], state_dir)


def owned_pids(state_dir: Path, name: str) -> list[int]:
    """Every live process of ``name`` started for ``state_dir`` (a /proc scan; [] without it)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    pids: list[int] = []
    for entry in proc.iterdir():
        if entry.name.isdigit():
            pid = int(entry.name)
            if _owned(pid, SERVICES[name], state_dir) and is_alive(pid):
                pids.append(pid)
    return sorted(pids)


def listen_port(pid: int) -> int | None:
    """The port in the process's ``--web.listen-address=HOST:PORT`` argument."""
    for arg in _cmdline(pid) or []:
        if arg.startswith("--web.listen-address="):
            try:
                return int(arg.rsplit(":", 1)[1])
            except ValueError:
                return None
    return None


def probe_ready(port: int, timeout: float = 1.0) -> bool:
    """``GET /-/ready`` on loopback answered 200 within ``timeout``."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=timeout) as r:
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def stop_pid(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM the process group of ``pid`` (its own session), SIGKILL it after ``timeout``.

    Returns once the process is gone (reaped when it is our child).
    """
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        delay = 0.01
        while time.monotonic() < deadline:
            if not is_alive(pid):
                return
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
    if is_alive(pid):  # pragma: no cover  (SIGKILL cannot be ignored)
        raise RuntimeError(f"process {pid} survived SIGKILL")


def write_state_file(
    state_dir: Path,
    env: str,
    targets: dict[str, tuple[str, ...]],
    ports: dict[str, int],
    explicit_targets: bool,
) -> None:
    """Record what the stack was configured for (the pids live in the pid files)."""
    body = {
        "env": env,
        "ports": ports,
        "scrape_targets": {k: list(v) for k, v in targets.items()},
        "explicit_targets": explicit_targets,
    }
    tmp = state_dir / f".{_STATE_FILE}.tmp"
    tmp.write_text(json.dumps(body, indent=2) + "\n")
    tmp.replace(state_dir / _STATE_FILE)


def read_state_file(state_dir: Path) -> dict[str, Any] | None:
    """The recorded configuration, or None when the stack was never started or is down."""
    try:
        body = json.loads((state_dir / _STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def remove_state_file(state_dir: Path) -> None:
    (state_dir / _STATE_FILE).unlink(missing_ok=True)
