"""Added cost of the OpenAI auto-instrumentation over the bare client, in the same run.

The real ``openai`` client talks to an in-process ``httpx2.MockTransport`` (no socket)
that serves bodies rendered by the LLM simulator, so what is measured is the client
plus, when instrumented, everything Glassbox does: span (exported to a collector that
keeps up), metrics, cost, a JSON log line to a file.

Measures:
- one non-streaming ``chat.completions.create``;
- one streamed chunk: the slope of stream time over stream length (50 vs 450 chunks),
  instrumented minus bare, so per-call costs cancel out.

Three modes run side by side in one process: the bare client, the official
``opentelemetry-instrumentation-openai-v2`` (the peer; ``make bench`` installs it) and
Glassbox, each switched on and off around its turn, in a random order every round.
Reported per mode, as added over bare: the minimum wall time (the least disturbed run),
the mean, and the minimum CPU time (stable under other load), per call and per chunk;
and Glassbox's added cost as a ratio of the peer's (goal, issue 13: ≤ 0.5x per call).

The full-client figures carry the client's own ~1 ms of work, which on a loaded machine
is noisier than the difference being measured. So the same modes also run *isolated*:
``Completions.create`` is replaced by a stub returning a ready ``ChatCompletion`` (parsed
from the same simulator body) before either SDK wraps it, so bare is a function call and
the added CPU time is each instrumentation's own per-call work (span, metrics, cost, log
line; the peer's span and metrics) — the stable figure for the ratio. The full call is
also *split*: a timer on the real ``create``, below both SDKs, separates each SDK's own
work as it runs between the client's (with cold caches) from the slowdown it causes the
client itself. Last, the Python
function calls each mode adds per call and per chunk (counted by ``cProfile``): a
deterministic figure, immune to machine load, for telling real changes from noise.
Run with ``make bench``.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx2
import openai
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from prometheus_client import CollectorRegistry

import glassbox
from glassbox import _runtime
from glassbox.instrumentation import instrument_openai, uninstrument_openai
from glassbox.simulator import Engine, profile_for
from glassbox.simulator._engine import ChatRequest
from glassbox.simulator._openai import render_chat_chunks, render_chat_completion
from glassbox.simulator._text import dumps, tokenize

MESSAGES: Any = [{"role": "user", "content": "Summarise today's council vote in two sentences."}]


class _CountingExporter(SpanExporter):
    """Accepts spans and forgets them (a collector that keeps up)."""

    def __init__(self) -> None:
        self.exported = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.exported += len(spans)
        return SpanExportResult.SUCCESS


def _ratio(ours: float, theirs: float) -> str:
    """Glassbox's figure over the peer's, formatted; ``n/a`` when the peer's is not above
    zero (a difference lost in this run's noise, whose ratio would mean nothing)."""
    if not theirs > 0:
        return "  n/a (peer's figure ≤ 0: within this run's noise)"
    return f"{ours / theirs:5.2f}x"


def _bodies(chunks: Sequence[int]) -> tuple[bytes, dict[int, bytes]]:
    """A chat completion body and SSE stream bodies of the given lengths, from the simulator."""
    engine = Engine(seed=1, time_scale=0.0)
    profile = profile_for("gpt-4o-mini", "openai")
    request = ChatRequest(model="gpt-4o-mini", prompt=tokenize(str(MESSAGES)))
    plan = engine.plan_chat(request, profile, random.Random(1))
    body = dumps(render_chat_completion(plan)).encode()
    streams = {}
    for n in chunks:
        plan = engine.plan_chat(request, profile, random.Random(n))
        plan.pieces = (plan.pieces * (n // max(len(plan.pieces), 1) + 1))[:n]
        plan.output_tokens = n
        streams[n] = b"".join(event for event, _ in render_chat_chunks(plan, include_usage=True))
    return body, streams


def _client(body: bytes, streams: dict[int, bytes]) -> openai.OpenAI:
    def handle(request: httpx2.Request) -> httpx2.Response:
        if b'"stream":true' in request.content:
            n = int(request.headers["x-bench-chunks"])
            return httpx2.Response(
                200, content=streams[n], headers={"content-type": "text/event-stream"}
            )
        return httpx2.Response(200, content=body, headers={"content-type": "application/json"})

    return openai.OpenAI(
        base_url="http://simulator.invalid/v1",
        api_key="sk-bench",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handle)),
    )


def _timed(fn: Callable[[], None], n: int) -> float:
    gc.collect()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def _workloads(
    client: openai.OpenAI, short: int, long: int
) -> dict[str, tuple[Callable[[], None], int]]:
    """The measured operations and how many of each make one round."""

    def call() -> None:
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    def stream(n: int) -> Callable[[], None]:
        headers = {"x-bench-chunks": str(n)}

        def run() -> None:
            for _ in client.chat.completions.create(
                model="gpt-4o-mini", messages=MESSAGES, stream=True,
                stream_options={"include_usage": True}, extra_headers=headers,
            ):  # fmt: skip
                pass

        return run

    return {"call": (call, 300), "short": (stream(short), 40), "long": (stream(long), 8)}


def _timed_cpu(fn: Callable[[], None], n: int) -> tuple[float, float]:
    """Wall and CPU seconds per call (CPU time is the stable figure on a shared machine)."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        fn()
    return (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n


class _Mode:
    """One way of running the client: bare, or under one instrumentation."""

    def __init__(self, name: str, on: Callable[[], None], off: Callable[[], None]) -> None:
        self.name, self.on, self.off = name, on, off


def _otel_mode(exporter: SpanExporter) -> _Mode | None:
    """The official ``opentelemetry-instrumentation-openai-v2``, on its own SDK providers."""
    try:
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
    except ImportError:
        return None
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(exporter, max_queue_size=2048))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    instrumentor = OpenAIInstrumentor()
    return _Mode(
        "otel-openai-v2",
        lambda: instrumentor.instrument(
            tracer_provider=tracer_provider, meter_provider=meter_provider
        ),
        instrumentor.uninstrument,
    )


def _rounds(
    client: openai.OpenAI, modes: list[_Mode], short: int, long: int, rounds: int
) -> dict[str, dict[str, list[tuple[float, float]]]]:
    """Every mode in every round, interleaved; all (wall, CPU) samples per operation."""
    work = _workloads(client, short, long)
    samples: dict[str, dict[str, list[tuple[float, float]]]] = {m.name: {} for m in modes}
    for mode in modes:  # warm caches, imports and each instrumentation's lazy state
        mode.on()
        try:
            for fn, n in work.values():
                for _ in range(max(n // 4, 2)):
                    fn()
        finally:
            mode.off()
    for _ in range(rounds):
        for mode in random.sample(modes, len(modes)):
            mode.on()
            try:
                for name, (fn, n) in work.items():
                    samples[mode.name].setdefault(name, []).append(_timed_cpu(fn, n))
            finally:
                mode.off()
    return samples


def _figures(
    samples: dict[str, list[tuple[float, float]]], short: int, long: int
) -> dict[str, float]:
    """Per call and per chunk: minimum wall, mean wall, minimum CPU (seconds)."""
    out: dict[str, float] = {}
    for stat, pick in (
        ("min", lambda xs: min(w for w, _ in xs)),
        ("mean", lambda xs: sum(w for w, _ in xs) / len(xs)),
        ("cpu", lambda xs: min(c for _, c in xs)),
    ):
        out[f"call_{stat}"] = pick(samples["call"])
        out[f"stream_{stat}"] = pick(samples["long"])
        out[f"chunk_{stat}"] = (pick(samples["long"]) - pick(samples["short"])) / (long - short)
    return out


def _paired(
    samples: dict[str, dict[str, list[tuple[float, float]]]], name: str, short: int, long: int
) -> tuple[float, float]:
    """Per call and per chunk: median over rounds of the mode's CPU time minus bare's.

    Every round runs every mode, so pairing by round cancels the drift of a shared
    machine's load between rounds (the minimum only picks the quietest moment). Per
    chunk: the slope of stream CPU over stream length, paired the same way.
    """
    ours, bare = samples[name], samples["bare"]
    call = statistics.median(m[1] - b[1] for m, b in zip(ours["call"], bare["call"], strict=True))
    chunk = statistics.median(
        ((ml[1] - ms[1]) - (bl[1] - bs[1])) / (long - short)
        for ml, ms, bl, bs in zip(
            ours["long"], ours["short"], bare["long"], bare["short"], strict=True
        )
    )
    return call, chunk


def _memory(client: openai.OpenAI, modes: list[_Mode], calls: int = 20_000) -> dict[str, float]:
    """Bytes each mode keeps per call over ``calls`` calls after warm-up (flat: ~0).

    Measured with ``tracemalloc`` (everything Python allocates, the span queues and the
    log writer's pending batch included) after a collection at both ends.
    """
    import tracemalloc

    work = _workloads(client, 50, 450)["call"][0]
    out: dict[str, float] = {}
    for mode in modes:
        mode.on()
        try:
            for _ in range(3000):
                work()
            gc.collect()
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(calls):
                work()
            gc.collect()
            after = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
        finally:
            mode.off()
        out[mode.name] = (after - before) / calls
    return out


def _isolated(
    body: bytes, client: openai.OpenAI, modes: list[_Mode], rounds: int
) -> dict[str, float]:
    """Each mode's own per-call CPU time around a stub ``create`` (see the module docstring)."""
    from openai.resources.chat.completions import completions as chat_module
    from openai.types.chat import ChatCompletion

    result = ChatCompletion.model_validate_json(body)

    def stub(self: Any, *args: Any, **kwargs: Any) -> ChatCompletion:
        return result

    def call() -> None:
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    real = chat_module.Completions.create
    chat_module.Completions.create = stub  # type: ignore[assignment,method-assign]
    cpu: dict[str, list[float]] = {mode.name: [] for mode in modes}
    try:
        for mode in modes:
            mode.on()
            try:
                _timed_cpu(call, 300)
            finally:
                mode.off()
        for _ in range(rounds):
            for mode in random.sample(modes, len(modes)):
                mode.on()
                try:
                    cpu[mode.name].append(_timed_cpu(call, 1000)[1])
                finally:
                    mode.off()
    finally:
        chat_module.Completions.create = real  # type: ignore[method-assign]
    bare = min(cpu["bare"])
    return {name: (min(xs) - bare) * 1e6 for name, xs in cpu.items() if name != "bare"}


def _print_isolated(added: dict[str, float]) -> None:
    print("Isolated (create replaced by a stub; each SDK's own work), min CPU µs added per call:")
    print("  " + ", ".join(f"{name} {value:.1f}" for name, value in added.items()))
    if "otel-openai-v2" in added:
        ratio = _ratio(added["glassbox"], added["otel-openai-v2"])
        print(f"  glassbox / otel-openai-v2 added, isolated CPU {ratio}  (goal ≤ 0.50x)")


def _split(
    client: openai.OpenAI, modes: list[_Mode], rounds: int, calls: int = 200
) -> dict[str, tuple[float, float, float]]:
    """Per mode, the full call's added CPU split into the SDK's own work and the client's.

    A timing wrapper sits on the real ``create`` below every SDK, so the CPU time spent
    outside it is the SDK's own work (span, metrics, log line) as it runs between the
    client's ~0.5 ms of work, and the time inside is the client, which an SDK can slow
    down too (its context, the caches it evicts). Medians of per-round differences
    against bare: (added, own work, client's own slowdown), in µs.
    """
    from openai.resources.chat.completions import completions as chat_module

    real = chat_module.Completions.create
    inside = [0]

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.process_time_ns()
        try:
            return real(self, *args, **kwargs)
        finally:
            inside[0] += time.process_time_ns() - start

    def block() -> tuple[float, float]:
        inside[0] = 0
        start = time.process_time_ns()
        for _ in range(calls):
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        return (time.process_time_ns() - start) / calls / 1e3, inside[0] / calls / 1e3

    chat_module.Completions.create = timed  # type: ignore[method-assign]
    samples: dict[str, list[tuple[float, float]]] = {mode.name: [] for mode in modes}
    try:
        for mode in modes:
            mode.on()
            try:
                block()
            finally:
                mode.off()
        for _ in range(rounds):
            for mode in random.sample(modes, len(modes)):
                mode.on()
                try:
                    samples[mode.name].append(block())
                finally:
                    mode.off()
    finally:
        chat_module.Completions.create = real  # type: ignore[method-assign]
    bare = samples["bare"]
    out = {}
    for name, ours in samples.items():
        if name == "bare":
            continue
        pairs = list(zip(ours, bare, strict=True))
        out[name] = (
            statistics.median(m[0] - b[0] for m, b in pairs),
            statistics.median((m[0] - m[1]) - (b[0] - b[1]) for m, b in pairs),
            statistics.median(m[1] - b[1] for m, b in pairs),
        )
    return out


def _print_split(split: dict[str, tuple[float, float, float]]) -> None:
    print("Full call split (timer on the real create, below every SDK; medians of per-round")
    print("CPU differences against bare, µs): added = own work outside create + client slowed")
    for name, (added, own, client) in split.items():
        print(
            f"  {name:<16} added {added:6.1f} = own work {own:6.1f} + client slowed {client:5.1f}"
        )
    if "otel-openai-v2" in split:
        ours, theirs = split["glassbox"], split["otel-openai-v2"]
        print(
            f"  glassbox / otel-openai-v2: added {_ratio(ours[0], theirs[0])}, "
            f"own work {_ratio(ours[1], theirs[1])}"
        )


def _calls_added(
    client: openai.OpenAI, modes: list[_Mode], short: int, long: int
) -> dict[str, tuple[float, float]]:
    """Python function calls each mode adds per call and per chunk, over bare (exact)."""
    import cProfile
    import pstats

    work = _workloads(client, short, long)
    counts: dict[str, dict[str, float]] = {}
    for mode in modes:
        mode.on()
        try:
            for name, (fn, _) in work.items():
                fn()  # lazy state out of the way
                reps = 20 if name == "call" else 4
                profile = cProfile.Profile()
                profile.runcall(lambda: [fn() for _ in range(reps)])  # noqa: B023
                stats = pstats.Stats(profile)
                counts.setdefault(mode.name, {})[name] = stats.total_calls / reps  # type: ignore[attr-defined]
        finally:
            mode.off()
    bare = counts["bare"]
    out = {}
    for name, c in counts.items():
        if name != "bare":
            chunk = (c["long"] - c["short"] - bare["long"] + bare["short"]) / (long - short)
            out[name] = (c["call"] - bare["call"], chunk)
    return out


def main() -> None:
    short, long = 50, 450
    body, streams = _bodies((short, long))
    client = _client(body, streams)

    log_fd, log_path = tempfile.mkstemp(prefix="glassbox-bench-openai-", suffix=".log")
    os.close(log_fd)
    exporter = _CountingExporter()
    _runtime.init(
        _registry=CollectorRegistry(),
        _span_exporter=exporter,
        service_name="bench",
        metrics_port=None,
        log_file=log_path,
        logs=os.environ.get("GLASSBOX_BENCH_LOGS", "0") == "1",
    )
    modes = [_Mode("bare", lambda: None, lambda: None)]
    otel_exporter = _CountingExporter()
    otel = _otel_mode(otel_exporter)
    if otel is None:
        print("opentelemetry-instrumentation-openai-v2 is not installed: `make bench` installs it")
    else:
        modes.append(otel)
    modes.append(_Mode("glassbox", instrument_openai, uninstrument_openai))
    rounds = int(os.environ.get("GLASSBOX_BENCH_ROUNDS", "15"))
    try:
        samples = _rounds(client, modes, short, long, rounds)
        isolated = _isolated(body, client, modes, rounds)
        split = _split(client, modes, rounds)
        calls = _calls_added(client, modes, short, long)
        memory = _memory(client, modes)
    finally:
        glassbox.shutdown()
        os.unlink(log_path)
    figures = {name: _figures(s, short, long) for name, s in samples.items()}
    bare = figures["bare"]

    print(f"python {sys.version.split()[0]}, openai {openai.__version__}, in-process transport,")
    print(f"{rounds} rounds, modes interleaved in random order; every SDK exports into a")
    print("span exporter that drops (a collector that keeps up). Added = mode - bare.")
    print(
        f"  bare call {bare['call_min'] * 1e6:.0f} µs (min), chunk {bare['chunk_min'] * 1e6:.2f} µs"
    )
    header = (
        f"  {'mode':<16}{'call min':>10}{'call mean':>11}{'call CPU':>10}"
        f"{'stream min':>12}{'chunk min':>11}{'chunk CPU':>11}   (µs added)"
    )
    print(header)
    for name, fig in figures.items():
        if name == "bare":
            continue
        added = {k: (fig[k] - bare[k]) * 1e6 for k in fig}
        print(
            f"  {name:<16}{added['call_min']:>10.1f}{added['call_mean']:>11.1f}"
            f"{added['call_cpu']:>10.1f}{added['stream_min']:>12.1f}"
            f"{added['chunk_min']:>11.2f}{added['chunk_cpu']:>11.2f}"
        )
    if "otel-openai-v2" in figures:
        ours, theirs = figures["glassbox"], figures["otel-openai-v2"]
        for stat in ("call_min", "call_cpu", "call_mean", "stream_min"):
            ratio = _ratio(ours[stat] - bare[stat], theirs[stat] - bare[stat])
            goal = "  (goal ≤ 0.50x)" if stat.startswith("call") else ""
            print(f"  glassbox / otel-openai-v2 added, {stat:<10} {ratio}{goal}")
    paired = {name: _paired(samples, name, short, long) for name in samples if name != "bare"}
    print("  CPU added, median of per-round differences (the stable figure under load):")
    for name, (call_cpu, chunk_cpu) in paired.items():
        print(
            f"    {name:<16} {call_cpu * 1e6:7.1f} µs per call {chunk_cpu * 1e6:6.2f} µs per chunk"
        )
    if "otel-openai-v2" in paired:
        ours_p, theirs_p = paired["glassbox"], paired["otel-openai-v2"]
        print(
            f"  glassbox / otel-openai-v2 added, paired CPU: per call "
            f"{_ratio(ours_p[0], theirs_p[0])} (goal ≤ 0.50x), per chunk "
            f"{_ratio(ours_p[1], theirs_p[1])}"
        )
    print(f"  spans exported: glassbox {exporter.exported}, otel {otel_exporter.exported}")
    print(
        "Memory kept per call over 20,000 calls after warm-up (tracemalloc): "
        + ", ".join(f"{name} {value:+.1f} B" for name, value in memory.items())
    )
    _print_isolated(isolated)
    _print_split(split)
    print("Python function calls added (cProfile count, exact):")
    for name, (per_call, per_chunk) in calls.items():
        print(f"  {name:<16} {per_call:7.0f} per call {per_chunk:7.2f} per chunk")
    if "otel-openai-v2" in calls:
        ratio = _ratio(calls["glassbox"][0], calls["otel-openai-v2"][0])
        print(f"  glassbox / otel-openai-v2 function calls per call {ratio}")


if __name__ == "__main__":
    main()
