"""Drift tests run many small linear-algebra problems: one BLAS thread is faster for
those (and fair to the other processes on a shared machine)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest
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
