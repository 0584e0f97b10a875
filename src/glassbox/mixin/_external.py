"""Names the mixin queries that the Glassbox SDK does not expose — declared in one place.

The contract test fails on any metric or label a dashboard or rule names unless the SDK
exposes it, a recording rule produces it, or it is declared here:

* :data:`TARGET_LABELS` (from :mod:`glassbox.promql`) — labels the Prometheus scrape
  configuration attaches to every series (``env`` and ``service`` from the decisions
  file, ``job``/``instance`` from Prometheus itself);
* :data:`PROMETHEUS_METRICS` — series Prometheus synthesises (``up``);
* :data:`VLLM_METRICS` — the vLLM serving engine's metrics (both current names and the
  older ones that vLLM renamed), shown on the Serving dashboard. They are scraped from
  vLLM, never from Glassbox.
"""

from __future__ import annotations

from glassbox.promql import TARGET_LABELS

__all__ = [
    "EXTERNAL_METRICS",
    "PROMETHEUS_METRICS",
    "TARGET_LABELS",
    "VLLM_METRICS",
    "VLLM_MODEL",
]

#: Series Prometheus records for every target.
PROMETHEUS_METRICS: dict[str, frozenset[str]] = {"up": frozenset()}

#: The model label of vLLM's metrics.
VLLM_MODEL = "model_name"
_V = frozenset({VLLM_MODEL})
_VH = frozenset({VLLM_MODEL, "le"})

#: vLLM serving-engine series (sample names) and their labels.
VLLM_METRICS: dict[str, frozenset[str]] = {
    "vllm:num_requests_waiting": _V,
    "vllm:num_requests_running": _V,
    "vllm:kv_cache_usage_perc": _V,
    "vllm:gpu_cache_usage_perc": _V,  # before vLLM 0.10
    "vllm:num_preemptions_total": _V,
    "vllm:prefix_cache_queries_total": _V,
    "vllm:prefix_cache_hits_total": _V,
    "vllm:time_to_first_token_seconds_bucket": _VH,
    "vllm:inter_token_latency_seconds_bucket": _VH,
    "vllm:time_per_output_token_seconds_bucket": _VH,  # before vLLM 0.10
}

#: Every external series the contract test accepts, with its own labels.
EXTERNAL_METRICS: dict[str, frozenset[str]] = {**PROMETHEUS_METRICS, **VLLM_METRICS}
