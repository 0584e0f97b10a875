"""The SDK's exposition as a real Prometheus sees it: series, labels, counts, sums, buckets."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from glassbox.stack import Service, free_port, query, start_prometheus, wait_for_query, wait_http_ok

WORKER = Path(__file__).with_name("sdk_worker.py")
CALLS = 10


def _start_worker(
    port: int, *extra: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    import os

    process = subprocess.Popen(
        [sys.executable, str(WORKER), str(port), "--calls", str(CALLS), *extra],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        raise AssertionError(
            f"worker did not start: {line!r} {process.stderr.read() if process.stderr else ''}"
        )
    wait_http_ok(f"http://127.0.0.1:{port}/metrics", timeout=20)
    return process


def _stop_worker(process: subprocess.Popen[str]) -> None:
    if process.stdin is not None:
        process.stdin.close()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _prometheus(tmp_path: Path, target_port: int) -> Service:
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n"
        "  - job_name: worker\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{target_port}'], labels: {{env: test}}}}]\n"
    )
    return start_prometheus(config, tmp_path)


@pytest.fixture
def scraped_worker(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    worker = _start_worker(port)
    try:
        with _prometheus(tmp_path, port) as prometheus:
            wait_for_query(
                prometheus.url, "gen_ai_client_operation_duration_seconds_count", timeout=60
            )
            yield prometheus.url
    finally:
        _stop_worker(worker)


def _scalar(url: str, expr: str) -> float:
    result = query(url, expr)
    assert len(result) == 1, f"{expr}: {result}"
    return float(result[0]["value"][1])


def test_prometheus_scrapes_the_expected_series(scraped_worker: str) -> None:
    url = scraped_worker
    ok = 'error_type="",gen_ai_request_model="gpt-4o-mini",gen_ai_operation_name="chat"'
    assert (
        _scalar(url, f"sum(gen_ai_client_operation_duration_seconds_count{{{ok}}})")
        == 2 * CALLS - CALLS / 2
    )
    assert (
        _scalar(
            url, 'sum(gen_ai_client_operation_duration_seconds_count{error_type="rate_limited"})'
        )
        == CALLS / 2
    )
    assert (
        _scalar(url, 'sum(gen_ai_client_token_usage_sum{gen_ai_token_type="input"})')
        == 1000 * CALLS
    )
    assert (
        _scalar(url, 'sum(glassbox_llm_tokens_total{gen_ai_token_type="cache_read"})')
        == 400 * CALLS
    )
    # 1000 input tokens fall in the (256, 1024] bucket of the semconv layout
    assert (
        _scalar(
            url, 'sum(gen_ai_client_token_usage_bucket{gen_ai_token_type="input",le=~"256(.0)?"})'
        )
        == 0
    )
    assert (
        _scalar(
            url, 'sum(gen_ai_client_token_usage_bucket{gen_ai_token_type="input",le=~"1024(.0)?"})'
        )
        == CALLS
    )
    # streaming: one time-to-first-chunk per stream, three intervals per four-chunk stream
    assert _scalar(url, "sum(gen_ai_client_operation_time_to_first_chunk_seconds_count)") == CALLS
    assert (
        _scalar(url, "sum(gen_ai_client_operation_time_per_output_chunk_seconds_count)")
        == 3 * CALLS
    )
    cost = _scalar(url, 'sum(glassbox_llm_cost_usd_total{team="newsroom",tenant="acme"})')
    assert cost == pytest.approx(CALLS * (600 * 0.15 + 400 * 0.075 + 100 * 0.6) / 1e6)
    assert _scalar(url, 'glassbox_queue_tasks_total{queue="ingest",outcome="success"}') == CALLS
    assert _scalar(url, 'glassbox_queue_depth{queue="ingest"}') == 0
    series = [r["metric"] for r in query(url, "gen_ai_client_operation_duration_seconds_count")]
    assert {(m["job"], m["env"]) for m in series} == {("worker", "test")}
    names = set().union(*series)
    assert names >= {
        "gen_ai_provider_name",
        "gen_ai_request_model",
        "gen_ai_response_model",
        "error_type",
    }
    # an empty label (no response model on a failed stream, no error) is absent, not ""
    assert any("gen_ai_response_model" not in m for m in series)


def test_exemplars_reach_prometheus_with_trace_ids(scraped_worker: str) -> None:
    import time
    import urllib.parse

    from glassbox.stack import get_json

    params = urllib.parse.urlencode(
        {
            "query": "gen_ai_client_operation_duration_seconds_bucket",
            "start": time.time() - 600,
            "end": time.time() + 60,
        }
    )
    body = get_json(f"{scraped_worker}/api/v1/query_exemplars?{params}")
    trace_ids = {e["labels"]["trace_id"] for series in body["data"] for e in series["exemplars"]}
    assert trace_ids, body
    assert all(len(t) == 32 and int(t, 16) for t in trace_ids)


def test_multiprocess_mode_aggregates_forked_workers(tmp_path: Path) -> None:
    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    port = free_port()
    worker = _start_worker(
        port, "--multiprocess-children", "2", env={"PROMETHEUS_MULTIPROC_DIR": str(multiproc)}
    )
    try:
        with _prometheus(tmp_path, port) as prometheus:
            url = prometheus.url
            expr = (
                "sum by (gen_ai_request_model) "
                "(glassbox_llm_tokens_total{gen_ai_token_type='input'})"
            )
            result = wait_for_query(url, expr, lambda r: len(r) == 3, timeout=60)
            by_model = {r["metric"]["gen_ai_request_model"]: float(r["value"][1]) for r in result}
            assert by_model == {"gpt-4o-mini": 1000 * CALLS, "child-model-0": 1000 * CALLS,
                                "child-model-1": 1000 * CALLS}  # fmt: skip
            assert (
                _scalar(url, "sum(gen_ai_client_operation_duration_seconds_count)") == 3 * 2 * CALLS
            )
            assert _scalar(url, "sum(glassbox_queue_tasks_total)") == 3 * CALLS
    finally:
        _stop_worker(worker)
    assert list(multiproc.glob("*.db")), "multiprocess mode wrote no per-process files"


def test_promtool_finds_no_problem_in_the_exposition() -> None:
    from glassbox.check import exercise
    from glassbox.stack import require_binary

    exposition = exercise()
    families = (
        "gen_ai_client_operation_duration_seconds",
        "glassbox_llm_cost_usd_total",
        "glassbox_queue_depth",
        "http_server_request_duration_seconds",
        "glassbox_eval_score",
    )
    for family in families:
        assert f"# TYPE {family} " in exposition
    result = subprocess.run(
        [require_binary("promtool"), "check", "metrics"],
        input=exposition,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""
    assert result.stderr.strip() == ""
