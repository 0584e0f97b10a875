"""``glassbox eval``: run eval suites, write scorecards, publish them as metrics.

Exit codes (the CLI's policy, ``docs/cli.md``): 0 done, 1 a regression with
``--fail-on-regression``, 2 bad suite or input, 3 the Pushgateway could not be reached
(the report was written first).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from glassbox.cli import app
from glassbox.cli._common import EXIT_CONDITION, http_url, writable_file
from glassbox.cli._common import results_console as _stdout

if TYPE_CHECKING:
    from glassbox.evals import Scorecard

eval_app = typer.Typer(
    name="eval", help="Eval scorecards: run suites defined in YAML.", no_args_is_help=True
)
app.add_typer(eval_app, name="eval")


def _table(scorecard: Scorecard) -> Any:
    from rich.table import Table

    table = Table(title=f"eval suite {scorecard.suite}: {len(scorecard.example_scores)} samples")
    for column in ("metric", "score", "95% interval", "samples", "baseline", "regression"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for m in scorecard.metrics:
        table.add_row(
            m.name, f"{m.score:.3f}", f"[{m.lower:.3f}, {m.upper:.3f}]", str(m.samples),
            "" if m.baseline is None else f"{m.baseline:.3f}",
            "[bold red]yes[/]" if m.regression else "no",
        )  # fmt: skip
    return table


@eval_app.command("run")
def run_command(
    suite_path: Annotated[
        Path, typer.Argument(metavar="SUITE", help="The suite's YAML file.", show_default=False)
    ],
    pushgateway: Annotated[
        str | None,
        typer.Option(
            "--pushgateway", help="Push the scores to this Pushgateway URL (job glassbox_eval)."
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Where to write the JSON report [default: .glassbox/evals/SUITE_NAME.json].",
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            help="An earlier report to test for regressions [default: the suite's baseline].",
        ),
    ] = None,
    fail_on_regression: Annotated[
        bool, typer.Option("--fail-on-regression", help="Exit with code 1 when a score regressed.")
    ] = False,
) -> None:
    """Run the eval SUITE, write its report and optionally push its scores."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from glassbox.evals import load_scorecard, load_suite, push, run_suite

    if pushgateway is not None:
        http_url(pushgateway, "--pushgateway", "http://127.0.0.1:9091")
    status = Console(stderr=True)
    suite = load_suite(suite_path)
    target = report or Path(".glassbox") / "evals" / f"{suite.name}.json"
    writable_file(target, "--report", create_parents=True)
    previous = load_scorecard(baseline) if baseline is not None else None
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=status, transient=True) as progress:
        task = progress.add_task(f"running {suite.name}", total=len(suite.examples))
        scorecard = run_suite(
            suite,
            baseline=previous,
            on_progress=lambda done, _: progress.update(task, completed=done),
        )
    scorecard.save(target)
    _stdout().print(_table(scorecard))
    if scorecard.errors:
        status.print(f"[yellow]{scorecard.errors} example(s) failed in the task; they score 0:[/]")
        for message in scorecard.error_messages:
            status.print(f"  {message}", markup=False)
    status.print(f"report written to {target}")
    if pushgateway is not None:
        push(scorecard, pushgateway)  # a PushError exits 3; the report is written above
        status.print(f"pushed to {pushgateway} (job=glassbox_eval, suite={scorecard.suite})")
    if fail_on_regression and scorecard.regression:
        raise typer.Exit(EXIT_CONDITION)
