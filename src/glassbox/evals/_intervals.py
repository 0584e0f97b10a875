"""Confidence intervals of eval scores and the test for a real regression.

A score is the mean of per-sample scores in ``[0, 1]``. Pass/fail scores (every sample
0 or 1) get a Wilson score interval, which stays inside ``[0, 1]`` and keeps its coverage
for small suites and scores near 0 or 1. Graded scores (F1, recall@k) get the normal
interval of a mean. A drop from a baseline is a regression only when it exceeds the
sampling error of both runs: Newcombe's interval for a difference of proportions (built
from the two Wilson intervals) for pass/fail scores, Welch's normal interval otherwise.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

__all__ = ["Z_95", "is_regression", "mean_interval", "newcombe_interval", "wilson_interval"]

#: Two-sided 95% normal quantile.
Z_95 = 1.959963984540054


def wilson_interval(successes: float, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``successes / n``.

    Returns:
        ``(lower, upper)``; ``(0, 1)`` when ``n == 0``.
    """
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, center - half), min(1.0, center + half)


def mean_interval(scores: Sequence[float], z: float = Z_95) -> tuple[float, float]:
    """Normal interval of the mean of graded scores, clipped to ``[0, 1]``."""
    n = len(scores)
    if n < 2:
        return 0.0, 1.0
    mean = statistics.fmean(scores)
    half = z * statistics.stdev(scores) / math.sqrt(n)
    return max(0.0, mean - half), min(1.0, mean + half)


def newcombe_interval(
    p1: float, n1: int, p2: float, n2: int, z: float = Z_95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval (his method 10) for ``p1 - p2``.

    Args:
        p1: First proportion, from ``n1`` samples.
        n1: First sample count.
        p2: Second proportion, from ``n2`` samples.
        n2: Second sample count.
        z: Normal quantile (95% two-sided by default).

    Returns:
        ``(lower, upper)`` of the difference.
    """
    l1, u1 = wilson_interval(p1 * n1, n1, z)
    l2, u2 = wilson_interval(p2 * n2, n2, z)
    delta = p1 - p2
    lower = delta - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = delta + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return lower, upper


def is_regression(
    baseline_score: float,
    baseline_samples: int,
    baseline_std: float,
    score: float,
    samples: int,
    std: float,
    *,
    binary: bool,
    z: float = Z_95,
) -> bool:
    """Whether ``score`` fell below ``baseline_score`` by more than the sampling error.

    Args:
        baseline_score: Mean score of the baseline run.
        baseline_samples: Its sample count.
        baseline_std: Its per-sample standard deviation (graded scores).
        score: Mean score of this run.
        samples: Its sample count.
        std: Its per-sample standard deviation (graded scores).
        binary: Both runs are pass/fail: use Newcombe's hybrid score interval.
        z: Normal quantile of the interval (95% two-sided by default).

    Returns:
        ``True`` when the whole interval of ``baseline - score`` lies above zero.
    """
    if baseline_samples == 0 or samples == 0:
        return False
    if binary:
        lower, _ = newcombe_interval(baseline_score, baseline_samples, score, samples, z)
        return lower > 0
    error = z * math.sqrt(baseline_std**2 / baseline_samples + std**2 / samples)
    return baseline_score - score - error > 0
