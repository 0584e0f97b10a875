"""``glassbox drift``: build reference profiles and check current data against them.

Exit codes (the CLI's policy, ``docs/cli.md``): 0 done, 1 drift found with
``--fail-on-drift``, 2 bad input, 3 the Pushgateway could not be reached (the results
were printed and written first).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from glassbox.cli import app
from glassbox.cli._common import EXIT_CONDITION, http_url, writable_file
from glassbox.cli._common import results_console as _stdout
from glassbox.exceptions import ConfigError

if TYPE_CHECKING:
    from glassbox.drift import DriftReport, Profile

drift_app = typer.Typer(
    name="drift",
    help="Drift monitors: profile reference data, check current windows against it.",
    no_args_is_help=True,
)
app.add_typer(drift_app, name="drift")

_RAW_SUFFIXES = (".npy", ".csv", ".jsonl", ".ndjson")


def _build(data: Path, text: list[str], **options: Any) -> Profile:
    from glassbox.drift import Profile, read_columns

    columns = read_columns(data, text_fields=text)
    return Profile.build(
        columns, name=options.pop("name", None) or data.stem, text_fields=text, **options
    )


@drift_app.command("profile")
def profile_command(
    data: Annotated[
        Path, typer.Argument(help="Reference data: .npy, .csv or .jsonl.", show_default=False)
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the profile.")],
    text: Annotated[
        list[str] | None,
        typer.Option(
            "--text",
            help="A field of raw responses to monitor by its output features (repeatable).",
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Monitor name [default: the file's stem].")
    ] = None,
    bins: Annotated[int, typer.Option("--bins", min=2, help="Quantile bins for PSI.")] = 10,
    sample_size: Annotated[
        int, typer.Option("--sample-size", min=100, help="Scalar values kept for KS/Wasserstein.")
    ] = 10_000,
    embedding_rows: Annotated[
        int, typer.Option("--embedding-rows", min=10, help="Embedding rows kept.")
    ] = 2_000,
    projection: Annotated[
        str | None,
        typer.Option(
            "--projection",
            help="Project embeddings first: pca or random (fitted on held-out rows).",
        ),
    ] = None,
    dimensions: Annotated[
        int, typer.Option("--dimensions", min=1, help="Dimensions after --projection.")
    ] = 32,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the sampling, for reproducible profiles.")
    ] = 0,
) -> None:
    """Build a reference profile from DATA and save it to --out."""
    if projection not in (None, "pca", "random"):
        raise ConfigError("--projection", projection, "pca or random")
    writable_file(out, "--out")
    profile = _build(
        data, text or [], name=name, bins=bins, sample_size=sample_size,
        embedding_rows=embedding_rows, projection=projection,
        projection_dimensions=dimensions, seed=seed,
    )  # fmt: skip
    profile.save(out)
    kinds = ", ".join(
        f"{feature} ({p.kind}, {p.rows} rows)" for feature, p in profile.features.items()
    )
    typer.echo(f"wrote profile {out} for monitor {profile.name!r}: {kinds}")


def _reference(path: Path, text: list[str]) -> Profile:
    from glassbox.drift import Profile

    if path.suffix.lower() in _RAW_SUFFIXES:
        return _build(path, text)
    return Profile.load(path)


def _table(report: DriftReport) -> Any:
    from rich.table import Table

    colours = {"drift": "bold red", "no_drift": "green", "insufficient_data": "yellow"}
    table = Table(title=f"drift check: monitor {report.monitor} → {report.status}")
    for column in ("feature", "kind", "rows", "statistic", "value", "floor", "adj. p", "decision"):
        table.add_column(
            column, justify="right" if column in ("rows", "value", "floor", "adj. p") else "left"
        )
    for result in report.features:
        decision = f"[{colours[result.status]}]{result.status}[/]"
        if not result.statistics:
            table.add_row(
                result.feature, result.kind, str(result.samples), "", "", "", "", decision
            )
        for i, s in enumerate(result.statistics):
            table.add_row(
                result.feature if i == 0 else "", result.kind if i == 0 else "",
                str(result.samples) if i == 0 else "", s.name, f"{s.value:.4g}",
                "" if s.floor is None else f"{s.floor:.4g}",
                "" if s.adjusted_p_value is None else f"{s.adjusted_p_value:.3g}",
                decision if i == 0 else "",
            )  # fmt: skip
    return table


@drift_app.command("check")
def check_command(
    reference: Annotated[
        Path,
        typer.Option("--reference", "-r", help="A saved profile, or raw .npy/.csv/.jsonl data."),
    ],
    current: Annotated[
        Path, typer.Option("--current", help="The current window: .npy, .csv or .jsonl.")
    ],
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON instead of a table.")
    ] = False,
    pushgateway: Annotated[
        str | None,
        typer.Option(
            "--pushgateway", help="Push the results to this Pushgateway URL (job glassbox_drift)."
        ),
    ] = None,
    report_path: Annotated[
        Path | None, typer.Option("--report", help="Also write the JSON report here.")
    ] = None,
    monitor: Annotated[
        str | None, typer.Option("--monitor", help="Monitor name [default: the profile's name].")
    ] = None,
    text: Annotated[
        list[str] | None,
        typer.Option("--text", help="Raw-response fields, when --reference is raw data."),
    ] = None,
    alpha: Annotated[
        float, typer.Option("--alpha", min=1e-6, max=0.5, help="Significance after BH correction.")
    ] = 0.05,
    min_samples: Annotated[
        int, typer.Option("--min-samples", min=2, help="Smaller windows are insufficient data.")
    ] = 30,
    permutations: Annotated[
        int,
        typer.Option(
            "--permutations",
            min=19,
            help="Label permutations of the embedding tests (at 4,000 pooled rows).",
        ),
    ] = 200,
    last: Annotated[
        int | None, typer.Option("--last", min=1, help="Use only the last N rows of --current.")
    ] = None,
    fail_on_drift: Annotated[
        bool, typer.Option("--fail-on-drift", help="Exit with code 1 when drift is found.")
    ] = False,
) -> None:
    """Check --current against --reference; print the decision and the statistics behind it."""
    from rich.console import Console

    from glassbox.drift import Monitor, push, read_columns

    if pushgateway is not None:
        http_url(pushgateway, "--pushgateway", "http://127.0.0.1:9091")
    if report_path is not None:
        writable_file(report_path, "--report", create_parents=True)
    status = Console(stderr=True)
    with status.status("loading reference and current data…"):
        profile = _reference(reference, text or [])
        columns = read_columns(current, text_fields=profile.text_fields)
    if last is not None:
        columns = {name: values[-last:] for name, values in columns.items()}
    runner = Monitor(
        profile, name=monitor, alpha=alpha, min_samples=min_samples, permutations=permutations
    )
    with status.status("checking…") as spinner:
        report = runner.check(columns, on_feature=lambda f: spinner.update(f"checking {f}…"))

    data = report.to_dict()
    if json_output:
        typer.echo(json.dumps(data, indent=2))
    else:
        _stdout().print(_table(report))
    if report_path is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if pushgateway is not None:
        push(report, pushgateway)  # a PushError exits 3; the results are printed above
        status.print(f"pushed to {pushgateway} (job=glassbox_drift, monitor={report.monitor})")
    if fail_on_drift and report.drift is True:
        raise typer.Exit(EXIT_CONDITION)
