"""Fixtures that start real processes; each stops what it started."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from otlp_receiver import OTLPReceiver
from services import redis_server

from glassbox.simulator import Simulator
from glassbox.stack import Service, start_prometheus, start_pushgateway


@pytest.fixture(scope="module")
def pushgateway_scraped(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Service, Service]]:
    """A real Pushgateway and a real Prometheus scraping it every second (honor_labels)."""
    state = tmp_path_factory.mktemp("pushgateway-stack")
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
        with start_prometheus(config, state) as prometheus:
            yield pushgateway, prometheus
    finally:
        pushgateway.stop()


@pytest.fixture(scope="module")
def otlp_receiver() -> Iterator[OTLPReceiver]:
    """An OTLP/HTTP trace receiver on loopback that keeps what processes export."""
    with OTLPReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def llm_simulator() -> Iterator[Simulator]:
    """The LLM simulator on loopback, answering at once."""
    with Simulator(seed=5, time_scale=0.0) as simulator:
        yield simulator


@pytest.fixture(scope="session")
def redis_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server (the Celery broker and result backend); yields its URL.

    One per session: the test process's Celery app keeps its connection pool on the
    first broker URL it used.
    """
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url
