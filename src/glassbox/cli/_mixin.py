"""``glassbox mixin build`` and ``glassbox mixin test``."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from glassbox.cli import app
from glassbox.cli._common import EXIT_CONDITION, output_dir
from glassbox.exceptions import ConfigError

mixin_app = typer.Typer(
    help="Dashboards, alerting and recording rules and Alertmanager routing, generated and tested.",
    no_args_is_help=True,
)
app.add_typer(mixin_app, name="mixin")

_CONFIG = typer.Option(
    None, "--config", "-c", help="Decisions file (default: the one shipped with Glassbox)."
)


@mixin_app.command("build")
def build(
    env: str = typer.Option(
        ..., "--env", "-e", help="Environment of the decisions file (e.g. local, prod)."
    ),
    out: Path = typer.Option(  # noqa: B008
        ..., "--out", "-o", help="Directory to write into (created if missing)."
    ),
    config: Path | None = _CONFIG,
    fmt: str = typer.Option(
        "plain",
        "--format",
        "-f",
        help="plain (files for Prometheus, Alertmanager, Grafana) or k8s.",
    ),
) -> None:
    """Write dashboards, rules, Alertmanager and Prometheus configuration for one environment."""
    from glassbox.mixin import build, load_decisions
    from glassbox.render import mixin_files, write_files

    if fmt not in ("plain", "k8s"):
        raise ConfigError("--format", fmt, "plain or k8s")
    output_dir(out, "--out")
    environment = load_decisions(config).environment(env)
    mixin = build(environment)
    files = write_files(mixin_files(mixin, fmt), out)  # type: ignore[arg-type]
    alerts = sum(len(g["rules"]) for g in mixin.alerting)
    records = sum(len(g["rules"]) for g in mixin.recording)
    typer.echo(
        f"wrote {len(files)} files to {out} for {env!r} ({fmt}): {len(mixin.dashboards)} dashboards, "  # noqa: E501
        f"{alerts} alerting and {records} recording rules"
    )


@mixin_app.command("test")
def test(
    config: Path | None = _CONFIG,  # noqa: PT028
    env: list[str] = typer.Option(  # noqa: B008, PT028
        None, "--env", "-e", help="Environment(s) to test (default: all)."
    ),
    keep: Path | None = typer.Option(  # noqa: B008, PT028
        None, "--keep", help="Write generated files and rule tests here and keep them."
    ),
) -> None:
    """Run promtool check/test, amtool check-config and routing tests, and the contract check."""
    from glassbox.check import CheckResult, run_checks
    from glassbox.mixin import load_decisions

    decisions = load_decisions(config)

    def show(result: CheckResult) -> None:
        mark = (
            typer.style("ok  ", fg=typer.colors.GREEN)
            if result.ok
            else typer.style("FAIL", fg=typer.colors.RED)
        )
        typer.echo(f"{mark} [{result.env}] {result.name}")
        if not result.ok:
            typer.echo("\n".join("     " + line for line in result.detail.splitlines()))

    if keep is not None:
        output_dir(keep, "--keep")
    typer.echo("running the mixin checks (the rule tests take a little while)…")
    with tempfile.TemporaryDirectory(prefix="glassbox-mixin-") as tmp:
        workdir = keep or Path(tmp)
        results = run_checks(decisions, workdir, env or None, progress=show)
    failed = [r for r in results if not r.ok]
    if failed:
        typer.secho(f"{len(failed)} of {len(results)} checks failed", fg=typer.colors.RED)
        raise typer.Exit(EXIT_CONDITION)
    typer.secho(f"all {len(results)} checks passed", fg=typer.colors.GREEN)
