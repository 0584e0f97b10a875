"""OpenAI traffic instrumented by someone else's SDK, for the mixin's foreign-source test.

Usage: ``python foreign_worker.py SOURCE BASE_URL PORT`` with SOURCE ``otel`` (the
official ``opentelemetry-instrumentation-openai-v2``) or ``openlit``. It runs in its own
virtual environment (``.venv-foreign``, made by ``make setup``) because OpenLIT pins
other versions of packages the Glassbox venv needs. Metrics reach Prometheus the way
these SDKs' users export them: the OpenTelemetry SDK's Prometheus reader, served by
``prometheus_client``. The real ``openai`` client calls the Glassbox LLM simulator at
BASE_URL in a loop (plain and streaming chat completions; the test sets the simulator to
answer some of them with 429), prints ``ready`` after its first round, then runs until its
standard input closes.

Nothing here imports Glassbox: this is what an application that never heard of it sends.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import openai
from opentelemetry import metrics
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from prometheus_client import start_http_server


def instrument(source: str) -> None:
    """Switch the chosen third-party instrumentation on, exporting to Prometheus."""
    reader = PrometheusMetricReader()
    provider = MeterProvider(
        metric_readers=[reader], resource=Resource.create({"service.name": f"{source}-app"})
    )
    metrics.set_meter_provider(provider)
    if source == "otel":
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor

        OpenAIInstrumentor().instrument(meter_provider=provider)
    elif source == "openlit":
        import openlit
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider

        trace.set_tracer_provider(TracerProvider())  # spans stay in process: no exporter
        import json
        import tempfile

        prices = Path(tempfile.mkdtemp()) / "pricing.json"
        prices.write_text(json.dumps({}))  # OpenLIT would download its price list otherwise
        openlit.init(  # finds the MeterProvider above and records into it
            application_name=f"{source}-app",
            capture_message_content=False,
            disable_batch=True,
            pricing_json=str(prices),
        )
    else:
        raise SystemExit(f"unknown source {source!r}; expected otel or openlit")


def drive(client: openai.OpenAI, round_: int) -> None:
    """One round of calls per model: a plain and a streaming chat completion."""
    for model in ("gpt-4o-mini", "gpt-4o"):
        try:
            client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": f"Summarise story {round_}."}]
            )
            stream = client.chat.completions.create(
                model=model,
                messages=[{"role": "user", "content": f"Headline for story {round_}."}],
                stream=True,
                stream_options={"include_usage": True},
            )
            for _ in stream:
                pass
        except openai.APIStatusError:
            pass  # the injected 429s: the instrumentation records them as errors


def main() -> None:
    source, base_url, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ready_out, sys.stdout = sys.stdout, sys.stderr  # OpenLIT prints its spans to stdout
    instrument(source)
    start_http_server(port, addr="127.0.0.1")
    client = openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0)
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    round_ = 0
    drive(client, round_)
    print("ready", file=ready_out, flush=True)
    while not stop.wait(0.2):
        round_ += 1
        drive(client, round_)


if __name__ == "__main__":
    main()
