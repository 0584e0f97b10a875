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
    with pytest.raises(ValueError, match="expected one of success, failure, retry, dead_letter"):
        q.outcome("exploded")


def test_pipeline_stage_and_cache(telemetry: Telemetry) -> None:
    embed = glassbox.stage("embed")
    embed.processed()
    embed.processed("failure", 2)
    with pytest.raises(ValueError, match="pipeline outcome 'lost'"):
        embed.processed("lost")
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
