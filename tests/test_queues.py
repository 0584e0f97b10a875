from __future__ import annotations

import pytest

import glassbox
from glassbox.testing import Telemetry


def test_queue_depth_wait_busy_and_outcomes(telemetry: Telemetry) -> None:
    q = glassbox.queue("ingest")
    stamps = [q.enqueued() for _ in range(3)]
    assert telemetry.value("glassbox_queue_depth", queue="ingest") == 3
    with q.processing(enqueued_at=stamps[0]):
        assert telemetry.value("glassbox_queue_busy_workers", queue="ingest") == 1
    with q.processing(enqueued_at=stamps[1]) as task:
        task.retry()
    with pytest.raises(KeyError), q.processing(enqueued_at=stamps[2]):
        raise KeyError("bad item")
    value = telemetry.value
    assert value("glassbox_queue_depth", queue="ingest") == 0
    assert value("glassbox_queue_busy_workers", queue="ingest") == 0
    assert value("glassbox_queue_enqueued_total", queue="ingest") == 3
    assert value("glassbox_queue_wait_seconds_count", queue="ingest") == 3
    assert value("glassbox_queue_task_duration_seconds_count", queue="ingest") == 3
    assert value("glassbox_queue_tasks_total", queue="ingest", outcome="success") == 1
    assert value("glassbox_queue_tasks_total", queue="ingest", outcome="retry") == 1
    assert value("glassbox_queue_tasks_total", queue="ingest", outcome="failure") == 1


def test_dead_letter_and_polled_depth(telemetry: Telemetry) -> None:
    q = glassbox.queue("sqs")
    q.set_depth(42)
    with q.processing() as task:
        task.dead_letter()
    q.outcome("success", 5)
    assert telemetry.value("glassbox_queue_depth", queue="sqs") == 41
    assert telemetry.value("glassbox_queue_tasks_total", queue="sqs", outcome="dead_letter") == 1
    assert telemetry.value("glassbox_queue_tasks_total", queue="sqs", outcome="success") == 5
    q.outcome("exploded")  # reported and skipped, never raised into the worker
    assert telemetry.value("glassbox_instrumentation_errors_total", component="queue") == 1
    (warning,) = telemetry.logs(event="glassbox.instrumentation_error", component="queue")
    assert "queue outcome='exploded'" in warning["error"]
    assert "expected one of success, failure, retry, dead_letter" in warning["error"]


def test_pipeline_stage_and_cache(telemetry: Telemetry) -> None:
    embed = glassbox.stage("embed")
    embed.processed()
    embed.processed("failure", 2)
    embed.processed("lost")
    assert telemetry.value("glassbox_instrumentation_errors_total", component="pipeline") == 1
    cache = glassbox.cache("embeddings")
    cache.hit(3)
    cache.miss()
    assert telemetry.value("glassbox_pipeline_items_total", stage="embed", outcome="success") == 1
    assert telemetry.value("glassbox_pipeline_items_total", stage="embed", outcome="failure") == 2
    assert telemetry.value("glassbox_cache_requests_total", cache="embeddings", result="hit") == 3
    assert telemetry.value("glassbox_cache_requests_total", cache="embeddings", result="miss") == 1


def test_handles_created_before_init_record_after_init() -> None:
    q = glassbox.queue("early")
    q.enqueued()  # before init: nothing recorded, nothing raised
    from glassbox.testing import capture

    with capture() as telemetry:
        q.enqueued()
        assert telemetry.value("glassbox_queue_enqueued_total", queue="early") == 1


def test_budget_is_tracked_and_enforced_when_asked() -> None:
    from glassbox.testing import capture

    budgets = [
        glassbox.Budget("search", 0.0002, team="search", enforce=True),
        glassbox.Budget("all", 100.0),
    ]
    with capture(budgets=budgets) as telemetry:
        with glassbox.attributes(team="search"):
            with glassbox.llm_call("openai", "gpt-4o-mini") as call:
                call.set_usage(input_tokens=1000, output_tokens=200)  # $0.00027
            with pytest.raises(glassbox.BudgetExceededError, match="budget 'search' is exhausted"):
                glassbox.llm_call("openai", "gpt-4o-mini").start()
        # other teams are not limited by it
        with glassbox.llm_call("openai", "gpt-4o-mini") as call:
            call.set_usage(input_tokens=1000, output_tokens=200)
        assert telemetry.value("glassbox_budget_blocked_calls_total", budget="search") == 1
        assert telemetry.value("glassbox_budget_limit_usd", budget="search") == pytest.approx(
            0.0002
        )
        assert telemetry.value("glassbox_budget_spend_usd", budget="search") == pytest.approx(
            0.00027
        )
        assert telemetry.value("glassbox_budget_spend_usd", budget="all") == pytest.approx(0.00054)


@pytest.mark.parametrize("count", [-1, 1.5, float("nan"), float("inf"), "abc", {}, None, True])
def test_malformed_counts_are_reported_and_skipped(telemetry: Telemetry, count: object) -> None:
    q, stage, cache = glassbox.queue("q"), glassbox.stage("s"), glassbox.cache("c")
    q.outcome("success", count)  # type: ignore[arg-type]
    stage.processed("success", count)  # type: ignore[arg-type]
    cache.hit(count)  # type: ignore[arg-type]
    cache.miss(count)  # type: ignore[arg-type]
    q.enqueued(count)  # type: ignore[arg-type]
    assert telemetry.value("glassbox_queue_tasks_total", queue="q") == 0
    assert telemetry.value("glassbox_pipeline_items_total", stage="s") == 0
    assert telemetry.value("glassbox_cache_requests_total", cache="c") == 0
    assert telemetry.value("glassbox_queue_depth", queue="q") == 0
    assert telemetry.value("glassbox_instrumentation_errors_total") == 5


@pytest.mark.parametrize("depth", ["abc", float("nan"), -3, {}, None])
def test_malformed_depth_is_reported_and_skipped(telemetry: Telemetry, depth: object) -> None:
    q = glassbox.queue("polled")
    q.set_depth(7)
    q.set_depth(depth)  # type: ignore[arg-type]
    assert telemetry.value("glassbox_queue_depth", queue="polled") == 7
    assert telemetry.value("glassbox_instrumentation_errors_total", component="queue") == 1
