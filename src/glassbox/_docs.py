"""Generate the reference docs: ``python -m glassbox._docs [--check]``.

``docs/metrics.md`` comes from the contract (:mod:`glassbox.semconv`),
``docs/configuration.md`` from the settings table (:data:`glassbox._config.SETTINGS`).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from glassbox import semconv

__all__ = ["render_configuration_md", "render_metrics_md"]

DOC_PATH = Path("docs/metrics.md")
CONFIG_DOC_PATH = Path("docs/configuration.md")


def _buckets(spec: semconv.MetricSpec) -> str:
    if not spec.buckets:
        return ""
    return ", ".join(f"{b:g}" for b in spec.buckets)


def render_metrics_md() -> str:
    """The metric reference as Markdown, derived entirely from :mod:`glassbox.semconv`."""
    lines = [
        "# Metrics reference",
        "",
        "<!-- Generated from src/glassbox/semconv.py by `make docs`; do not edit by hand. -->",
        "",
        "Every metric the Glassbox SDK exposes. Names follow the OpenTelemetry semantic",
        "conventions (translated to Prometheus) where they exist, `glassbox_` otherwise.",
        "Counters are listed by family name; their samples end in `_total`. Histograms expose",
        "`_bucket`, `_sum` and `_count`. An empty `error_type` means success.",
        "",
        "| metric | type | unit | labels | OTel instrument | description |",
        "|---|---|---|---|---|---|",
    ]
    for spec in semconv.ALL_METRICS:
        name = spec.total if spec.type is semconv.MetricType.COUNTER else spec.name
        labels = ", ".join(f"`{label}`" for label in spec.labels)
        otel = f"`{spec.otel_name}`" if spec.otel_name else ""
        unit = spec.unit or "-"
        lines.append(
            f"| `{name}` | {spec.type.value} | {unit} | {labels} | {otel} | {spec.description} |"
        )
    lines += ["", "## Histogram buckets", "", "| metric | bucket upper bounds |", "|---|---|"]
    lines += [
        f"| `{spec.name}` | {_buckets(spec)} |"
        for spec in semconv.ALL_METRICS
        if spec.type is semconv.MetricType.HISTOGRAM
    ]
    lines += [
        "",
        "## Labels",
        "",
        "Open label sets are bounded by a cardinality budget (configurable with",
        "`cardinality_budgets`); values past it fold into `other` and are counted in",
        "`glassbox_cardinality_folded_total`.",
        "",
        "| label | values | default budget | meaning |",
        "|---|---|---|---|",
    ]
    for label in sorted(semconv.LABELS.values(), key=lambda spec: spec.name):
        values = ", ".join(f"`{v}`" for v in label.values) if label.values else "open"
        budget = str(label.budget) if label.budget else "-"
        lines.append(f"| `{label.name}` | {values} | {budget} | {label.description} |")
    lines += ["", "## Span attributes", "", "| attribute | name |", "|---|---|"]
    lines += [
        f"| {key.lower()} | `{value}` |"
        for key, value in vars(semconv.Attr).items()
        if not key.startswith("_") and isinstance(value, str)
    ]
    return "\n".join(lines) + "\n"


def render_configuration_md() -> str:
    """The settings reference as Markdown, derived from :data:`glassbox._config.SETTINGS`."""
    from glassbox._config import SETTINGS, Settings

    defaults = {f.name: f.default for f in dataclasses.fields(Settings)}
    lines = [
        "# Configuration",
        "",
        "<!-- Generated from src/glassbox/_config.py by `make docs`; do not edit by hand. -->",
        "",
        "Every setting is a keyword argument of `glassbox.init()` and an environment variable",
        "`GLASSBOX_<NAME>`; the standard variables in the last column are honoured as",
        "fallbacks. Arguments win over the environment. An argument given as `None` counts as",
        "not given, except `metrics_port`, `otlp_endpoint` and `otlp_logs_endpoint`, where",
        "`None` turns the feature off. Invalid values fail at `init()` with a message naming",
        "the setting (or the variable) and what is expected.",
        "",
        "| setting | type | default | environment | meaning |",
        "|---|---|---|---|---|",
    ]
    for spec in SETTINGS:
        default = defaults[spec.name]
        if isinstance(default, tuple):
            shown = f"`{','.join(default)}`" if default else "none"
        elif default is None or default is dataclasses.MISSING or callable(default):
            shown = "none"
        else:
            shown = f"`{str(default).lower() if isinstance(default, bool) else default}`"
        env = f"`GLASSBOX_{spec.name.upper()}`" if spec.env else "`init()` only"
        if spec.fallback:
            env += ", " + ", ".join(f"`{part.strip()}`" for part in spec.fallback.split(","))
        meaning = spec.help.replace("``", "`").replace("|", "\\|")
        kind = spec.type.replace("|", "\\|")
        lines.append(f"| `{spec.name}` | {kind} | {shown} | {env} | {meaning} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    documents = {DOC_PATH: render_metrics_md(), CONFIG_DOC_PATH: render_configuration_md()}
    if "--check" in argv:
        stale = [
            path
            for path, text in documents.items()
            if not path.exists() or path.read_text() != text
        ]
        for path in stale:
            print(f"{path} is stale: run `make docs`", file=sys.stderr)
        return 1 if stale else 0
    for path, text in documents.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
