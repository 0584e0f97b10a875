"""The Celery integration in process: the message it publishes, eager runs, attribution.

The cross-process behaviour (Redis broker, real solo and prefork workers) is tested in
``tests/integration/test_celery.py``; here Celery's in-memory transport and eager mode
show the pieces quickly.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator

import celery
import pytest
from celery import signals
from opentelemetry.trace import SpanKind, StatusCode

import glassbox
from glassbox.instrumentation._celery import SENT_AT_HEADER
from glassbox.testing import Telemetry, capture


@pytest.fixture
def app() -> celery.Celery:
    application = celery.Celery("unit", broker="memory://", backend="cache+memory://")
    application.conf.task_routes = {"unit.summarise": {"queue": "llm"}}

    @application.task(name="unit.summarise", shared=False)
    def summarise(text: str) -> str:
        with glassbox.llm_call("openai", "gpt-4o-mini") as call:
            call.set_usage(input_tokens=1000, output_tokens=100)
        return text[:10]

    @application.task(name="unit.fail", shared=False)
    def fail() -> None:
        raise KeyError("missing article")

    return application


@pytest.fixture
def celery_telemetry() -> Iterator[Telemetry]:
    with capture(instrument=["celery"]) as recorded:
        yield recorded


def test_publish_puts_the_trace_and_the_send_time_into_the_message(
    app: celery.Celery, celery_telemetry: Telemetry
) -> None:
    @glassbox.workflow("enqueue")
    def enqueue() -> None:
        app.tasks["unit.summarise"].delay("The council approved the budget.")

    enqueue()
    with app.connection() as connection:
        message = connection.SimpleQueue("llm").get(timeout=5)
        headers = message.headers
        message.ack()
    spans = celery_telemetry.spans()
    workflow = next(s for s in spans if s.name == "invoke_workflow enqueue")
    publish = next(s for s in spans if s.name == "publish unit.summarise")
    assert publish.kind is SpanKind.PRODUCER
    assert publish.parent is not None
    assert publish.parent.span_id == workflow.context.span_id
    _version, trace_id, span_id, _flags = headers["traceparent"].split("-")
    assert int(trace_id, 16) == workflow.context.trace_id
    assert int(span_id, 16) == publish.context.span_id
    assert isinstance(headers[SENT_AT_HEADER], float)
    sent = celery_telemetry.value("celery_task_sent_total", name="unit.summarise", queue_name="llm")
    assert sent == 1


def test_an_eager_run_is_a_child_of_the_caller_and_its_cost_is_attributed_to_it(
    app: celery.Celery, celery_telemetry: Telemetry
) -> None:
    app.conf.task_always_eager = True

    @glassbox.workflow("inline")
    def inline() -> str:
        return str(app.tasks["unit.summarise"].delay("The council approved the budget.").get())

    assert inline() == "The counci"
    spans = celery_telemetry.spans()
    workflow = next(s for s in spans if s.name == "invoke_workflow inline")
    process = next(s for s in spans if s.name == "process unit.summarise")
    chat = next(s for s in spans if s.name == "chat gpt-4o-mini")
    assert process.kind is SpanKind.CONSUMER
    assert process.parent is not None
    assert process.parent.span_id == workflow.context.span_id
    assert chat.parent is not None
    assert chat.parent.span_id == process.context.span_id
    value = celery_telemetry.value
    assert value("celery_task_started_total", name="unit.summarise") == 1
    assert value("celery_task_succeeded_total", name="unit.summarise") == 1
    assert value("celery_task_runtime_count", name="unit.summarise") == 1
    assert value("glassbox_llm_cost_usd_total", workload="unit.summarise") > 0
    assert value("glassbox_llm_cost_usd_total", workload="") == 0
    assert glassbox.current_attributes() == {}, "the workload ends with the task"


def test_a_failed_task_is_counted_and_its_span_carries_the_error(
    app: celery.Celery, celery_telemetry: Telemetry
) -> None:
    app.conf.task_always_eager = True
    result = app.tasks["unit.fail"].delay()
    assert isinstance(result.result, KeyError)
    span = next(s for s in celery_telemetry.spans() if s.name == "process unit.fail")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == "KeyError"
    assert celery_telemetry.value("celery_task_failed_total", name="unit.fail") == 1
    assert celery_telemetry.value("celery_task_succeeded_total", name="unit.fail") == 0


def test_shutdown_disconnects_from_celerys_signals() -> None:
    with capture(instrument=["celery"]):
        connected = len(signals.task_prerun.receivers)
    assert len(signals.task_prerun.receivers) == connected - 1


def test_a_run_terminated_in_this_process_ends_as_revoked(
    app: celery.Celery, celery_telemetry: Telemetry
) -> None:
    """A greenlet pool terminates a revoked task in the worker's own process: no postrun
    follows, so the revoke ends the run's span and counts it."""
    task = app.tasks["unit.summarise"]

    def run_then_terminate() -> None:  # the task's own context, gone with it
        task.push_request(id="t-1", delivery_info={"routing_key": "llm"})
        try:
            signals.task_prerun.send(sender=task, task_id="t-1", task=task, args=(), kwargs={})
            signals.task_revoked.send(
                sender=task, request=task.request, terminated=True, signum=15, expired=False
            )
        finally:
            task.pop_request()

    contextvars.copy_context().run(run_then_terminate)
    span = next(s for s in celery_telemetry.spans() if s.name == "process unit.summarise")
    assert span.attributes is not None
    assert span.attributes["glassbox.task.state"] == "REVOKED"
    value = celery_telemetry.value
    assert value("celery_task_revoked_total", name="unit.summarise", queue_name="llm") == 1
    assert value("celery_task_started_total", name="unit.summarise") == 1
    assert value("celery_task_succeeded_total", name="unit.summarise") == 0
