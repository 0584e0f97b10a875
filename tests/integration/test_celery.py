"""Celery with real parts: a Redis broker, a real ``celery worker``, the LLM simulator.

The test process publishes tasks from inside a Glassbox workflow; the worker (solo and
prefork pools, the latter in Prometheus multiprocess mode, task events off) runs them and
exports its spans over OTLP to a receiver in the test. One trace must run from the
producer's workflow span through ``publish``/``process`` to the LLM call in the worker,
and the worker's metrics endpoint must count every outcome.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from opentelemetry.trace import SpanKind
from otlp_receiver import OTLPReceiver, ReceivedSpan
from probes import poll, sample, scrape
from services import celery_worker, process_env

import glassbox
from glassbox.mixin._external import CELERY_METRICS
from glassbox.simulator import Simulator
from glassbox.testing import capture

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("pool", ["solo", "prefork"])
def test_one_trace_from_producer_to_llm_call_and_every_outcome_counted(
    pool: str,
    redis_broker: str,
    otlp_receiver: OTLPReceiver,
    llm_simulator: Simulator,
    tmp_path: Path,
) -> None:
    import celery_app

    celery_app.app.conf.broker_url = redis_broker
    celery_app.app.conf.result_backend = redis_broker
    env = process_env(
        GLASSBOX_TEST_BROKER=redis_broker,
        GLASSBOX_TEST_LLM=llm_simulator.openai_base_url,
        GLASSBOX_OTLP_ENDPOINT=otlp_receiver.endpoint,
    )
    with celery_worker(pool, env, tmp_path) as metrics_url:
        with capture(service_name="api", instrument=["celery"]) as producer:

            @glassbox.workflow("newsroom")
            def enqueue() -> list[object]:
                return [
                    celery_app.summarise.delay("The council approved the budget."),
                    celery_app.fail.delay(),
                    celery_app.flaky.delay(),
                    celery_app.reject.delay(),
                    # expired before any worker saw it: discarded unrun, counted as revoked
                    celery_app.fail.apply_async(expires=datetime.now(UTC) - timedelta(minutes=1)),
                ]

            summary, failed, flaky, _rejected, _expired = enqueue()
            assert summary.get(timeout=60)
            assert isinstance(failed.get(timeout=60, propagate=False), ValueError)
            assert flaky.get(timeout=60) == "ok on retry"
            spans = producer.spans()
            sent = producer.value(
                "celery_task_sent_total", name="newsroom.summarise", queue_name="llm"
            )
        assert sent == 1

        workflow = next(s for s in spans if s.name == "invoke_workflow newsroom")
        trace_id = format(workflow.context.trace_id, "032x")
        publish = next(s for s in spans if s.name == "publish newsroom.summarise")
        assert publish.kind is SpanKind.PRODUCER
        assert publish.context.trace_id == workflow.context.trace_id

        def in_trace(received: list[ReceivedSpan]) -> list[ReceivedSpan]:
            return [s for s in received if s.trace_id == trace_id]

        received = in_trace(
            otlp_receiver.wait_for(
                # pool children export on their own schedules: wait for every span needed
                lambda got: (
                    {"chat gpt-4o-mini", "process newsroom.summarise"}
                    <= {s.name for s in in_trace(got)}
                    and len([s for s in in_trace(got) if s.name == "process newsroom.flaky"]) == 2
                ),
                timeout=30,
            )
        )
        process = next(s for s in received if s.name == "process newsroom.summarise")
        chat = next(s for s in received if s.name == "chat gpt-4o-mini")
        assert process.service == chat.service == "celery-worker"
        assert process.kind == 5  # CONSUMER in OTLP's enum
        assert process.parent_span_id == format(publish.context.span_id, "016x")
        assert process.attributes["messaging.destination.name"] == "llm"
        assert chat.parent_span_id == process.span_id
        flaky_runs = [s for s in received if s.name == "process newsroom.flaky"]
        assert len(flaky_runs) == 2, "the retry runs in the same trace"
        assert sorted(s.attributes.get("glassbox.retries", 0) for s in flaky_runs) == [0, 1]

        def counted() -> bool:
            samples = scrape(metrics_url)
            return (
                sample(samples, "celery_task_rejected_total", name="newsroom.reject") == 1
                and sample(samples, "celery_task_revoked_total", name="newsroom.fail") == 1
            )

        poll(counted, 30, "the rejected and the expired task to be counted")
        samples = scrape(metrics_url)
        expected = {
            ("celery_task_started_total", "newsroom.summarise", "llm"): 1,
            ("celery_task_succeeded_total", "newsroom.summarise", "llm"): 1,
            ("celery_task_failed_total", "newsroom.fail", "celery"): 1,  # not the expired one
            ("celery_task_revoked_total", "newsroom.fail", "celery"): 1,
            ("celery_task_started_total", "newsroom.fail", "celery"): 1,
            ("celery_task_started_total", "newsroom.flaky", "celery"): 2,
            ("celery_task_retried_total", "newsroom.flaky", "celery"): 1,
            ("celery_task_succeeded_total", "newsroom.flaky", "celery"): 1,
            ("celery_task_sent_total", "newsroom.flaky", "celery"): 1,  # the retry's publish
            ("celery_task_runtime_count", "newsroom.summarise", "llm"): 1,
            ("celery_task_queue_wait_seconds_count", "newsroom.summarise", "llm"): 1,
            ("celery_task_failed_total", "newsroom.summarise", "llm"): 0,
        }
        measured = {
            key: sample(samples, key[0], name=key[1], queue_name=key[2]) for key in expected
        }
        assert measured == expected
        # The mixin's Celery rules and panels read celery-exporter's task series; the
        # integration writes the same names, so both feed them (the worker and queue
        # gauges come from celery-exporter alone).
        written = {name for name, _ in samples}
        read = {name for name in CELERY_METRICS if name.startswith("celery_task_")}
        assert read <= written, f"the mixin reads series nobody writes: {sorted(read - written)}"
        cost = sample(samples, "glassbox_llm_cost_usd_total", workload="newsroom.summarise")
        assert cost > 0, "LLM cost inside the task is attributed to the task"
        tokens = sample(samples, "glassbox_llm_tokens_total", gen_ai_token_type="input")
        assert tokens > 0
