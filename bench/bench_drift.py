"""Drift benchmark, on one core: profile building, a scalar check, the embedding checks.

Targets (issues 7 and 18): each scalar step under 50 ms once the exact null of its
window size is cached (the first check at a new window size simulates it: reported
apart, under 5 s), each embedding test under 3 s, and the default check of 3,000 current against
2,000 reference rows of 384 dimensions under 3 s of wall time. Wall and CPU time are
both printed: on a shared machine the wall time includes waiting for the core.
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

from glassbox.drift import (  # noqa: E402
    Monitor,
    Profile,
    centroid_test,
    classifier_test,
    embedding_permutation_test,
    mmd_test,
    null_cache_clear,
)


def _time(
    label: str, target: float, repeats: int, function: Callable[[], Any], *, warm: bool = True
) -> float:
    if warm:
        function()  # warm-up: imports, caches
    runs, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        runs.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    median = statistics.median(runs)
    verdict = "ok" if median < target else "OVER TARGET"
    print(
        f"{label:<52} wall median {median * 1000:8.1f} ms (min {min(runs) * 1000:8.1f}), "
        f"CPU median {statistics.median(cpu) * 1000:8.1f} ms, {repeats} runs; "
        f"target < {target * 1000:.0f} ms  {verdict}"
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

    def cold_check() -> None:
        null_cache_clear()
        monitor.check(window)

    _time("check: 1,000 rows, first at this size (exact null)", 3.0, 3, cold_check, warm=False)
    _time("check: 1,000-row window, null cached", 0.050, 50, lambda: monitor.check(window))

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
        "embedding: joint test (MMD² x5, centroids, neighbours)",
        3.0,
        3,
        lambda: embedding_permutation_test(reference, current[:2_000]),
    )
    _time(
        "embedding: the same without the neighbour counts",
        3.0,
        3,
        lambda: embedding_permutation_test(reference, current[:2_000], neighbours=False),
    )
    _time(
        "embedding: MMD² with 200 permutations (one bandwidth)",
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
        "embedding: Monitor.check, 3,000 rows (default tests)",
        3.0,
        3,
        lambda: embedding_monitor.check({"embedding": current}),
    )


if __name__ == "__main__":
    main()
