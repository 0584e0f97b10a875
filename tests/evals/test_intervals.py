"""Intervals against SciPy and published worked examples."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from glassbox.evals import is_regression, mean_interval, newcombe_interval, wilson_interval


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (81, 263), (1, 1000)])
def test_wilson_matches_scipy(k: int, n: int) -> None:
    expected = stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert wilson_interval(k, n) == pytest.approx((expected.low, expected.high), abs=1e-9)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_newcombe_worked_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 vs 48/80.
    lower, upper = newcombe_interval(56 / 70, 70, 48 / 80, 80)
    assert (lower, upper) == pytest.approx((0.0524, 0.3339), abs=5e-4)


def test_mean_interval_is_the_normal_interval_clipped() -> None:
    scores = [0.2, 0.4, 0.6, 0.8, 0.5]
    half = 1.959963984540054 * stats.tstd(scores) / math.sqrt(5)
    assert mean_interval(scores) == pytest.approx((0.5 - half, 0.5 + half))
    assert mean_interval([1.0, 1.0, 0.99])[1] == 1.0
    assert mean_interval([0.5]) == (0.0, 1.0)


def test_a_drop_within_sampling_error_is_not_a_regression() -> None:
    # 80% → 70% on 50 samples each: the 95% intervals overlap widely.
    assert not is_regression(0.8, 50, 0, 0.7, 50, 0, binary=True)
    # The same drop on 2,000 samples each is real.
    assert is_regression(0.8, 2000, 0, 0.7, 2000, 0, binary=True)
    # Improvements never regress.
    assert not is_regression(0.5, 2000, 0, 0.9, 2000, 0, binary=True)
    assert not is_regression(0.8, 0, 0, 0.1, 10, 0, binary=True)


def test_graded_regression_uses_both_standard_errors() -> None:
    assert is_regression(0.8, 400, 0.2, 0.7, 400, 0.2, binary=False)
    assert not is_regression(0.8, 10, 0.3, 0.7, 10, 0.3, binary=False)
