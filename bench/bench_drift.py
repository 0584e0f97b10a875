"""Drift benchmark, on one core: profile building, a scalar check, the embedding checks.

Targets (issues 7 and 18): each scalar step under 50 ms, each embedding test under 3 s,
and the default check of 3,000 current against 2,000 reference rows of 384 dimensions
under 3 s.
"""

from __future__ import annotations

import os

for _variable in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ[_variable] = "1"

import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from glassbox.drift import Monitor, Profile, centroid_test, classifier_test, mmd_test  # noqa: E402


def _time(label: str, target: float, repeats: int, function: Callable[[], Any]) -> float:
    function()  # warm-up: imports, caches
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        runs.append(time.perf_counter() - start)
    median = statistics.median(runs)
    verdict = "ok" if median < target else "OVER TARGET"
    print(
        f"{label:<48} median {median * 1000:9.1f} ms  (min {min(runs) * 1000:8.1f} ms, "
        f"{repeats} runs)  target < {target * 1000:.0f} ms  {verdict}"
    )
    return median


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rng = np.random.default_rng(0)
    print("glassbox drift benchmark (one core; BLAS/OpenMP threads = 1)")

    scalars = rng.lognormal(size=100_000)
    _time("profile build: 100,000 scalar values", 0.050, 20, lambda: Profile.build({"x": scalars}))
    profile = Profile.build({"x": scalars})
    window = {"x": rng.lognormal(0.1, size=1_000)}
    monitor = Monitor(profile)
    _time("check: 1,000-row window vs that profile", 0.050, 50, lambda: monitor.check(window))

    reference = rng.standard_normal((2_000, 384)).astype(np.float32)
    current = rng.standard_normal((3_000, 384)).astype(np.float32)
    current[:, :8] += 0.1
    print(f"embeddings: {len(reference):,} reference x {len(current):,} current rows x 384 dims")
    _time(
        "embedding: domain classifier (5-fold CV AUC)",
        3.0,
        3,
        lambda: classifier_test(reference, current),
    )
    _time(
        "embedding: MMD² with 200 permutations",
        3.0,
        3,
        lambda: mmd_test(reference, current, permutations=200),
    )
    _time(
        "embedding: centroid vs 200 bootstrap resamples",
        3.0,
        3,
        lambda: centroid_test(reference, current),
    )
    embedding_monitor = Monitor(Profile.build({"embedding": reference}))
    _time(
        "embedding: Monitor.check (MMD², centroid, decision)",
        3.0,
        3,
        lambda: embedding_monitor.check({"embedding": current}),
    )


if __name__ == "__main__":
    main()
