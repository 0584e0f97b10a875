"""Eval scorecards pushed by `glassbox eval run` to a real Pushgateway, scraped by a real
Prometheus and read back through PromQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from glassbox import semconv
from glassbox.cli import app
from glassbox.stack import Service, wait_for_query

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).parents[2] / "examples" / "evals" / "qa.yaml"


def test_eval_scores_reach_prometheus(
    pushgateway_scraped: tuple[Service, Service], tmp_path: Path
) -> None:
    pushgateway, prometheus = pushgateway_scraped
    report_path = tmp_path / "qa.json"
    args = [
        "eval",
        "run",
        str(EXAMPLE),
        "--report",
        str(report_path),
        "--pushgateway",
        pushgateway.url,
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(report_path.read_text())

    selector = f'{{job="glassbox_eval", {semconv.SUITE}="qa-smoke"}}'
    scores = wait_for_query(
        prometheus.url, semconv.EVAL_SCORE.name + selector, lambda r: len(r) == 4
    )
    by_metric = {s["metric"][semconv.EVAL_METRIC]: float(s["value"][1]) for s in scores}
    assert by_metric == pytest.approx({name: m["score"] for name, m in report["metrics"].items()})

    inside = wait_for_query(
        prometheus.url,
        f"{semconv.EVAL_SCORE_LOWER.name}{selector} <= on({semconv.EVAL_METRIC}) "
        f"{semconv.EVAL_SCORE.name}{selector}",
        lambda r: len(r) == 4,
    )
    assert len(inside) == 4
    samples = wait_for_query(
        prometheus.url, f'{semconv.EVAL_SAMPLES.name}{{{semconv.EVAL_METRIC}="f1"}}'
    )
    assert float(samples[0]["value"][1]) == 12
    regression = wait_for_query(prometheus.url, f"sum({semconv.EVAL_REGRESSION.name}{selector})")
    assert float(regression[0]["value"][1]) == 0
    wait_for_query(prometheus.url, f"time() - {semconv.EVAL_LAST_RUN.name}{selector} < 300")
