"""The newsroom: ingest → queue → embed → rank → editor agent with tools → publish.

Every LLM call goes through the real ``openai`` and ``anthropic`` client libraries to the
simulator and is recorded by Glassbox's auto-instrumentation; the pipeline itself uses
the SDK's public primitives (``queue``, ``stage``, ``task``, ``agent``, ``tool``,
``workflow``), exactly as an application would.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic, perf_counter
from typing import Any

from opentelemetry import trace

import glassbox
from glassbox.demo._articles import Article, ArticleSource
from glassbox.demo._scenarios import EXPENSIVE_MODEL, Controls
from glassbox.demo._spans import span_tree
from glassbox.demo._stats import NewsroomStats

__all__ = ["EMBEDDING_MODEL", "PLANNER_MODEL", "Newsroom", "Ranker", "Trend"]

EMBEDDING_MODEL = "text-embedding-3-small"
PLANNER_MODEL = "gpt-4o-mini"
#: A forced tool loop is cut off after this many model turns.
MAX_STEPS = 12
#: Editor runs in flight at once (a slow provider does not stop the desk).
MAX_EDITORS = 4

_articles_queue = glassbox.queue("articles")
_stages = {name: glassbox.stage(name) for name in ("ingest", "embed", "rank", "editor", "publish")}

_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "archive_search",
            "description": "Search earlier stories.",
            "parameters": {
                "type": "object",
                "properties": {"query": {"type": "string"}},
                "required": ["query"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "stats_lookup",
            "description": "Story counts per topic.",
            "parameters": {
                "type": "object",
                "properties": {"topic": {"type": "string"}},
                "required": ["topic"],
            },
        },
    },
]


@dataclass(frozen=True)
class Trend:
    """The hottest topic of the last minute and its latest headlines."""

    topic: str
    stories: int
    headlines: tuple[str, ...]
    articles: tuple[Article, ...] = ()


class Ranker:
    """Ranks topics by how many articles arrived in the last ``window`` seconds."""

    def __init__(self, window: float = 60.0, clock: Callable[[], float] = monotonic) -> None:
        self._window = window
        self._clock = clock
        self._seen: deque[tuple[float, Article]] = deque()

    def add(self, article: Article) -> None:
        self._seen.append((self._clock(), article))

    def top(self) -> Trend | None:
        """The topic with most recent articles (ties: the most recent), or ``None``."""
        horizon = self._clock() - self._window
        while self._seen and self._seen[0][0] < horizon:
            self._seen.popleft()
        if not self._seen:
            return None
        counts: dict[str, int] = {}
        for _, article in self._seen:
            counts[article.topic] = counts.get(article.topic, 0) + 1
        topic = max(counts, key=lambda t: counts[t])
        latest = tuple(a for _, a in reversed(self._seen) if a.topic == topic)[:12]
        return Trend(topic, counts[topic], tuple(a.title for a in latest[:3]), latest)


@glassbox.tool("archive_search")
async def archive_search(rng: random.Random, query: str) -> str:
    """Look up earlier coverage (a small in-memory archive with realistic latency)."""
    await asyncio.sleep(rng.uniform(0.02, 0.08))
    found, age = rng.randint(1, 9), rng.randint(2, 30)
    return f"{found} earlier stories match {query!r}; latest {age} days ago."


@glassbox.tool("stats_lookup")
async def stats_lookup(rng: random.Random, ranker: Ranker, topic: str) -> str:
    """Count recent stories for ``topic``."""
    await asyncio.sleep(rng.uniform(0.005, 0.03))
    trend = ranker.top()
    count = trend.stories if trend is not None and trend.topic == topic else rng.randint(1, 5)
    return f"{topic}: {count} stories in the last minute."


class Newsroom:
    """The pipeline, driven by an event loop until its stop event is set.

    Args:
        controls: The knobs fault scenarios turn.
        openai_client: An ``openai.AsyncOpenAI`` pointed at the simulator.
        anthropic_client: An ``anthropic.AsyncAnthropic`` pointed at the simulator.
        stats: Where progress is counted.
        seed: Seed of arrivals and tool latencies.
        source: The article stream.
        on_article: Called with every ingested article (the drift window).
        span_store: Glassbox's in-process span store (the slowest run's tree), if kept.
        articles_per_second: Mean arrival rate on the wire.
        workers: Embedding workers on the queue.
        editor_interval: Seconds between editor runs.
        team: The ``team`` attribution of every cost the newsroom incurs.
    """

    def __init__(
        self,
        *,
        controls: Controls,
        openai_client: Any,
        anthropic_client: Any,
        stats: NewsroomStats,
        seed: int,
        source: ArticleSource,
        on_article: Callable[[Article], None] | None = None,
        span_store: Any = None,
        articles_per_second: float = 1.5,
        workers: int = 4,
        editor_interval: float = 3.0,
        team: str | None = None,
    ) -> None:
        self.controls = controls
        self.openai = openai_client
        self.anthropic = anthropic_client
        self.stats = stats
        self.source = source
        self.ranker = Ranker()
        self._on_article = on_article
        self._store = span_store
        self._rng = random.Random(f"newsroom:{seed}")
        self._rate = articles_per_second
        self._workers = workers
        self._interval = editor_interval
        self._team = team
        self._queue: asyncio.Queue[tuple[Article, float]] = asyncio.Queue()
        self._log: Any = glassbox_logger()

    async def run(self, stop: asyncio.Event, drain: float = 15.0) -> None:
        """Run the pipeline until ``stop`` is set, then let work in flight finish.

        Nothing new starts once ``stop`` is set; calls still in flight get ``drain``
        seconds to finish (a cancelled call would be recorded as a failed one) before
        the rest is cancelled.
        """
        with glassbox.attributes(team=self._team):  # the tasks inherit the context
            tasks = [
                asyncio.create_task(self._ingest(stop), name="ingest"),
                *(
                    asyncio.create_task(self._worker(stop), name=f"w{i}")
                    for i in range(self._workers)
                ),
                asyncio.create_task(self._editor_desk(stop), name="editor-desk"),
            ]
        await stop.wait()
        await asyncio.wait(tasks, timeout=drain)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- ingest and the queue ------------------------------------------------------------

    async def _ingest(self, stop: asyncio.Event) -> None:
        while True:
            await asyncio.sleep(self._rng.expovariate(self._rate))
            if stop.is_set():
                return
            t0 = perf_counter()
            self._ingest_one()
            _stages["ingest"].processed()
            self.stats.record("ingest", perf_counter() - t0)

    @glassbox.task("ingest_article")
    def _ingest_one(self) -> None:
        self.source.drifted = self.controls.drifted
        article = self.source.next()
        fields: dict[str, Any] = {"article_id": article.id, "topic": article.topic}
        if article.contact is not None:
            fields["source_contact"] = article.contact
        self._log.info("article.ingested", headline=article.title, **fields)
        if self._on_article is not None:
            self._on_article(article)
        stamp = _articles_queue.enqueued()
        self._queue.put_nowait((article, stamp))
        self.stats.queue_depth = self._queue.qsize()

    async def _worker(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if self.controls.stalled:  # a stuck worker: alive, taking nothing
                await asyncio.sleep(0.2)
                continue
            try:
                article, stamp = await asyncio.wait_for(self._queue.get(), timeout=0.5)
            except TimeoutError:
                continue
            self.stats.queue_depth = self._queue.qsize()
            t0 = perf_counter()
            try:
                with _articles_queue.processing(enqueued_at=stamp):
                    await self._embed(article)
            except Exception as exc:
                _stages["embed"].processed("failure")
                self.stats.record("embed", perf_counter() - t0, "failure")
                self._log.warning(
                    "article.embed_failed", article_id=article.id, error=type(exc).__name__
                )
                continue
            _stages["embed"].processed()
            self.stats.record("embed", perf_counter() - t0)
            t1 = perf_counter()
            self.ranker.add(article)
            _stages["rank"].processed()
            self.stats.record("rank", perf_counter() - t1)

    @glassbox.task("embed_article")
    async def _embed(self, article: Article) -> list[float]:
        response = await self.openai.embeddings.create(
            model=EMBEDDING_MODEL, input=f"{article.title}. {article.body}", dimensions=64
        )
        return list(response.data[0].embedding)

    # --- the editor ------------------------------------------------------------------------

    async def _editor_desk(self, stop: asyncio.Event) -> None:
        """Start an editor run every interval, at most :data:`MAX_EDITORS` at once."""
        running: set[asyncio.Task[None]] = set()
        try:
            while True:
                await asyncio.sleep(self._interval)
                if stop.is_set():
                    break
                trend = self.ranker.top()
                if trend is None or len(running) >= MAX_EDITORS:
                    continue
                task = asyncio.create_task(self._edit(trend))
                running.add(task)
                task.add_done_callback(running.discard)
            await asyncio.gather(*running, return_exceptions=True)  # let runs in flight end
        finally:
            for task in list(running):
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    async def _edit(self, trend: Trend) -> None:
        t0 = perf_counter()
        run: dict[str, int] = {}
        try:
            headline = await self._write_story(trend, run)
        except Exception as exc:
            outcome = "failure"
            self._log.warning("story.failed", topic=trend.topic, error=type(exc).__name__)
        else:
            outcome = "success"
            self.stats.last_story = headline
        seconds = perf_counter() - t0
        _stages["editor"].processed(outcome)
        self.stats.record("editor", seconds, outcome)
        self.stats.editor_runs += 1
        self._keep_if_slowest(run, seconds)

    def _keep_if_slowest(self, run: dict[str, int], seconds: float) -> None:
        if seconds <= self.stats.slowest_run or "span_id" not in run or self._store is None:
            return
        rows = span_tree(self._store.spans(), run["span_id"])
        if rows:
            self.stats.slowest_run = seconds
            self.stats.slowest_trace = format(run["trace_id"], "032x")
            self.stats.slowest_spans = rows

    @glassbox.workflow("write_story")
    async def _write_story(self, trend: Trend, run: dict[str, int]) -> str:
        summary = await self._editor(trend, run)
        t0 = perf_counter()
        await self._publish(trend, summary)
        _stages["publish"].processed()
        self.stats.record("publish", perf_counter() - t0)
        return summary

    @glassbox.agent("editor")
    async def _editor(self, trend: Trend, run: dict[str, int]) -> str:
        context = trace.get_current_span().get_span_context()
        run["span_id"], run["trace_id"] = context.span_id, context.trace_id
        notes = await self._research(trend)
        return await self._summarise(trend, notes)

    async def _research(self, trend: Trend) -> list[str]:
        """Plan with tools: the model asks for tools until it has what it needs."""
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": "You are a news editor. Check the archive and stats."},
            {"role": "user", "content": f"Trend: {trend.topic}. " + " | ".join(trend.headlines)},
        ]
        notes: list[str] = []
        for _ in range(MAX_STEPS):
            response = await self.openai.chat.completions.create(
                model=PLANNER_MODEL,
                messages=messages,
                tools=_TOOLS,
                tool_choice="required" if self.controls.runaway else "auto",
                max_tokens=40,
            )
            message = response.choices[0].message
            if not message.tool_calls:
                notes.append(str(message.content or ""))
                return notes
            messages.append(message.model_dump(exclude_none=True))
            for call in message.tool_calls:
                result = await self._tool(call.function.name, call.function.arguments, trend)
                notes.append(result)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
        self._log.warning("editor.step_limit", topic=trend.topic, steps=MAX_STEPS)
        return notes

    async def _tool(self, name: str, arguments: str, trend: Trend) -> str:
        try:
            args = json.loads(arguments or "{}")
        except ValueError:
            args = {}
        if name == "stats_lookup":
            return await stats_lookup(self._rng, self.ranker, str(args.get("topic", trend.topic)))
        return await archive_search(self._rng, str(args.get("query", trend.topic)))

    async def _summarise(self, trend: Trend, notes: list[str]) -> str:
        """Write the standfirst with a streamed Anthropic call."""
        model = self.controls.summary_model
        prompt = f"Standfirst for: {trend.headlines[0]}. Notes: {' '.join(notes)[:300]}"
        if model == EXPENSIVE_MODEL:  # the premium path also sends every article in full
            prompt += " Articles: " + " ".join(a.body for a in trend.articles)
        stream = await self.anthropic.messages.create(
            model=model,
            max_tokens=120 if model == EXPENSIVE_MODEL else 40,
            system="Write two crisp sentences.",
            messages=[{"role": "user", "content": prompt}],
            stream=True,
        )
        parts = [
            event.delta.text
            async for event in stream
            if event.type == "content_block_delta" and getattr(event.delta, "text", None)
        ]
        return str("".join(parts)).strip() or trend.headlines[0]

    @glassbox.task("publish_story")
    async def _publish(self, trend: Trend, summary: str) -> None:
        await asyncio.sleep(self._rng.uniform(0.005, 0.02))
        self._log.info("story.published", topic=trend.topic, headline=trend.headlines[0])


def glassbox_logger() -> Any:
    """The application's structlog logger (JSON, redacted, with trace ids after init())."""
    import structlog

    return structlog.get_logger("newsroom")
