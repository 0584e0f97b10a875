"""Running the console: its configuration from the decisions file, uvicorn on loopback.

``python -m glassbox.console --web.listen-address=127.0.0.1:PORT --prometheus URL …`` is
what ``glassbox up`` starts (the same ``--web.listen-address`` flag as the other
services, so the stack reads every service's port from its command line the same way).
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from collections.abc import Sequence
from pathlib import Path

from glassbox.console._app import ConsoleConfig, create_app
from glassbox.console._logfile import LogFollower
from glassbox.console._store import TelemetryStore
from glassbox.exceptions import InputError

__all__ = ["ConsoleError", "build_config", "main", "serve"]


class ConsoleError(InputError):
    """The console cannot start as asked; the message names the value and what to do."""


def build_config(
    *,
    prometheus: str,
    store: TelemetryStore,
    alertmanager: str | None = None,
    env: str = "local",
    decisions: Path | str | None = None,
) -> ConsoleConfig:
    """The console's configuration: the mixin of ``env`` against ``prometheus``.

    Raises:
        ConsoleError: The decisions file is invalid or has no environment ``env``.
    """
    from glassbox.mixin import DecisionsError, build, load_decisions

    try:
        environment = load_decisions(decisions).environment(env)
    except DecisionsError as exc:
        raise ConsoleError(str(exc)) from None
    mixin = build(environment)
    return ConsoleConfig(
        dashboards=mixin.dashboards,
        alert_rules=mixin.alerting,
        prometheus=prometheus.rstrip("/"),
        alertmanager=alertmanager.rstrip("/") if alertmanager else None,
        store=store,
        scrape_interval=environment.scrape_interval.seconds,
    )


def _loopback(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    host = host.strip("[]")
    try:
        loopback = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host).is_loopback
    except ValueError:
        loopback = False
    if not (sep and port.isdigit() and 0 < int(port) < 65536):
        raise ConsoleError(f"listen address {address!r} is not HOST:PORT; use 127.0.0.1:9095")
    if not loopback:
        raise ConsoleError(
            f"listen address {address!r} is not loopback; the console serves traces and logs "
            "without authentication, so it binds 127.0.0.1 (or ::1) only"
        )
    return host, int(port)


def serve(
    config: ConsoleConfig,
    address: str = "127.0.0.1:9095",
    log_patterns: Sequence[str] = (),
) -> None:
    """Serve the console on ``address`` (loopback only) until SIGTERM or SIGINT.

    Raises:
        ConsoleError: ``address`` is not a loopback ``HOST:PORT``.
    """
    import uvicorn

    host, port = _loopback(address)
    follower = LogFollower(log_patterns, config.store.add_logs).start() if log_patterns else None
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config), host=host, port=port, log_level="warning", access_log=False
        )
    )
    try:
        server.run()
    finally:
        if follower is not None:
            follower.stop()
        config.store.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of ``python -m glassbox.console``; returns the exit code (2: bad input)."""
    parser = argparse.ArgumentParser(prog="python -m glassbox.console", description=__doc__)
    parser.add_argument("--web.listen-address", dest="address", default="127.0.0.1:9095")
    parser.add_argument("--prometheus", default="http://127.0.0.1:9090")
    parser.add_argument("--alertmanager", default=None)
    parser.add_argument("--env", default="local", help="Environment of the decisions file.")
    parser.add_argument("--config", default=None, help="Decisions file.")
    parser.add_argument("--store", default=":memory:", help="SQLite file of spans and logs.")
    parser.add_argument("--store.max-bytes", dest="max_bytes", type=int, default=64 * 1024 * 1024)
    parser.add_argument("--store.max-age", dest="max_age", type=float, default=24 * 3600.0)
    parser.add_argument(
        "--logs", action="append", default=[], help="Glob of JSON-lines log files to follow."
    )
    args = parser.parse_args(argv)
    try:
        _loopback(args.address)
        store = TelemetryStore(args.store, max_bytes=args.max_bytes, max_age=args.max_age)
        config = build_config(
            prometheus=args.prometheus,
            alertmanager=args.alertmanager,
            store=store,
            env=args.env,
            decisions=args.config,
        )
        serve(config, args.address, args.logs)
    except (ConsoleError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0
