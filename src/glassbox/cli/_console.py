"""``glassbox console``: serve the console in the foreground (``glassbox up`` runs it too)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from glassbox.cli import app
from glassbox.cli._common import fail, http_url, tcp_port


@app.command("console")
def console_command(
    prometheus: str = typer.Option(
        "http://127.0.0.1:9090", "--prometheus", help="Prometheus the dashboards query."
    ),
    alertmanager: str | None = typer.Option(
        None, "--alertmanager", help="Alertmanager whose view of each alert is shown."
    ),
    port: int = typer.Option(9095, "--port", "-p", help="Port on 127.0.0.1."),
    env: str = typer.Option("local", "--env", "-e", help="Environment of the decisions file."),
    config: Annotated[Path | None, typer.Option("--config", "-c", help="Decisions file.")] = None,
    store: str = typer.Option(
        ":memory:", "--store", help="SQLite file for received spans and logs (default: memory)."
    ),
    logs: Annotated[
        list[str] | None,
        typer.Option("--logs", help="Glob of JSON-lines log files to follow (repeatable)."),
    ] = None,
) -> None:
    """Serve the mixin's dashboards, alerts, traces and logs on 127.0.0.1 until Ctrl-C.

    OTLP/HTTP traces and logs are received on the same port (/v1/traces, /v1/logs).
    """
    try:
        from glassbox.console import ConsoleError, TelemetryStore, build_config, serve
    except ImportError as exc:
        raise fail(
            f"the console needs the console extra: pip install 'glassbox[console]' ({exc})"
        ) from None
    tcp_port(port, "--port")
    http_url(prometheus, "--prometheus")
    if alertmanager:
        http_url(alertmanager, "--alertmanager", "http://127.0.0.1:9093")
    try:
        telemetry = TelemetryStore(store)
        settings = build_config(
            prometheus=prometheus,
            alertmanager=alertmanager,
            store=telemetry,
            env=env,
            decisions=config,
        )
        typer.echo(f"Glassbox console on http://127.0.0.1:{port} (OTLP/HTTP on the same port)")
        serve(settings, f"127.0.0.1:{port}", logs or ())
    except ConsoleError:
        raise  # the root group reports it: one line, exit 2
