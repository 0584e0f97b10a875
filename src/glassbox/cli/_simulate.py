"""``glassbox simulate-llm``: serve the LLM simulator and change its faults while it runs."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import typer

from glassbox.cli import app
from glassbox.cli._common import finite, http_url, tcp_port
from glassbox.exceptions import ConfigError, FaultsError, ServiceError

simulate_app = typer.Typer(
    help=(
        "Serve a local LLM simulator speaking the OpenAI and Anthropic APIs on 127.0.0.1 "
        "(point base_url at it), or change its faults with `faults`."
    ),
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(simulate_app, name="simulate-llm")

DEFAULT_PORT = 8765


@simulate_app.callback()
def simulate_llm(
    ctx: typer.Context,
    port: int = typer.Option(DEFAULT_PORT, "--port", "-p", help="TCP port on 127.0.0.1."),
    seed: int = typer.Option(
        0, "--seed", help="Seed for reproducible answers, latencies and faults."
    ),
    time_scale: float = typer.Option(
        1.0,
        "--time-scale",
        help="Factor on simulated latency: 1 realistic, 0.1 ten times faster, 0 instant.",
    ),
) -> None:
    """Serve the simulator in the foreground until Ctrl-C (when no subcommand is given)."""
    if ctx.invoked_subcommand is not None:
        return
    tcp_port(port, "--port")
    finite(time_scale, "--time-scale")
    from glassbox.simulator import serve

    base = f"http://127.0.0.1:{port}"
    typer.echo(f"LLM simulator on {base} (seed {seed}, time scale {time_scale:g})")
    typer.echo(f"  OpenAI:    OpenAI(base_url='{base}/v1', api_key='sk-sim')")
    typer.echo(f"  Anthropic: Anthropic(base_url='{base}', api_key='sim')")
    typer.echo(f"  Faults:    glassbox simulate-llm faults --url {base} --error-rate 429=0.2")
    try:
        serve(port=port, seed=seed, time_scale=time_scale)
    except OSError as exc:
        raise ConfigError("--port", port, f"a free port ({exc.strerror or exc})") from None


@simulate_app.command("faults")
def faults(
    url: str = typer.Option(
        f"http://127.0.0.1:{DEFAULT_PORT}", "--url", help="The running simulator's URL."
    ),
    error_rate: list[str] = typer.Option(  # noqa: B008
        [], "--error-rate", help="STATUS=RATE, e.g. 429=0.3 (repeatable; RATE 0 removes it)."
    ),
    retry_after: float | None = typer.Option(None, help="Seconds sent in retry-after on 429s."),
    latency_multiplier: float | None = typer.Option(None, help="Factor on every simulated delay."),
    extra_latency: float | None = typer.Option(
        None, help="Seconds added to every request (real time)."
    ),
    outage: bool | None = typer.Option(
        None, "--outage/--no-outage", help="Fail every request with 503."
    ),
    truncate_rate: float | None = typer.Option(
        None, help="Probability a stream is cut off mid-way."
    ),
    malformed_rate: float | None = typer.Option(
        None, help="Probability a body or event is invalid JSON."
    ),
    omit_usage: bool | None = typer.Option(
        None, "--omit-usage/--send-usage", help="Leave usage out."
    ),
    unknown_fields: bool | None = typer.Option(
        None, "--unknown-fields/--no-unknown-fields", help="Add fields clients do not know."
    ),
    reset: bool = typer.Option(False, "--reset", help="Clear all faults first."),
) -> None:
    """Show or change the faults of a running simulator (no options: show them)."""
    http_url(url, "--url", f"http://127.0.0.1:{DEFAULT_PORT}")
    changes: dict[str, Any] = {
        name: value
        for name, value in {
            "retry_after": retry_after,
            "latency_multiplier": latency_multiplier,
            "extra_latency": extra_latency,
            "outage": outage,
            "truncate_rate": truncate_rate,
            "malformed_rate": malformed_rate,
            "omit_usage": omit_usage,
            "unknown_fields": unknown_fields,
        }.items()
        if value is not None
    }
    admin = url.rstrip("/") + "/admin/faults"
    if error_rate:
        current = {} if reset else _request("GET", admin).get("error_rates", {})
        current.update(_parse_rates(error_rate))
        changes["error_rates"] = {status: rate for status, rate in current.items() if rate > 0}
    if reset:
        _request("DELETE", admin)
    result = _request("PATCH", admin, changes) if changes else _request("GET", admin)
    typer.echo(json.dumps(result, indent=2))


def _parse_rates(values: list[str]) -> dict[str, float]:
    rates: dict[str, float] = {}
    for value in values:
        status, sep, rate = value.partition("=")
        try:
            if not sep or not 400 <= int(status) <= 599:
                raise ValueError
            rates[str(int(status))] = float(rate)
        except ValueError:
            expected = "STATUS=RATE with STATUS 400-599, e.g. 429=0.3"
            raise ConfigError("--error-rate", value, expected) from None
    return rates


def _request(method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    """Call the simulator's admin API; raise a one-line error naming ``url`` on failure."""
    hint = "is `glassbox simulate-llm` running there?"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")
        message = f"the simulator at {url} answered {exc.code}: {detail}"
        if exc.code == 400:  # it names the invalid field and value
            raise FaultsError(message) from None
        raise ServiceError(f"{message}; {hint}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ServiceError(f"cannot reach the simulator at {url}: {reason}; {hint}") from None
    except ValueError:  # not JSON: something else listens there
        raise ServiceError(f"{url} did not answer like the simulator; {hint}") from None
