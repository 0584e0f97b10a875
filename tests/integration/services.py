"""Real processes the connected-telemetry tests start: Redis, a Celery worker, an MCP server.

Each is a context manager that waits until the process answers (polling, no fixed
sleeps) and stops it on exit; a process that dies at start fails with its log.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from probes import poll, scrape

from glassbox.stack import free_port, require_binary

__all__ = ["HERE", "celery_worker", "mcp_http_server", "process_env", "redis_server"]

HERE = Path(__file__).parent
MCP_SERVER = str(HERE / "mcp_tool_server.py")


def process_env(**extra: str) -> dict[str, str]:
    """This environment, the test helpers importable, and ``extra``."""
    env = {**os.environ, **extra}
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(extra)
    return env


def _stop(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    process.send_signal(signal.SIGTERM)  # graceful: Celery's pool children exit and flush
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A real redis-server on a free loopback port, no persistence; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [require_binary("redis-server"), "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(host="127.0.0.1", port=port)

    def ready() -> bool:
        assert process.poll() is None, "redis-server exited at start"
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    try:
        poll(ready, 20, "redis-server to answer PING")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        _stop(process, 10)


@contextmanager
def celery_worker(pool: str, env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """A real ``celery -A celery_app worker`` with Glassbox; yields its metrics URL.

    A prefork pool runs in Prometheus multiprocess mode (its own directory).
    """
    port = free_port()
    env = {**env, "GLASSBOX_TEST_WORKER": "1", "GLASSBOX_METRICS_PORT": str(port)}
    if pool == "prefork":
        multiproc = tmp_path / f"multiproc-{pool}"
        multiproc.mkdir()
        env["PROMETHEUS_MULTIPROC_DIR"] = str(multiproc)
    command = [sys.executable, "-m", "celery", "-A", "celery_app", "worker", f"--pool={pool}",
               "--concurrency=2", "-Q", "celery,llm", "--without-gossip", "--without-mingle",
               "--without-heartbeat", "--loglevel=WARNING", f"--hostname={pool}@test"]  # fmt: skip
    log_path = tmp_path / f"worker-{pool}.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(command, cwd=HERE, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/metrics"

    def serving() -> bool:
        assert worker.poll() is None, log_path.read_text()
        try:
            scrape(url)
            return True
        except OSError:
            return False

    try:
        poll(serving, 60, "the Celery worker's metrics endpoint")
        yield url
    finally:
        _stop(worker)


@contextmanager
def mcp_http_server(
    env: dict[str, str], tmp_path: Path, transport: str = "streamable-http"
) -> Iterator[str]:
    """The MCP tool server over HTTP (``streamable-http`` or ``sse``) in its own process;
    yields its MCP endpoint's URL."""
    port = free_port()
    log_path = tmp_path / f"mcp-server-{transport}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, MCP_SERVER, transport, str(port)], env=env, stdout=log, stderr=log
        )
    url = f"http://127.0.0.1:{port}/{'sse' if transport == 'sse' else 'mcp'}"

    def answering() -> bool:  # a connect, not a GET: the SSE endpoint streams forever
        assert process.poll() is None, log_path.read_text()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return True
        except OSError:
            return False

    try:
        poll(answering, 30, f"the MCP server to listen ({transport})")
        yield url
    finally:
        _stop(process, 15)
