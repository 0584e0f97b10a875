"""Running the simulator: embedded in a background thread, or in the foreground for the CLI."""

from __future__ import annotations

import dataclasses
import socket
import threading
from types import TracebackType
from typing import Any

import uvicorn

from glassbox.simulator._app import create_app
from glassbox.simulator._engine import Engine, PromptCache
from glassbox.simulator._faults import Faults

__all__ = ["Simulator", "serve"]


def _config(engine: Engine, host: str, port: int, *, foreground: bool) -> uvicorn.Config:
    # In the foreground uvicorn's own logging config prints startup and errors; embedded,
    # the host application's logging configuration is left alone.
    return uvicorn.Config(
        create_app(engine),
        host=host,
        port=port,
        log_config=uvicorn.config.LOGGING_CONFIG if foreground else None,
        log_level="info" if foreground else "warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )


class Simulator:
    """An OpenAI- and Anthropic-compatible LLM server on loopback, in a background thread.

    Point the real clients at it::

        with Simulator(seed=1, time_scale=0.0) as sim:
            client = openai.OpenAI(base_url=sim.openai_base_url, api_key="sk-test")
            anthropic.Anthropic(base_url=sim.anthropic_base_url, api_key="test")

    Args:
        seed: Makes answers, latencies and fault draws reproducible.
        time_scale: Factor on every simulated delay: 1.0 is realistic, 0.01 is a hundred
            times faster, 0 answers without waiting (tests).
        faults: Faults to inject from the start (change them later with :attr:`faults`,
            :meth:`set_faults` or the admin endpoint).
        port: The port to bind on 127.0.0.1; 0 picks a free one.
        cache: The prompt cache (default: 128-token blocks from 1024 tokens on).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        time_scale: float = 1.0,
        faults: Faults | None = None,
        port: int = 0,
        cache: PromptCache | None = None,
    ) -> None:
        self.engine = Engine(seed=seed, time_scale=time_scale, faults=faults, cache=cache)
        self._requested_port = port
        self._port: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        if self._port is None:
            raise RuntimeError("the simulator is not running; call start() first")
        return self._port

    @property
    def url(self) -> str:
        """The server's root URL, e.g. ``http://127.0.0.1:4318``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """``base_url`` for ``openai.OpenAI`` (the root URL plus ``/v1``)."""
        return f"{self.url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        """``base_url`` for ``anthropic.Anthropic`` (the root URL; the client adds ``/v1``)."""
        return self.url

    @property
    def faults(self) -> Faults:
        """The faults in effect; assign a new :class:`Faults` to change them at once."""
        return self.engine.faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        self.engine.faults = value

    def set_faults(self, **changes: Any) -> Faults:
        """Change some fault fields, keeping the others (``set_faults(outage=True)``).

        Returns:
            The faults now in effect.
        """
        self.engine.faults = dataclasses.replace(self.engine.faults, **changes)
        return self.engine.faults

    def stats(self) -> dict[str, int]:
        """Request counters: ``requests``, ``status:<code>``, ``route:<path>``, ``faults:…``."""
        return self.engine.stats()

    def start(self, timeout: float = 10.0) -> Simulator:
        """Bind the port and serve in a daemon thread; returns once requests are accepted.

        Raises:
            RuntimeError: Already running, or the server did not come up in ``timeout``.
        """
        if self._thread is not None:
            raise RuntimeError("the simulator is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._requested_port))
        self._port = int(sock.getsockname()[1])
        server = uvicorn.Server(_config(self.engine, "127.0.0.1", self._port, foreground=False))
        thread = threading.Thread(
            target=server.run,
            kwargs={"sockets": [sock]},
            name=f"glassbox-simulator-{self._port}",
            daemon=True,
        )
        self._server, self._thread = server, thread
        thread.start()
        ready = threading.Event()
        while not ready.wait(0.005):
            if server.started:
                break
            timeout -= 0.005
            if timeout <= 0 or not thread.is_alive():
                self.stop()
                raise RuntimeError(f"the LLM simulator did not start on 127.0.0.1:{self._port}")
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread (idempotent)."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout=5)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout=5)
        self._server = self._thread = None
        self._port = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    seed: int = 0,
    time_scale: float = 1.0,
    faults: Faults | None = None,
) -> None:
    """Serve the simulator in the foreground until interrupted (the CLI's ``simulate-llm``).

    Args:
        host: Interface to bind (loopback by default).
        port: TCP port.
        seed: Reproducibility seed.
        time_scale: Factor on simulated delays.
        faults: Initial faults.
    """
    engine = Engine(seed=seed, time_scale=time_scale, faults=faults)
    uvicorn.Server(_config(engine, host, port, foreground=True)).run()
