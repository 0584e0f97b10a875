"""Drift results pushed by the CLI to a real Pushgateway, scraped by a real Prometheus,
read back through PromQL; two monitors coexist in their own groups."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from glassbox import semconv
from glassbox.cli import app
from glassbox.stack import Service, wait_for_query

pytestmark = pytest.mark.integration


def _check(tmp_path: Path, name: str, shift: float, pushgateway: str) -> dict[str, object]:
    rng = np.random.default_rng(1)
    np.save(tmp_path / f"{name}-ref.npy", rng.normal(size=5000))
    np.save(tmp_path / f"{name}-cur.npy", rng.normal(shift, size=400))
    args = [
        "drift", "check", "-r", str(tmp_path / f"{name}-ref.npy"),
        "--current", str(tmp_path / f"{name}-cur.npy"),
        "--monitor", name, "--json", "--pushgateway", pushgateway,
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report: dict[str, object] = json.loads(result.stdout)
    return report


def test_drift_results_reach_prometheus(
    pushgateway_scraped: tuple[Service, Service], tmp_path: Path
) -> None:
    pushgateway, prometheus = pushgateway_scraped
    shifted = _check(tmp_path, "checkout", 1.0, pushgateway.url)
    steady = _check(tmp_path, "search", 0.0, pushgateway.url)
    assert shifted["drift"] is True
    assert steady["drift"] is False

    detected = semconv.DRIFT_DETECTED.name
    result = wait_for_query(
        prometheus.url,
        f'{detected}{{job="glassbox_drift"}}',
        lambda r: len(r) == 2,
        timeout=60,
    )
    by_monitor = {series["metric"][semconv.MONITOR]: float(series["value"][1]) for series in result}
    assert by_monitor == {"checkout": 1.0, "search": 0.0}
    assert {series["metric"][semconv.FEATURE] for series in result} == {"value"}

    p_values = wait_for_query(
        prometheus.url,
        f'{semconv.DRIFT_P_VALUE.name}{{monitor="checkout", {semconv.STATISTIC}="combined"}}'
        " < 0.05",
    )
    assert len(p_values) == 1
    samples = wait_for_query(
        prometheus.url, f'{semconv.DRIFT_WINDOW_SAMPLES.name}{{monitor="search"}}'
    )
    assert float(samples[0]["value"][1]) == 400
    last_run = wait_for_query(prometheus.url, f"time() - {semconv.DRIFT_LAST_RUN.name} < 300")
    assert {series["metric"][semconv.MONITOR] for series in last_run} == {"checkout", "search"}
