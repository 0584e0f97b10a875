"""Every dashboard query returns data from a real Prometheus scraping the real SDK.

The exerciser drives every SDK path in a loop; a loopback HTTP server serves the SDK's
exposition (plus synthesized vLLM, SGLang, TGI and llama.cpp series, which the SDK never
produces: see ``glassbox.mixin.EXTERNAL_METRICS``); a real ``prometheus`` scrapes it every
second and evaluates the generated recording rules; then every panel query of every
dashboard must return at least one series.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from glassbox.check._contract import mixin_queries, substitute
from glassbox.check._exercise import exercise_into, settings
from glassbox.mixin import build, load_decisions
from glassbox.render import mixin_files, write_files
from glassbox.stack import free_port, query, start_prometheus, wait_for_query
from glassbox.testing import capture

pytestmark = pytest.mark.integration

VARIABLES = {
    "$__rate_interval": "10s",
    "$__interval": "1s",
    "$__range_s": "60",
    "$__range": "1m",
    "$env": ".*",
    "$service": ".*",
}


SGLANG_MODEL = "qwen-2-7b"


def _engines(tick: int) -> str:
    """Series as vLLM, SGLang, TGI, llama.cpp and celery-exporter name them."""
    lines = []
    labels = 'model_name="llama-3-8b"'
    gauges = {
        "vllm:num_requests_waiting": 3,
        "vllm:num_requests_running": 5,
        "vllm:kv_cache_usage_perc": 0.4,
    }
    lines.extend(f"{name}{{{labels}}} {value}" for name, value in gauges.items())
    # SGLang serving another model on four tensor-parallel ranks, each reporting the one
    # queue they share (--enable-metrics-for-all-schedulers)
    for name, value in (
        ("sglang:num_queue_reqs", 2),
        ("sglang:num_running_reqs", 4),
        ("sglang:token_usage", 0.3),
        ("sglang:cache_hit_rate", 0.5),
    ):
        lines.extend(
            f'{name}{{model_name="{SGLANG_MODEL}",engine_type="unified",tp_rank="{rank}"}} {value}'
            for rank in range(4)
        )
    for name, value in (
        ("tgi_queue_size", 1),
        ("tgi_batch_current_size", 2),
        ("llamacpp:requests_processing", 1),
        ("llamacpp:requests_deferred", 0),
        ("llamacpp:kv_cache_usage_ratio", 0.2),
    ):
        lines.append(f"{name} {value}")  # one model per server: no model label
    for name, per_tick in (
        ("vllm:num_preemptions_total", 1),
        ("vllm:prefix_cache_queries_total", 10),
        ("vllm:prefix_cache_hits_total", 6),
    ):
        lines.append(f"{name}{{{labels}}} {tick * per_tick}")
    lines.extend(
        f"{name} {tick * 50}"
        for name in ("llamacpp:prompt_tokens_total", "llamacpp:tokens_predicted_total")
    )
    histograms = [
        (f"vllm:{name}", labels)
        for name in (
            "time_to_first_token_seconds",
            "inter_token_latency_seconds",
            "request_queue_time_seconds",
            "request_prefill_time_seconds",
            "request_decode_time_seconds",
            "e2e_request_latency_seconds",
        )
    ]
    histograms += [
        ("sglang:time_to_first_token_seconds", labels),
        ("tgi_request_queue_duration", ""),
        ("tgi_request_inference_duration", ""),
    ]
    for name, own in histograms:
        for le in ("0.05", "0.1", "0.5", "+Inf"):
            sep = "," if own else ""
            lines.append(
                f'{name}_bucket{{{own}{sep}le="{le}"}} {tick * (2 if le == "0.05" else 4)}'
            )
    celery = 'name="tasks.summarise",hostname="worker-1",queue_name="llm"'
    lines += [
        f"celery_task_succeeded_total{{{celery}}} {tick * 3}",
        f'celery_task_failed_total{{{celery},exception="TimeoutError"}} {tick}',
        f"celery_task_sent_total{{{celery}}} {tick * 4}",
        'celery_queue_length{queue_name="llm"} 7',
        'celery_worker_up{hostname="worker-1"} 1',
    ]
    lines.extend(
        f'celery_task_runtime_bucket{{{celery},le="{le}"}} {tick * n}'
        for le, n in (("0.5", 1), ("5", 3), ("+Inf", 3))
    )
    return "\n".join(lines) + "\n"


@pytest.fixture
def sdk_endpoint() -> Iterator[str]:
    stop = threading.Event()
    with capture(service_name="newsroom", **settings()) as telemetry:
        exercise_into(telemetry)
        ticks = [0]

        def drive() -> None:
            while not stop.wait(0.25):
                exercise_into(telemetry)
                ticks[0] += 1

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = (telemetry.exposition() + _engines(ticks[0])).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        threads = [
            threading.Thread(target=server.serve_forever, daemon=True),
            threading.Thread(target=drive, daemon=True),
        ]
        for thread in threads:
            thread.start()
        try:
            yield f"127.0.0.1:{server.server_address[1]}"
        finally:
            stop.set()
            server.shutdown()
            server.server_close()
            threads[1].join(5)


def test_every_panel_query_returns_data(sdk_endpoint: str, tmp_path: Path) -> None:
    env = load_decisions().environment("local")
    env = dataclasses.replace(
        env,
        targets={"newsroom": (sdk_endpoint,)},
        pushgateway=None,
        alertmanager=f"127.0.0.1:{free_port()}",
    )
    mixin = build(env)
    write_files(mixin_files(mixin), tmp_path / "out")
    prometheus = start_prometheus(
        tmp_path / "out" / "prometheus" / "prometheus.yml", tmp_path / "state"
    )
    try:
        wait_for_query(prometheus.url, f"{mixin.records.calls.name}", timeout=60)
        panels = [q for q in mixin_queries(mixin) if q.where.startswith("dashboard")]
        assert len(panels) > 80
        empty = {q.where: substitute(q.expr, VARIABLES) for q in panels}
        deadline = time.monotonic() + 45
        while empty and time.monotonic() < deadline:
            for where, expr in list(empty.items()):
                if query(prometheus.url, expr):
                    del empty[where]
            if empty:
                time.sleep(1)
        assert not empty, "panels without data:\n" + "\n".join(
            f"{w}\n    {e}" for w, e in empty.items()
        )
        # every queue counted once: SGLang's four ranks report one queue of 2, not 8
        waiting = next(q for q in panels if "'Waiting requests'" in q.where)
        by_model = {
            r["metric"].get("model_name", ""): float(r["value"][1])
            for r in query(prometheus.url, substitute(waiting.expr, VARIABLES))
        }
        assert by_model["llama-3-8b"] == 3
        assert by_model[SGLANG_MODEL] == 2
    finally:
        prometheus.stop()
