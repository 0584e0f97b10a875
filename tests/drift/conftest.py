"""Drift tests run many small linear-algebra problems: one BLAS thread is faster for
those (and fair to the other processes on a shared machine)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pytest
from scipy import stats
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread() -> Iterator[None]:
    with threadpool_limits(limits=1):
        yield


Latencies = Callable[[np.random.Generator, int, float], np.ndarray]


@pytest.fixture
def latencies() -> Latencies:
    """Log-normal latencies with a 3% slow mode; a share ``tail`` of them 1 + Pareto(1.2)
    times slower (a heavier tail: most stay inside the slow mode's range)."""

    def draw(rng: np.random.Generator, rows: int, tail: float) -> np.ndarray:
        x = rng.lognormal(0, 0.7, rows)
        slow = rng.random(rows) < 0.03
        x[slow] += rng.exponential(4.0, slow.sum())
        heavy = rng.random(rows) < tail
        x[heavy] *= 1 + rng.pareto(1.2, heavy.sum())
        return x

    return draw


UniformCheck = Callable[..., None]


@pytest.fixture
def assert_uniform() -> UniformCheck:
    """Checks the p-values of an exact test without drift: the share at most 0.05 within
    the binomial law's 0.1–99.9% range, and a Kolmogorov–Smirnov test of uniformity
    above ``ks`` (p-values on a grid still pass it at these sizes)."""

    def check(p_values: Sequence[float], ks: float = 0.001) -> None:
        trials = len(p_values)
        alarms = sum(p <= 0.05 for p in p_values)
        low, high = stats.binom.ppf([0.001, 0.999], trials, 0.05)
        assert low <= alarms <= high, f"{alarms} of {trials} p-values at most 0.05"
        assert stats.kstest(p_values, "uniform").pvalue > ks

    return check
