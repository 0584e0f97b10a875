"""Start, probe and stop the real Prometheus, Alertmanager and Pushgateway binaries.

Used by ``glassbox up`` and by the integration tests. Every service binds to loopback on
a port the caller chooses (:func:`free_port` finds one), keeps its state in a directory
the caller owns, and is stopped with SIGTERM then SIGKILL.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from glassbox.exceptions import MissingBinaryError

__all__ = [
    "BINARY_PACKAGES",
    "MissingBinaryError",
    "Service",
    "free_port",
    "require_binary",
    "start_alertmanager",
    "start_console",
    "start_prometheus",
    "start_pushgateway",
    "wait_http_ok",
]

#: The Debian package that provides each binary.
BINARY_PACKAGES = {
    "prometheus": "prometheus",
    "promtool": "prometheus",
    "prometheus-alertmanager": "prometheus-alertmanager",
    "amtool": "prometheus-alertmanager",
    "prometheus-pushgateway": "prometheus-pushgateway",
}


def require_binary(name: str) -> str:
    """Return the full path of ``name`` or raise :class:`MissingBinaryError`."""
    path = shutil.which(name)
    if path is None:
        package = BINARY_PACKAGES.get(name, name)
        raise MissingBinaryError(
            f"{name!r} was not found on PATH. Install it with "
            f"`apt-get install {package}` (or run `make setup`)."
        )
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http_ok(
    url: str, timeout: float = 30.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll ``url`` until it answers 200, the process dies, or ``timeout`` passes.

    Raises:
        TimeoutError: Not ready in time.
        RuntimeError: The process exited while we waited.
    """
    deadline = time.monotonic() + timeout
    delay = 0.02
    last_error = ""
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"process exited with code {process.returncode} before {url} was ready"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last_error = str(exc)
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)
    raise TimeoutError(f"{url} was not ready after {timeout:.0f}s (last error: {last_error})")


@dataclass
class Service:
    """A running service process; a context manager that stops it on exit."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    args: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)

    def __enter__(self) -> Service:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _spawn(
    name: str,
    binary: str,
    args: list[str],
    port: int,
    state_dir: Path,
    ready_path: str,
    timeout: float,
) -> Service:
    return _spawn_command(
        name, [require_binary(binary), *args], port, state_dir, ready_path, timeout
    )


def _spawn_command(
    name: str,
    command: list[str],
    port: int,
    state_dir: Path,
    ready_path: str,
    timeout: float,
) -> Service:
    state_dir.mkdir(parents=True, exist_ok=True)
    log_path = state_dir / f"{name}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    service = Service(name, process, port, log_path, command)
    try:
        wait_http_ok(f"{service.url}{ready_path}", timeout, process)
    except (TimeoutError, RuntimeError) as exc:
        service.stop()
        raise RuntimeError(
            f"{name} did not start: {exc}\n--- {log_path} ---\n{service.log_tail()}"
        ) from exc
    return service


def start_prometheus(
    config_file: Path,
    state_dir: Path,
    port: int | None = None,
    *,
    extra_args: list[str] | None = None,
    timeout: float = 60.0,
) -> Service:
    """Start ``prometheus`` with ``config_file``, its TSDB under ``state_dir``.

    Exemplar storage and the lifecycle API (``/-/reload``) are enabled.
    """
    port = port or free_port()
    args = [
        f"--config.file={config_file}",
        f"--storage.tsdb.path={state_dir / 'prometheus-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--web.enable-lifecycle",
        "--enable-feature=exemplar-storage",
        *(extra_args or []),
    ]
    return _spawn("prometheus", "prometheus", args, port, state_dir, "/-/ready", timeout)


def start_alertmanager(
    config_file: Path,
    state_dir: Path,
    port: int | None = None,
    *,
    extra_args: list[str] | None = None,
    timeout: float = 60.0,
) -> Service:
    """Start ``prometheus-alertmanager`` with ``config_file``, single node, on loopback."""
    port = port or free_port()
    args = [
        f"--config.file={config_file}",
        f"--storage.path={state_dir / 'alertmanager-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
        *(extra_args or []),
    ]
    return _spawn(
        "alertmanager", "prometheus-alertmanager", args, port, state_dir, "/-/ready", timeout
    )


def start_pushgateway(
    state_dir: Path,
    port: int | None = None,
    *,
    extra_args: list[str] | None = None,
    timeout: float = 60.0,
) -> Service:
    """Start ``prometheus-pushgateway`` on loopback."""
    port = port or free_port()
    args = [f"--web.listen-address=127.0.0.1:{port}", *(extra_args or [])]
    return _spawn(
        "pushgateway", "prometheus-pushgateway", args, port, state_dir, "/-/ready", timeout
    )


def start_console(
    state_dir: Path,
    port: int | None = None,
    *,
    prometheus: str,
    alertmanager: str | None = None,
    env: str = "local",
    config: Path | str | None = None,
    logs: tuple[str, ...] = (),
    timeout: float = 60.0,
) -> Service:
    """Start the Glassbox console (``python -m glassbox.console``) on loopback.

    Its spans and logs are kept in ``state_dir/console.db``; ``logs`` are globs of
    JSON-lines log files it follows.

    Raises:
        MissingBinaryError: The ``console`` extra (Starlette, uvicorn) is not installed.
    """
    import importlib.util

    missing = [m for m in ("starlette", "uvicorn") if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingBinaryError(
            f"the console needs {' and '.join(missing)}; install them with "
            "`pip install 'glassbox[console]'` (or run `make setup`)."
        )
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "glassbox.console",
        f"--web.listen-address=127.0.0.1:{port}",
        f"--prometheus={prometheus}",
        f"--store={state_dir / 'console.db'}",
        f"--env={env}",
        *([f"--alertmanager={alertmanager}"] if alertmanager else []),
        *([f"--config={Path(config).resolve()}"] if config else []),
        *(f"--logs={pattern}" for pattern in logs),
    ]
    return _spawn_command("console", command, port, state_dir, "/-/ready", timeout)
