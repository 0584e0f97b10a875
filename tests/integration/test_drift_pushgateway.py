"""Drift results pushed by the CLI to a real Pushgateway, scraped by a real Prometheus,
read back through PromQL; two monitors coexist in their own groups."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from glassbox import semconv
from glassbox.cli import app
from glassbox.stack import Service, start_prometheus, start_pushgateway, wait_for_query

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, Service]]:
    state = tmp_path_factory.mktemp("drift-stack")
    pushgateway = start_pushgateway(state)
    try:
        config = state / "prometheus.yml"
        config.write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            "scrape_configs:\n"
            "  - job_name: pushgateway\n"
            "    honor_labels: true\n"
            f"    static_configs: [{{targets: ['127.0.0.1:{pushgateway.port}']}}]\n"
        )
        prometheus = start_prometheus(config, state)
        try:
            yield pushgateway, prometheus
        finally:
            prometheus.stop()
    finally:
        pushgateway.stop()


def _check(tmp_path: Path, name: str, shift: float, pushgateway: str) -> dict[str, object]:
    rng = np.random.default_rng(1)
    np.save(tmp_path / f"{name}-ref.npy", rng.normal(size=5000))
    np.save(tmp_path / f"{name}-cur.npy", rng.normal(shift, size=400))
    args = [
        "drift", "check", "-r", str(tmp_path / f"{name}-ref.npy"),
        "-c", str(tmp_path / f"{name}-cur.npy"),
        "--monitor", name, "--json", "--pushgateway", pushgateway,
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report: dict[str, object] = json.loads(result.stdout)
    return report


def test_drift_results_reach_prometheus(stack: tuple[Service, Service], tmp_path: Path) -> None:
    pushgateway, prometheus = stack
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
        f'{semconv.DRIFT_P_VALUE.name}{{monitor="checkout", {semconv.STATISTIC}="ks"}} < 0.05',
    )
    assert len(p_values) == 1
    samples = wait_for_query(
        prometheus.url, f'{semconv.DRIFT_WINDOW_SAMPLES.name}{{monitor="search"}}'
    )
    assert float(samples[0]["value"][1]) == 400
    last_run = wait_for_query(prometheus.url, f"time() - {semconv.DRIFT_LAST_RUN.name} < 300")
    assert {series["metric"][semconv.MONITOR] for series in last_run} == {"checkout", "search"}
