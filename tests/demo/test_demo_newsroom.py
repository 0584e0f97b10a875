"""The newsroom pipeline against the simulator (instant answers): every stage and knob."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from glassbox.demo import ArticleSource, Controls
from glassbox.demo._newsroom import MAX_STEPS, Newsroom, Ranker
from glassbox.demo._scenarios import EXPENSIVE_MODEL
from glassbox.demo._stats import NewsroomStats
from glassbox.simulator import Simulator
from glassbox.testing import Telemetry, capture


@pytest.fixture
def sims() -> Iterator[tuple[Simulator, Simulator]]:
    with (
        Simulator(seed=1, time_scale=0.0) as openai_sim,
        Simulator(seed=2, time_scale=0.0) as anthropic_sim,
    ):
        yield openai_sim, anthropic_sim


@pytest.fixture
def recorded() -> Iterator[Telemetry]:
    with capture(instrument=["openai", "anthropic"]) as telemetry:
        yield telemetry


def _newsroom(sims: tuple[Simulator, Simulator], telemetry: Telemetry) -> Newsroom:
    import anthropic
    import openai

    openai_sim, anthropic_sim = sims
    return Newsroom(
        controls=Controls(openai=openai_sim, anthropic=anthropic_sim),
        openai_client=openai.AsyncOpenAI(base_url=openai_sim.openai_base_url, api_key="sk-t"),
        anthropic_client=anthropic.AsyncAnthropic(
            base_url=anthropic_sim.anthropic_base_url, api_key="t"
        ),
        stats=NewsroomStats(),
        seed=3,
        source=ArticleSource(seed=3),
        span_store=telemetry.runtime.tracing.store,
        articles_per_second=40.0,
        editor_interval=0.05,
    )


async def _run_until(newsroom: Newsroom, condition: Any, timeout: float = 20.0) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(newsroom.run(stop))
    try:
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(0.02)
    finally:
        stop.set()
        await task


async def test_articles_flow_through_every_stage(sims: Any, recorded: Telemetry) -> None:
    newsroom = _newsroom(sims, recorded)
    stats = newsroom.stats
    await _run_until(newsroom, lambda: stats.count("publish") >= 3 and stats.count("embed") >= 20)
    for stage in ("ingest", "embed", "rank", "editor", "publish"):
        assert recorded.value("glassbox_pipeline_items_total", stage=stage, outcome="success") > 0
    assert recorded.value("glassbox_queue_tasks_total", queue="articles", outcome="success") >= 20
    models = {"text-embedding-3-small", "gpt-4o-mini", "claude-haiku-4-5"}
    for model in models:
        assert (
            recorded.value(
                "gen_ai_client_operation_duration_seconds_count", gen_ai_request_model=model
            )
            > 0
        )
    assert (
        recorded.value("gen_ai_client_operation_time_to_first_chunk_seconds_count") > 0
    )  # streamed
    assert (
        recorded.value("gen_ai_execute_tool_duration_seconds_count", gen_ai_agent_name="editor") > 0
    )
    assert recorded.value("glassbox_llm_cost_usd_total") > 0
    # the slowest run's span tree: the agent, its model calls and tools
    names = [row.name for row in stats.slowest_spans]
    assert names[0] == "invoke_agent editor"
    assert stats.slowest_trace
    assert any(n.startswith("execute_tool ") for n in names)
    assert {r.model for r in stats.slowest_spans if r.model} >= {"gpt-4o-mini", "claude-haiku-4-5"}
    # personal data reached the logs only redacted
    ingested = recorded.logs(event="article.ingested")
    contacts = [line["source_contact"] for line in ingested if "source_contact" in line]
    assert contacts
    assert all(c.startswith("<") and "@" not in c for c in contacts)
    assert all(line.get("trace_id") for line in ingested)


async def test_a_stalled_queue_grows_while_nothing_is_embedded(
    sims: Any, recorded: Telemetry
) -> None:
    newsroom = _newsroom(sims, recorded)
    newsroom.controls.stalled = True
    await _run_until(newsroom, lambda: newsroom.stats.count("ingest") >= 20)
    assert newsroom.stats.count("embed") == 0
    assert recorded.value("glassbox_queue_depth", queue="articles") >= 20


async def test_a_runaway_agent_loops_until_its_step_limit(sims: Any, recorded: Telemetry) -> None:
    newsroom = _newsroom(sims, recorded)
    newsroom.controls.runaway = True
    await _run_until(newsroom, lambda: newsroom.stats.editor_runs >= 1)
    runs = recorded.value("glassbox_agent_tool_calls_per_run_count", gen_ai_agent_name="editor")
    calls = recorded.value("glassbox_agent_tool_calls_per_run_sum", gen_ai_agent_name="editor")
    assert runs >= 1
    assert calls / runs >= MAX_STEPS
    assert recorded.logs(event="editor.step_limit")


async def test_budget_burn_writes_with_the_expensive_model(sims: Any, recorded: Telemetry) -> None:
    newsroom = _newsroom(sims, recorded)
    newsroom.controls.summary_model = EXPENSIVE_MODEL
    await _run_until(newsroom, lambda: newsroom.stats.count("publish") >= 2)
    assert recorded.value("glassbox_llm_cost_usd_total", gen_ai_request_model=EXPENSIVE_MODEL) > 0


async def test_provider_errors_fail_items_without_stopping_the_pipeline(
    sims: Any, recorded: Telemetry
) -> None:
    newsroom = _newsroom(sims, recorded)
    sims[0].set_faults(outage=True)
    await _run_until(newsroom, lambda: newsroom.stats.count("embed", "failure") >= 3)
    assert newsroom.stats.count("ingest") >= 3
    assert recorded.value("glassbox_pipeline_items_total", stage="embed", outcome="failure") >= 3


def test_ranker_picks_the_busiest_recent_topic() -> None:
    now = [0.0]
    ranker = Ranker(window=60.0, clock=lambda: now[0])
    assert ranker.top() is None
    source = ArticleSource(seed=9)
    articles = [source.next() for _ in range(40)]
    for article in articles:
        ranker.add(article)
    trend = ranker.top()
    assert trend is not None
    counts = {t: sum(a.topic == t for a in articles) for t in {a.topic for a in articles}}
    assert trend.stories == max(counts.values()) == counts[trend.topic]
    assert trend.headlines[0] == next(a.title for a in reversed(articles) if a.topic == trend.topic)
    now[0] = 61.0
    assert ranker.top() is None
