"""Names the mixin queries that the Glassbox SDK does not expose — declared in one place.

The contract test fails on any metric or label a dashboard or rule names unless the SDK
exposes it, a recording rule produces it, or it is declared here:

* :data:`TARGET_LABELS` (from :mod:`glassbox.promql`) — labels the Prometheus scrape
  configuration attaches to every series (``env`` and ``service`` from the decisions
  file, ``job``/``instance`` from Prometheus itself);
* :data:`PROMETHEUS_METRICS` — series Prometheus synthesises (``up``);
* :data:`VLLM_METRICS` — the vLLM serving engine's metrics (both current names and the
  older ones that vLLM renamed), and :data:`SERVING_METRICS` — SGLang, TGI and
  llama.cpp server equivalents, shown on the Serving dashboard. They are scraped from
  the engines, never from Glassbox;
* :data:`CELERY_METRICS` — Celery's tasks, workers and queues as celery-exporter names
  them (the Celery row of the Queues dashboard and the Celery alerts);
* :data:`FOREIGN_METRICS` — GenAI series other instrumentations expose under names the
  SDK does not use (Traceloop's token histogram, the proposed per-kind token counters),
  which the normalizing recording rules read.
"""

from __future__ import annotations

from glassbox import semconv as sc
from glassbox.promql import TARGET_LABELS

__all__ = [
    "CELERY_METRICS",
    "CELERY_QUEUE",
    "CELERY_TASK",
    "EXTERNAL_METRICS",
    "FOREIGN_LABELS",
    "FOREIGN_METRICS",
    "GEN_AI_SYSTEM",
    "KV_CACHE_USE",
    "PROMETHEUS_METRICS",
    "PROPOSED_TOKEN_COUNTERS",
    "RUNNING",
    "SERVING_METRICS",
    "TARGET_LABELS",
    "TRACELOOP_TOKEN_SUM",
    "VLLM_METRICS",
    "VLLM_MODEL",
    "WAITING",
]

#: Series Prometheus records for every target.
PROMETHEUS_METRICS: dict[str, frozenset[str]] = {"up": frozenset()}

#: The model label of vLLM's metrics.
VLLM_MODEL = "model_name"
_V = frozenset({VLLM_MODEL, "engine"})  # engine: the data-parallel engine's index (V1)
_VH = _V | {"le"}

#: vLLM serving-engine series (sample names) and their labels.
VLLM_METRICS: dict[str, frozenset[str]] = {
    "vllm:num_requests_waiting": _V,
    "vllm:num_requests_running": _V,
    "vllm:kv_cache_usage_perc": _V,
    "vllm:gpu_cache_usage_perc": _V,  # until vLLM 0.10 (hidden in 0.11, gone in 0.12)
    "vllm:num_preemptions_total": _V,
    "vllm:prefix_cache_queries_total": _V,
    "vllm:prefix_cache_hits_total": _V,
    "vllm:time_to_first_token_seconds_bucket": _VH,
    "vllm:inter_token_latency_seconds_bucket": _VH,
    "vllm:time_per_output_token_seconds_bucket": _VH,  # until 0.11 (hidden in 0.12)
    "vllm:request_queue_time_seconds_bucket": _VH,
    "vllm:request_prefill_time_seconds_bucket": _VH,
    "vllm:request_decode_time_seconds_bucket": _VH,
    "vllm:e2e_request_latency_seconds_bucket": _VH,
}

# SGLang's scheduler gauges: per scheduler rank (dp_rank only with data parallelism);
# its request histograms carry the model and the engine type.
_SG = frozenset({VLLM_MODEL, "engine_type", "tp_rank", "pp_rank", "dp_rank"})
_SGH = frozenset({VLLM_MODEL, "engine_type", "le"})

#: Other serving engines' equivalents: SGLang (``sglang:*``, labelled by ``model_name``),
#: Hugging Face TGI (``tgi_*``, no model label: one model per server) and the llama.cpp
#: server (``llamacpp:*`` with ``--metrics``, no model label).
SERVING_METRICS: dict[str, frozenset[str]] = {
    "sglang:num_queue_reqs": _SG,
    "sglang:num_running_reqs": _SG,
    "sglang:token_usage": _SG,
    "sglang:cache_hit_rate": _SG,
    "sglang:time_to_first_token_seconds_bucket": _SGH,
    "sglang:e2e_request_latency_seconds_bucket": _SGH,
    "tgi_queue_size": frozenset(),
    "tgi_batch_current_size": frozenset(),
    "tgi_request_queue_duration_bucket": frozenset({"le"}),
    "tgi_request_inference_duration_bucket": frozenset({"le"}),
    "llamacpp:requests_processing": frozenset(),
    "llamacpp:requests_deferred": frozenset(),
    "llamacpp:kv_cache_usage_ratio": frozenset(),  # older builds only: removed in 2025
    "llamacpp:prompt_tokens_total": frozenset(),
    "llamacpp:tokens_predicted_total": frozenset(),
}

