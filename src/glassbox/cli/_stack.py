"""``glassbox up``, ``glassbox down`` and ``glassbox status``: the local stack."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from glassbox.cli import app
from glassbox.cli._common import EXIT_CONDITION, tcp_port
from glassbox.cli._common import state_dir as _check_state_dir
from glassbox.exceptions import ConfigError, StackError

_STATE_DIR = typer.Option(
    Path(".glassbox"),
    "--state-dir",
    "-d",
    help="Directory for the stack's configuration, data, logs and pid files.",
)


def _parse_targets(values: list[str] | None) -> dict[str, list[str]] | None:
    if not values:
        return None
    targets: dict[str, list[str]] = {}
    for value in values:
        service, sep, address = value.partition("=")
        host, colon, port = address.rpartition(":")
        if not (sep and service and colon and host and port.isdigit()):
            raise ConfigError("--target", value, "SERVICE=HOST:PORT, e.g. newsroom=127.0.0.1:8000")
        targets.setdefault(service, []).append(address)
    return targets


@app.command("up")
def up_command(
    env: str = typer.Option("local", "--env", "-e", help="Environment of the decisions file."),
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="Decisions file (default: the one shipped with Glassbox)."
        ),
    ] = None,
    state_dir: Path = _STATE_DIR,
    prometheus_port: int | None = typer.Option(
        None, "--prometheus-port", help="Prometheus port on 127.0.0.1.", show_default="9090"
    ),
    alertmanager_port: int | None = typer.Option(
        None, "--alertmanager-port", help="Alertmanager port on 127.0.0.1.", show_default="9093"
    ),
    pushgateway_port: int | None = typer.Option(
        None, "--pushgateway-port", help="Pushgateway port on 127.0.0.1.", show_default="9091"
    ),
    console_port: int | None = typer.Option(
        None, "--console-port", help="Console port on 127.0.0.1.", show_default="9095"
    ),
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            "-t",
            help="SDK metrics endpoint to scrape, SERVICE=HOST:PORT (repeatable); replaces the "
            "decisions file's targets.",
        ),
    ] = None,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success."),
) -> None:
    """Start Prometheus, Alertmanager, the Pushgateway and the console; wait until ready.

    Idempotent: running services are kept (reloaded if their configuration changed).

    Stale pid files are replaced; an unset port keeps the running one or uses the default.
    """
    from glassbox.mixin import load_decisions
    from glassbox.stack import up

    _check_state_dir(state_dir)
    tcp_port(prometheus_port, "--prometheus-port")
    tcp_port(alertmanager_port, "--alertmanager-port")
    tcp_port(pushgateway_port, "--pushgateway-port")
    tcp_port(console_port, "--console-port")
    targets = _parse_targets(target)
    load_decisions(config).environment(env)  # a bad file or env fails before anything starts
    try:
        up(
            env=env,
            config=config,
            state_dir=state_dir,
            prometheus_port=prometheus_port,
            alertmanager_port=alertmanager_port,
            pushgateway_port=pushgateway_port,
            console_port=console_port,
            quiet=quiet,
            targets=targets,
        )
    except TimeoutError as exc:
        raise StackError(f"{exc}; see the logs in {state_dir}") from None


@app.command("down")
def down_command(state_dir: Path = _STATE_DIR) -> None:
    """Stop every process of the local stack (data, configuration and logs are kept)."""
    from glassbox.stack import down, status

    _check_state_dir(state_dir)
    state = status(state_dir)
    down(state_dir)
    if state is None:
        typer.echo(f"no stack in {state_dir}")
        return
    stopped = [f"{s.name} (pid {s.pid})" for s in state.services.values() if s.pid is not None]
    typer.echo(f"stopped {', '.join(stopped)}" if stopped else "nothing was running")


@app.command("status")
def status_command(
    state_dir: Path = _STATE_DIR,
    as_json: bool = typer.Option(
        False,
        "--json",
        help="Print one JSON object: every service's URL and state, and the console's OTLP "
        "endpoint (`otlp`) for OTEL_EXPORTER_OTLP_ENDPOINT.",
    ),
) -> None:
    """Show each service of the local stack: pid, URL and health.

    Exits 0 when every service is running and ready, 1 otherwise.
    """
    import json

    from rich.console import Console

    from glassbox.stack import state_table, status

    _check_state_dir(state_dir)
    state = status(state_dir)
    if state is None:
        if as_json:
            typer.echo(json.dumps({"state_dir": str(state_dir), "healthy": False, "services": {}}))
        else:
            typer.echo(
                f"the stack is not running (no stack in {state_dir}); start it: `glassbox up`"
            )
        raise typer.Exit(EXIT_CONDITION)
    if as_json:
        typer.echo(json.dumps(state.as_dict(), indent=2))
    else:
        Console(highlight=False).print(state_table(state))
    if not state.healthy:
        raise typer.Exit(EXIT_CONDITION)
