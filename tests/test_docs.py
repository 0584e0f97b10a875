from __future__ import annotations

from pathlib import Path

from glassbox import semconv
from glassbox._docs import render_configuration_md, render_metrics_md

ROOT = Path(__file__).resolve().parents[1]


def test_metrics_reference_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "metrics.md").read_text()
    assert committed == render_metrics_md(), "docs/metrics.md is stale: run `make docs`"


def test_reference_lists_every_metric_and_label() -> None:
    text = render_metrics_md()
    for spec in semconv.ALL_METRICS:
        assert f"`{spec.series[0]}`" in text or f"`{spec.name}`" in text
    for label in semconv.LABELS:
        assert f"`{label}`" in text


def test_configuration_reference_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "configuration.md").read_text()
    assert committed == render_configuration_md(), "docs/configuration.md is stale: make docs"
