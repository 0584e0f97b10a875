"""Generate ``docs/metrics.md`` from the contract: ``python -m glassbox._docs [--check]``."""

from __future__ import annotations

import sys
from pathlib import Path

from glassbox import semconv

__all__ = ["render_metrics_md"]

DOC_PATH = Path("docs/metrics.md")


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


def main(argv: list[str]) -> int:
    text = render_metrics_md()
    if "--check" in argv:
        if not DOC_PATH.exists() or DOC_PATH.read_text() != text:
            print(f"{DOC_PATH} is stale: run `make docs`", file=sys.stderr)
            return 1
        return 0
    DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOC_PATH.write_text(text)
    print(f"wrote {DOC_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
