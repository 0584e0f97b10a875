"""The Serving dashboard: the model servers behind the LLM calls.

vLLM gets the full breakdown (queue, prefill, decode, end to end, first token, inter-token
latency, KV cache, preemptions, prefix cache); SGLang, Hugging Face TGI and the llama.cpp
server share the load and KV cache panels (each engine's own gauge, ``or``-ed) and their
latency stages. "Where did the time to first token go" sets the client's p95 time to first
chunk (any GenAI instrumentation) beside the server's queue, prefill and first-token p95,
so a slow first chunk is attributed to queueing, prefill or the network in one look.
"""

from __future__ import annotations

from typing import Any

from glassbox.mixin._dashboards import RI, D, _g, _ratio
from glassbox.mixin._external import (
    KV_CACHE_USE,
    QUEUE_REPLICA_KEYS,
    RUNNING,
    VLLM_MODEL,
    WAITING,
)
from glassbox.mixin._panels import Board, Q
from glassbox.mixin._recording import Records
from glassbox.promql import INSTANCE, SERVICE, by, sel

__all__ = ["serving"]


def _any(series: tuple[str, ...], labels: tuple[str, ...], agg: str = "sum") -> str:
    """One engine-agnostic gauge: each engine's own series, aggregated by ``labels``.

    A sum counts each queue once: series that differ only in a rank reporting a queue
    it shares with other ranks (SGLang's tensor-parallel and pipeline ranks) are
    collapsed by ``max`` first, per server and per engine (``QUEUE_REPLICA_KEYS``).
    """
    union = " or ".join(sel(s, D) for s in series)
    if agg == "sum":
        union = f"max {by((*labels, INSTANCE, *QUEUE_REPLICA_KEYS))} ({union})"
    return f"{agg} {by(labels)} ({union})"


def serving(r: Records) -> dict[str, Any]:
    b = Board(
        "glassbox-serving",
        "Glassbox / Serving",
        "Model servers (vLLM, SGLang, TGI, llama.cpp): queueing, latency stages, KV cache, "
        "preemptions, prefix cache, and where the time to first token goes.",
    )
    lm = f"{{{{{SERVICE}}}}} {{{{{VLLM_MODEL}}}}}"
    v = (SERVICE, VLLM_MODEL)
    b.row("Load (every engine)")
    b.graph(
        "Waiting requests",
        "Requests queued in the engine (vLLM, SGLang, TGI queue size, llama.cpp deferred).",
        "short",
        Q(_any(WAITING, v), lm),
        span=8,
    )
    b.graph(
        "Running requests",
        "Requests being processed (vLLM, SGLang, TGI batch size, llama.cpp processing).",
        "short",
        Q(_any(RUNNING, v), lm),
        span=8,
    )
    b.graph(
        "KV cache use",
        "Share of the KV cache in use (vLLM, SGLang token usage, llama.cpp).",
        "percentunit",
        Q(_any(KV_CACHE_USE, v, "max"), lm),
        span=8,
    )
    b.row("Where did the time to first token go")
    b.graph(
        "Client time to first chunk vs server stages (p95)",
        "Client-side p95 time to first chunk (any GenAI instrumentation that records it) "
        "beside the server's p95 queue time, prefill time and time to first token (vLLM). "
        "Client minus server first token is network and client overhead; queue time is "
        "capacity; prefill is prompt length.",
        "s",
        Q(
            f"max {by((SERVICE,))} ({sel(r.ttfc_p95_model.name, D)})",
            f"client first chunk {{{{{SERVICE}}}}}",
        ),
        Q(
            f"max {by(v)} ({sel(r.vllm_ttft_p95.name, D)})",
            f"server first token {lm}",
        ),
        Q(
            f"max {by(v)} ({sel(r.vllm_stage_p95['queue'].name, D)})",
            f"server queue {lm}",
        ),
        Q(
            f"max {by(v)} ({sel(r.vllm_stage_p95['prefill'].name, D)})",
            f"server prefill {lm}",
        ),
    )
    b.row("vLLM latency stages")
    for stage, title in (
        ("queue", "Queue time"),
        ("prefill", "Prefill time"),
        ("decode", "Decode time"),
        ("e2e", "End-to-end request latency"),
    ):
        b.graph(
            f"{title} (p95)",
            f"vLLM's p95 {title.lower()} per request (p50/p99 in the raw histogram).",
            "s",
            Q(f"max {by(v)} ({sel(r.vllm_stage_p95[stage].name, D)})", lm),
            span=6,
        )
    b.graph(
        "Time to first token (p50, p95, p99)",
        "Server-side time to the first token.",
        "s",
        *(
            Q(
                f"histogram_quantile({q}, sum {by((*v, 'le'))} "
                f"(avg_over_time({sel(r.vllm_ttft_buckets.name, D)}[{RI}])))",
                f"p{round(q * 100)} {lm}",
            )
            for q in (0.5, 0.95, 0.99)
        ),
        span=12,
    )
    b.graph(
        "Inter-token latency (p95)",
        "Server-side time between output tokens.",
        "s",
        Q(f"max {by(v)} ({sel(r.vllm_itl_p95.name, D)})", lm),
        span=12,
    )
    b.row("vLLM efficiency")
    b.graph(
        "Preemptions",
        "Requests preempted per second (KV cache pressure).",
        "ops",
        Q(_g(r.vllm_preemptions, v), lm),
        span=12,
    )
    b.graph(
        "Prefix cache hit ratio",
        "Share of prefix cache queries that hit (vLLM); SGLang's own cache hit rate.",
        "percentunit",
        Q(_ratio(_g(r.vllm_prefix_hits, v), _g(r.vllm_prefix_queries, v)), f"vLLM {lm}"),
        Q(f"max {by(v)} ({sel('sglang:cache_hit_rate', D)})", f"SGLang {lm}"),
        span=12,
    )
    b.row("SGLang, TGI and llama.cpp")
    b.graph(
        "SGLang time to first token (p95)",
        "SGLang's server-side p95 time to the first token.",
        "s",
        Q(f"max {by(v)} ({sel(r.sglang_ttft_p95.name, D)})", lm),
        span=8,
    )
    b.graph(
        "TGI queue and inference time (p95)",
        "Hugging Face TGI: p95 time a request waits in the queue and spends in inference.",
        "s",
        Q(f"max {by((SERVICE,))} ({sel(r.tgi_queue_p95.name, D)})", f"queue {{{{{SERVICE}}}}}"),
        Q(
            f"max {by((SERVICE,))} ({sel(r.tgi_inference_p95.name, D)})",
            f"inference {{{{{SERVICE}}}}}",
        ),
        span=8,
    )
    b.graph(
        "llama.cpp tokens per second",
        "llama.cpp server: prompt tokens processed and tokens generated per second.",
        "short",
        Q(_g(r.llamacpp_prompt_tokens, (SERVICE,)), f"prompt {{{{{SERVICE}}}}}"),
        Q(_g(r.llamacpp_output_tokens, (SERVICE,)), f"generated {{{{{SERVICE}}}}}"),
        span=8,
    )
    return b.build()
