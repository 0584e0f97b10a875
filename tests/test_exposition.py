"""The metrics endpoint serves Glassbox's metrics, the application's and the process collectors."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY, Counter, Gauge
from prometheus_client.parser import text_string_to_metric_families

import glassbox


def _scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode())


def _families(text: str) -> list[str]:
    return [family.name for family in text_string_to_metric_families(text)]


@pytest.fixture
def app_counter() -> Iterator[Counter]:
    """An application metric on prometheus_client's default registry, removed afterwards."""
    counter = Counter("articles_processed", "Articles the application processed.", ["stage"])
    yield counter
    REGISTRY.unregister(counter)


def test_endpoint_serves_the_application_registry_and_process_collectors(
    app_counter: Counter,
) -> None:
    app_counter.labels("ingest").inc(3)
    runtime = glassbox.init(metrics_port=0, logs=False)
    assert runtime.metrics_url is not None
    text = _scrape(runtime.metrics_url)
    names = _families(text)
    assert 'articles_processed_total{stage="ingest"} 3.0' in text
    assert "process_cpu_seconds" in names
    assert "python_info" in names
    assert "glassbox_build_info" in names
    assert len(names) == len(set(names)), "a family name is served twice"


def test_a_name_both_define_is_served_once_with_glassboxs_value() -> None:
    clash = Gauge("glassbox_build_info", "An application metric that took Glassbox's name.")
    clash.set(42)
    try:
        runtime = glassbox.init(metrics_port=0, logs=False)
        assert runtime.metrics_url is not None
        text = _scrape(runtime.metrics_url)
    finally:
        REGISTRY.unregister(clash)
    names = _families(text)
    assert names.count("glassbox_build_info") == 1
    assert "glassbox_build_info 42.0" not in text
    assert 'glassbox_build_info{version="' in text


def test_app_metrics_can_be_switched_off(app_counter: Counter) -> None:
    app_counter.labels("ingest").inc()
    runtime = glassbox.init(metrics_port=0, logs=False, app_metrics=False)
    assert runtime.metrics_url is not None
    names = _families(_scrape(runtime.metrics_url))
    assert "articles_processed" not in names
    assert "process_cpu_seconds" not in names
    assert "glassbox_build_info" in names


def test_app_metrics_setting_is_validated() -> None:
    with pytest.raises(glassbox.ConfigError, match="app_metrics"):
        glassbox.init(metrics_port=None, logs=False, app_metrics="sometimes")


_MULTIPROCESS_APP = textwrap.dedent(
    """
    import os, sys, urllib.request
    import glassbox
    from prometheus_client import Counter

    runtime = glassbox.init(metrics_port=0, logs=False, multiprocess_dir=sys.argv[1])
    processed = Counter("articles_processed", "Articles processed.", ["stage"])
    processed.labels("ingest").inc()
    for _ in range(2):  # pre-fork workers count into their own files
        pid = os.fork()
        if pid == 0:
            processed.labels("ingest").inc(10)
            with glassbox.llm_call("openai", "gpt-4o-mini") as call:
                call.set_usage(input_tokens=5, output_tokens=1)
            os._exit(0)
        os.waitpid(pid, 0)
    with urllib.request.urlopen(runtime.metrics_url, timeout=5) as response:
        sys.stdout.write(response.read().decode())
    glassbox.shutdown()
    """
)


def test_multiprocess_mode_serves_the_applications_metrics_of_every_worker(
    tmp_path: Path,
) -> None:
    script = tmp_path / "app.py"
    script.write_text(_MULTIPROCESS_APP)
    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    result = subprocess.run(
        [sys.executable, str(script), str(multiproc)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout
    names = _families(text)
    assert len(names) == len(set(names)), "a family name is served twice"
    assert 'articles_processed_total{stage="ingest"} 21.0' in text
    assert "gen_ai_client_operation_duration_seconds" in names
