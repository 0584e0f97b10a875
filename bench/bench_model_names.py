"""Memory of distinct model names: 200,000 calls, each with a new request and response model.

Model names are unbounded (response model names come from the provider); what they may
cost is bounded by the cardinality guard (labels fold into ``other``) and the price
cache (:data:`glassbox._cost.PRICE_CACHE_SIZE` pairs). Target (issue 11): at most 20 MiB
more resident memory after 200,000 distinct names. Every new name is also a price-data
search, so this takes a few minutes. ``GLASSBOX_BENCH_MODEL_NAMES`` sets the count.
"""

from __future__ import annotations

import gc
import os
import time

from prometheus_client import CollectorRegistry

import glassbox
from glassbox import _runtime


def _rss_mib() -> float:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _call(i: int) -> None:
    with glassbox.llm_call("openai", f"tenant-model-{i}") as call:
        call.set_usage(input_tokens=812, output_tokens=95)
        call.set_response(model=f"tenant-model-{i}-2025-01-01")


def main() -> None:
    names = int(os.environ.get("GLASSBOX_BENCH_MODEL_NAMES", "200000"))
    _runtime.init(_registry=CollectorRegistry(), metrics_port=None, log_file=os.devnull, logs=False)
    for i in range(2_000):  # warm: fill the label budgets, reach steady state
        _call(-1 - i)
    gc.collect()
    before = _rss_mib()
    started = time.perf_counter()
    for i in range(names):
        _call(i)
    elapsed = time.perf_counter() - started
    gc.collect()
    after = _rss_mib()
    print(f"distinct model names            {names:,}")
    print(
        f"  RSS                           {before:7.1f} MiB → {after:7.1f} MiB"
        f"  ({after - before:+.1f} MiB; target ≤ +20 MiB for 200,000)"
    )
    print(f"  per new name                  {elapsed / names * 1e6:8.1f} µs (price search)")
    glassbox.shutdown()


if __name__ == "__main__":
    main()