#: The provider label of sources that predate ``gen_ai_provider_name``.
GEN_AI_SYSTEM = "gen_ai_system"
#: Traceloop/OpenLLMetry's token histogram sum: its instrument has unit ``token`` (not
#: ``{token}``), so the Prometheus name carries a ``_token`` unit suffix.
TRACELOOP_TOKEN_SUM = "gen_ai_client_token_usage_token_sum"
#: The proposed semconv revision's token counters (``gen_ai.client.inference.usage.*``),
#: one per kind, as the OpenTelemetry Prometheus exporter names them.
PROPOSED_TOKEN_COUNTERS: dict[str, str] = {
    "input": "gen_ai_client_inference_usage_input_tokens_total",
    "output": "gen_ai_client_inference_usage_output_tokens_total",
}
#: Labels other instrumentations put on the GenAI series, which the mixin reads to
#: normalize them (the SDK never sends them).
FOREIGN_LABELS = frozenset({GEN_AI_SYSTEM})
_GENAI = frozenset(
    {
        "gen_ai_operation_name",
        "gen_ai_provider_name",
        "gen_ai_request_model",
        "gen_ai_response_model",
        GEN_AI_SYSTEM,
    }
)
#: GenAI series other instrumentations expose under names the SDK does not use.
FOREIGN_METRICS: dict[str, frozenset[str]] = {
    TRACELOOP_TOKEN_SUM: _GENAI | {"gen_ai_token_type"},
    **dict.fromkeys(PROPOSED_TOKEN_COUNTERS.values(), _GENAI),
}

#: Celery task and queue series as the celery-exporter (danihodovic/celery-exporter)
#: names them. The SDK's Celery integration exposes the task counters and runtime under
#: the same names (the contract wins for those); worker and queue gauges come only from
#: celery-exporter.
CELERY_TASK = sc.CELERY_TASK  # "name", as the SDK's Celery integration labels it too
CELERY_QUEUE = sc.CELERY_QUEUE
_CT = frozenset({CELERY_TASK, "hostname", CELERY_QUEUE})
CELERY_METRICS: dict[str, frozenset[str]] = {
    "celery_task_sent_total": _CT,
    "celery_task_succeeded_total": _CT,
    "celery_task_failed_total": _CT | {"exception"},
    "celery_task_retried_total": _CT,
    sc.CELERY_TASK_RUNTIME.bucket: _CT | {"le"},  # celery_task_runtime_bucket, no unit
    "celery_worker_up": frozenset({"hostname"}),
    "celery_worker_tasks_active": frozenset({"hostname"}),
    "celery_queue_length": frozenset({CELERY_QUEUE}),
}

#: Labels that tell one engine queue from another on a server: vLLM's ``engine`` (one per
#: data-parallel engine) and SGLang's ``dp_rank``. SGLang's ``tp_rank`` and ``pp_rank`` are
#: not among them: with ``--enable-metrics-for-all-schedulers`` every tensor-parallel rank,
#: and with pipeline parallelism every stage, reports the same queue.
QUEUE_REPLICA_KEYS = ("engine", "dp_rank")

#: KV cache use (0…1) of each engine, one gauge each: vLLM (current and pre-0.11 names),
#: SGLang, llama.cpp (builds before its 2025 removal; current ones export no KV gauge).
KV_CACHE_USE = (
    "vllm:kv_cache_usage_perc",
    "vllm:gpu_cache_usage_perc",
    "sglang:token_usage",
    "llamacpp:kv_cache_usage_ratio",
)
#: Requests queued in each engine: vLLM, SGLang, TGI, llama.cpp.
WAITING = (
    "vllm:num_requests_waiting",
    "sglang:num_queue_reqs",
    "tgi_queue_size",
    "llamacpp:requests_deferred",
)
#: Requests being processed in each engine.
RUNNING = (
    "vllm:num_requests_running",
    "sglang:num_running_reqs",
    "tgi_batch_current_size",
    "llamacpp:requests_processing",
)

#: Every external series the contract test accepts, with its own labels.
EXTERNAL_METRICS: dict[str, frozenset[str]] = {
    **PROMETHEUS_METRICS,
    **VLLM_METRICS,
    **SERVING_METRICS,
    **CELERY_METRICS,
    **FOREIGN_METRICS,
}
