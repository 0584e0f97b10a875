"""The simulator's provider-neutral core: latency, prompt cache, answers, faults, stats.

The provider modules (``_openai.py``, ``_anthropic.py``) parse a request into a
:class:`ChatRequest`, ask the :class:`Engine` for a :class:`ChatPlan` (what to answer,
token usage, which faults apply) and render it in their wire format, pacing it with the
engine's latency model.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import random
import threading
import time
import uuid
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Literal

from glassbox.simulator._faults import Decision, Faults
from glassbox.simulator._models import ModelProfile
from glassbox.simulator._text import dumps, generate_pieces, tool_arguments

__all__ = ["ChatPlan", "ChatRequest", "Engine", "PromptCache", "ToolCall", "ToolSpec"]

Provider = Literal["openai", "anthropic"]


@dataclass(frozen=True)
class ToolSpec:
    """A tool offered to the model."""

    name: str
    parameters: object


@dataclass
class ChatRequest:
    """A chat request, provider-neutral.

    Attributes:
        prompt: The prompt as simulator tokens (system, messages, tool definitions).
        tools: Tools the model may call.
        tool_choice: ``auto``, ``none``, ``required`` or a tool name.
        after_tool_result: The last message carries tool results (the model answers).
        max_tokens: Cap on output tokens, if any.
        cache_marked: The request marks a cache breakpoint (Anthropic ``cache_control``);
            only marked Anthropic prompts are written to the prompt cache.
    """

    model: str
    prompt: list[str]
    tools: list[ToolSpec] = field(default_factory=list)
    tool_choice: str = "auto"
    after_tool_result: bool = False
    max_tokens: int | None = None
    cache_marked: bool = False
    stream: bool = False


@dataclass(frozen=True)
class ToolCall:
    """A tool call in an answer."""

    id: str
    name: str
    arguments: str


@dataclass
class ChatPlan:
    """What the simulator answers to one chat request and how fast.

    Attributes:
        input_tokens: All input tokens, cached ones included.
        cache_read_tokens: Input tokens served from the prompt cache.
        cache_write_tokens: Input tokens written to the prompt cache by this request.
        pieces: Visible output text, one piece per token.
        reasoning_tokens: Hidden reasoning tokens (counted in output).
        output_tokens: All output tokens (text, tool arguments, reasoning).
        finish: ``stop``, ``length`` or ``tool_calls``.
        ttft: Seconds to the first token (already scaled).
        decode: Seconds between output pieces (already scaled), one per piece.
    """

    profile: ModelProfile
    request_id: str
    created: int
    input_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    pieces: list[str]
    reasoning_tokens: int
    output_tokens: int
    finish: Literal["stop", "length", "tool_calls"]
    tool_calls: list[ToolCall]
    decision: Decision
    faults: Faults
    ttft: float
    decode: list[float]
    rng: random.Random

    @property
    def text(self) -> str:
        """The visible answer."""
        return "".join(self.pieces)


class PromptCache:
    """Prefix cache keyed by hashes of the prompt at block boundaries, per model.

    A request hits the longest previously seen prefix that is a whole number of blocks
    and at least ``min_tokens`` long, like the providers' prompt caching.
    """

    def __init__(
        self, block_tokens: int = 128, min_tokens: int = 1024, capacity: int = 50_000
    ) -> None:
        self.block_tokens = block_tokens
        self.min_tokens = min_tokens
        self._capacity = capacity
        self._seen: OrderedDict[bytes, None] = OrderedDict()
        self._lock = threading.Lock()

    def lookup(self, model: str, tokens: list[str], *, store: bool) -> tuple[int, int]:
        """Find the cached prefix of ``tokens``; optionally store all its block prefixes.

        Returns:
            ``(cached, written)``: tokens read from the cache and newly written to it.
        """
        digest = hashlib.blake2b(model.encode(), digest_size=16)
        keys: list[tuple[int, bytes]] = []
        block = self.block_tokens
        for end in range(block, len(tokens) + 1, block):
            digest.update("\x1f".join(tokens[end - block : end]).encode())
            if end >= self.min_tokens:
                keys.append((end, digest.copy().digest()))
        cached = 0
        with self._lock:
            for end, key in keys:
                if key in self._seen:
                    cached = end
                    self._seen.move_to_end(key)
            written = 0
            if store:
                for end, key in keys:
                    if end > cached and key not in self._seen:
                        self._seen[key] = None
                        written = end - cached
                while len(self._seen) > self._capacity:
                    self._seen.popitem(last=False)
        return cached, written


class Engine:
    """Shared state of one simulator: seed, time scale, faults, cache, stats.

    Args:
        seed: Makes answers, latencies and fault draws reproducible.
        time_scale: Factor on all simulated delays (1.0 = realistic, 0 = instant).
        faults: Initial faults.
        cache: The prompt cache (default: 128-token blocks, 1024-token minimum).
    """

    def __init__(
        self,
        seed: int = 0,
        time_scale: float = 1.0,
        faults: Faults | None = None,
        cache: PromptCache | None = None,
    ) -> None:
        if not math.isfinite(time_scale) or time_scale < 0:
            raise ValueError(f"time_scale must be a finite number >= 0, got {time_scale!r}")
        self.seed = seed
        self.time_scale = time_scale
        self.faults = faults or Faults()
        self.cache = cache or PromptCache()
        self._lock = threading.Lock()
        self._repeats: dict[bytes, int] = {}
        self._stats: Counter[str] = Counter()
        self._slots: dict[str, asyncio.Semaphore] = {}

    # --- randomness and faults ----------------------------------------------------------

    def request_rng(self, body: bytes) -> random.Random:
        """A random source for one request: seed, body and how often it was seen before."""
        key = hashlib.blake2b(body, digest_size=16).digest()
        with self._lock:
            n = self._repeats.get(key, 0)
            if len(self._repeats) > 100_000:
                self._repeats.clear()
            self._repeats[key] = n + 1
        return random.Random(f"{self.seed}:{key.hex()}:{n}")

    def count(self, key: str) -> None:
        """Add one to a stats counter (``requests``, ``status:429``, ``route:/v1/…``, …)."""
        with self._lock:
            self._stats[key] += 1

    def stats(self) -> dict[str, int]:
        """A snapshot of the stats counters."""
        with self._lock:
            return dict(self._stats)

    # --- latency ------------------------------------------------------------------------------

    def scale(self, seconds: float) -> float:
        """Real seconds for a simulated delay under the time scale and latency faults."""
        return seconds * self.time_scale * self.faults.latency_multiplier

    def _jitter(self, rng: random.Random, sigma: float) -> float:
        return math.exp(rng.gauss(0.0, sigma) - sigma * sigma / 2) if sigma > 0 else 1.0

    async def admit(self, profile: ModelProfile, rng: random.Random) -> None:
        """Wait for a serving slot of ``profile``'s model, then the sampled queue wait."""
        slots = self._slots.get(profile.name)
        if slots is None:
            slots = self._slots.setdefault(profile.name, asyncio.Semaphore(profile.concurrency))
        extra = self.faults.extra_latency
        async with slots:
            wait = (
                self.scale(rng.expovariate(1.0 / profile.queue_wait))
                if profile.queue_wait > 0
                else 0.0
            )
            await pause(wait + extra)

    # --- planning -------------------------------------------------------------------------------

    def plan_chat(
        self, request: ChatRequest, profile: ModelProfile, rng: random.Random
    ) -> ChatPlan:
        """Decide the answer, usage, faults and timing of one chat request."""
        faults = self.faults
        decision = faults.decide(rng, stream=request.stream)
        store = profile.provider == "openai" or request.cache_marked
        cached, written = self.cache.lookup(profile.name, request.prompt, store=store)
        if profile.provider == "anthropic" and not request.cache_marked:
            cached = written = 0
        input_tokens = len(request.prompt)

        tool_calls = self._tool_calls(request, rng)
        target = (
            max(1, round(rng.expovariate(1.0 / profile.output_tokens)))
            if profile.output_tokens
            else 1
        )
        target = min(target, profile.output_tokens * 4)
        reasoning = (
            round(profile.reasoning_tokens * self._jitter(rng, 0.5))
            if profile.reasoning_tokens
            else 0
        )
        finish: Literal["stop", "length", "tool_calls"] = "tool_calls" if tool_calls else "stop"
        if tool_calls:
            target = rng.randint(0, 12) if rng.random() < 0.3 else 0
        budget = request.max_tokens
        if budget is not None and reasoning + target > budget:
            reasoning = min(reasoning, budget)
            target = max(budget - reasoning, 0)
            finish = "length"
            tool_calls = []
        pieces = generate_pieces(rng, target, request.prompt[-200:])
        tool_tokens = sum(len(c.arguments) // 4 + 1 for c in tool_calls)
        output_tokens = len(pieces) + reasoning + tool_tokens

        ttft = profile.ttft + profile.prefill_per_token * (input_tokens - cached)
        ttft += profile.decode_per_token * reasoning
        ttft = self.scale(ttft * self._jitter(rng, profile.jitter))
        step_sigma = profile.jitter / 3
        decode = [
            self.scale(profile.decode_per_token * self._jitter(rng, step_sigma))
            for _ in range(max(len(pieces), 1) + len(tool_calls))
        ]
        return ChatPlan(
            profile=profile,
            request_id=uuid.UUID(int=rng.getrandbits(128), version=4).hex,
            created=int(time.time()),
            input_tokens=input_tokens,
            cache_read_tokens=cached,
            cache_write_tokens=written if profile.provider == "anthropic" else 0,
            pieces=pieces,
            reasoning_tokens=reasoning,
            output_tokens=output_tokens,
            finish=finish,
            tool_calls=tool_calls,
            decision=decision,
            faults=faults,
            ttft=ttft,
            decode=decode,
            rng=rng,
        )

    def embedding_delay(self, profile: ModelProfile, tokens: int, rng: random.Random) -> float:
        """Real seconds an embeddings request of ``tokens`` input tokens takes."""
        base = profile.ttft + profile.prefill_per_token * tokens
        return self.scale(base * self._jitter(rng, profile.jitter))

    def _tool_calls(self, request: ChatRequest, rng: random.Random) -> list[ToolCall]:
        tools = request.tools
        choice = request.tool_choice
        if not tools or choice == "none":
            return []
        named = [t for t in tools if t.name == choice]
        if named:
            chosen = named
        elif request.after_tool_result and choice != "required":
            return []
        else:
            chosen = rng.sample(tools, k=min(len(tools), 1 if rng.random() < 0.6 else 2))
        return [
            ToolCall(
                id=f"call_{rng.getrandbits(64):016x}",
                name=tool.name,
                arguments=dumps(tool_arguments(rng, tool.parameters)),
            )
            for tool in chosen
        ]


async def pause(seconds: float) -> None:
    """Sleep ``seconds`` of real time; tiny or zero delays only yield to the loop."""
    await asyncio.sleep(seconds if seconds > 0.0005 else 0)
