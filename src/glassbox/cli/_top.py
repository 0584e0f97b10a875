"""``glassbox top``: a live terminal dashboard of the Overview panels."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from glassbox.cli import app
from glassbox.cli._common import http_url
from glassbox.cli._common import state_dir as _check_state_dir
from glassbox.exceptions import ConfigError

_LOCAL_DEFAULT = "http://127.0.0.1:9090"


def _default_prometheus(state_dir: Path) -> str:
    from glassbox.stack import status

    state = status(state_dir)
    if state is not None and state.services["prometheus"].running:
        return state.prometheus_url
    return _LOCAL_DEFAULT


@app.command("top")
def top_command(
    prometheus: Annotated[
        str | None,
        typer.Option(
            "--prometheus",
            help="Prometheus base URL. Default: the local stack's (see --state-dir), else "
            f"{_LOCAL_DEFAULT}.",
        ),
    ] = None,
    interval: float = typer.Option(2.0, "--interval", "-i", help="Seconds between frames."),
    once: bool = typer.Option(False, "--once", help="Print one frame and exit."),
    window: str = typer.Option("1m", "--window", "-w", help="Range of every rate (PromQL)."),
    selector: str = typer.Option(
        "", "--selector", help='Extra matchers for every series, e.g. env="prod".'
    ),
    state_dir: Annotated[
        Path, typer.Option("--state-dir", "-d", help="The local stack's state directory.")
    ] = Path(".glassbox"),
) -> None:
    """Request rate, errors, p95 by stage, tokens/s, cost, queues and alerts, live.

    Computed with PromQL from the raw SDK series, so any Prometheus that scrapes a
    Glassbox-instrumented process works. Ctrl-C quits.
    """
    import promql_parser
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    from glassbox.stack import PrometheusAPIError, read_overview, render_overview

    if not 0 < interval < float("inf"):
        raise ConfigError("--interval", interval, "a positive number of seconds, e.g. 2")
    try:
        promql_parser.parse_duration(window)
    except (ValueError, TypeError):
        raise ConfigError("--window", window, "a PromQL duration such as 30s, 1m or 5m") from None
    try:
        promql_parser.parse(f"up{{{selector}}}")
    except (ValueError, TypeError):
        raise ConfigError(
            "--selector", selector, 'PromQL label matchers, e.g. env="prod"'
        ) from None
    if prometheus is not None:
        http_url(prometheus, "--prometheus")
    _check_state_dir(state_dir)
    url = prometheus or _default_prometheus(state_dir)
    console = Console(highlight=False)
    if once:
        try:
            frame = read_overview(url, window, selector)
        except PrometheusAPIError as exc:  # add what to do, keep the class (exit 3)
            hint = "start the local stack with `glassbox up` or pass --prometheus"
            raise PrometheusAPIError(f"{exc}; {hint}") from None
        console.print(render_overview(frame))
        return
    try:
        with Live(Text(f"querying {url} …"), console=console, auto_refresh=False) as live:
            while True:
                try:
                    live.update(render_overview(read_overview(url, window, selector)))
                except PrometheusAPIError as exc:
                    live.update(Text(f"{exc} — retrying every {interval:g}s", style="red"))
                live.refresh()
                time.sleep(interval)
    except KeyboardInterrupt:
        return
