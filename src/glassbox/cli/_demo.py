"""``glassbox demo``: the newsroom pipeline, fault scenarios, and the alerts that catch them."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from glassbox.cli import app
from glassbox.cli._common import finite, state_dir, writable_file
from glassbox.exceptions import ConfigError

_SCENARIO_NAMES = (
    "provider-errors, rate-limit-storm, queue-stall, budget-burn, runaway-agent, "
    "input-drift, latency-spike, provider-outage"
)


@app.command("demo")
def demo(
    duration: str | None = typer.Option(
        None,
        "--duration",
        help="How long to run: seconds (90) or with a unit (90s, 4m, 1m30s). "
        "Default: long enough for every scheduled fault to be detected.",
    ),
    scenario: list[str] = typer.Option(  # noqa: B008
        [],
        "--scenario",
        "-s",
        help=f"Fault scenario to inject (repeatable): {_SCENARIO_NAMES}. "
        "Default: all of them; `--scenario none` for a clean run.",
    ),
    seed: int = typer.Option(7, "--seed", help="Seed of articles, simulator and faults."),
    stack_dir: Path = typer.Option(  # noqa: B008
        Path(".glassbox"),
        "--state-dir",
        "-d",
        help="Directory of the local stack (started if down).",
    ),
    env: str = typer.Option(
        "local", "--env", "-e", help="Decisions-file environment of the stack."
    ),
    config: Path | None = typer.Option(  # noqa: B008
        None, "--config", "-c", help="Decisions file (default: the one shipped with Glassbox)."
    ),
    warmup: float = typer.Option(15.0, "--warmup", help="Seconds of clean traffic first."),
    stop_when_detected: bool = typer.Option(
        False, "--stop-when-detected", help="End once every fault was detected and cleared."
    ),
    keep_stack: bool = typer.Option(
        False, "--keep-stack", help="Leave a stack the demo started running afterwards."
    ),
    live: bool | None = typer.Option(
        None, "--live/--no-live", help="Live terminal view (default: only on a terminal)."
    ),
    summary_json: Path | None = typer.Option(  # noqa: B008
        None, "--summary-json", help="Also write the summary as JSON to this file."
    ),
) -> None:
    """Run the newsroom: an instrumented AI pipeline against a local LLM simulator.

    Starts the local stack (Prometheus, Alertmanager, Pushgateway) when it is not
    running, injects the chosen faults on a schedule, watches Alertmanager, and ends
    with a summary: calls, tokens, cost, p95 by stage, every alert with its time to
    detect, and the span tree of the slowest editor run.
    """
    from rich.console import Console

    from glassbox.demo import DemoOptions, parse_duration
    from glassbox.mixin import load_decisions

    seconds = parse_duration(duration) if duration is not None else None
    finite(warmup, "--warmup")
    names = _scenarios(scenario)
    state_dir(stack_dir)
    if summary_json is not None:
        writable_file(summary_json, "--summary-json")
    load_decisions(config).environment(env)  # a bad file or env fails now, not minutes later
    options = DemoOptions(
        duration=seconds,
        scenarios=names,
        seed=seed,
        state_dir=stack_dir,
        env=env,
        config=config,
        warmup=warmup,
        stop_when_detected=stop_when_detected,
        keep_stack=keep_stack,
        live=live,
    )
    console = Console()
    if not console.is_terminal:  # CI logs and pipes: wide enough for the summary tables
        console = Console(width=max(console.width, 120))
    from glassbox.demo import run_demo

    try:
        summary = run_demo(options, console)
    except KeyboardInterrupt:
        console.print("[yellow]Interrupted.")
        raise typer.Exit(130) from None
    summary.render(console)
    if summary_json is not None:
        summary_json.write_text(json.dumps(summary.to_json(), indent=2) + "\n")
        console.print(f"Summary written to {summary_json}")


def _scenarios(given: list[str]) -> tuple[str, ...]:
    from glassbox.demo import SCENARIOS

    if not given:
        return tuple(SCENARIOS)
    names = [n.strip() for item in given for n in item.split(",") if n.strip()]
    if names == ["none"]:
        return ()
    for name in names:
        if name not in SCENARIOS:
            raise ConfigError("--scenario", name, f"one of: {', '.join(SCENARIOS)} (or none)")
    return tuple(names)
