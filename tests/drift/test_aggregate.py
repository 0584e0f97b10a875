"""The joint permutation test for embeddings: aggregated MMD² and the centroid shift."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from glassbox.drift import _aggregate, _embedding


def test_median_bandwidth_mmd_and_centroid_match_direct_computations() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(60, 5)), rng.normal(0.3, size=(40, 5))
    result = _aggregate.embedding_permutation_test(x, y, permutations=50, seed=7)
    scale = np.abs(np.vstack([x, y])).max()  # the test rescales; MMD at a scaled
    # median bandwidth is scale-free
    single = _embedding.mmd_test(x / scale, y / scale, permutations=50, seed=7)
    assert result.mmd == pytest.approx(single.statistic, abs=1e-5)
    radius = math.sqrt(((x - x.mean(0)) ** 2).sum(1).mean())
    assert result.centroid == pytest.approx(np.linalg.norm(y.mean(0) - x.mean(0)) / radius)
    # fewer pooled rows than 4,000: more permutations for the same cost, at most 5x
    assert result.permutations == 250
    assert result.p_value < 0.05


def test_p_values_are_uniform_without_drift_at_small_windows() -> None:
    """Exact at any size: 200 null checks of 40 against 30 rows pass a KS test."""
    rng = np.random.default_rng(2)
    p_values = []
    for seed in range(200):
        x, y = rng.normal(size=(40, 4)), rng.normal(size=(30, 4))
        p_values.append(
            _aggregate.embedding_permutation_test(x, y, permutations=20, seed=seed).p_value
        )
    # p-values live on a grid of 1/101, so compare with a discrete uniform's bounds
    alarms = sum(p <= 0.05 for p in p_values)
    assert stats.binom.ppf(0.001, 200, 0.05) <= alarms <= stats.binom.ppf(0.999, 200, 0.05)
    assert stats.kstest(p_values, "uniform").pvalue > 0.001


def test_small_bandwidths_see_a_new_cluster_the_median_bandwidth_misses() -> None:
    rng = np.random.default_rng(3)
    reference = rng.normal(size=(400, 10))
    current = rng.normal(size=(200, 10))
    current[:10] = rng.normal(size=(10, 10)) * 0.05 + 3.0  # 5% of rows in a tight new topic
    joint = _aggregate.embedding_permutation_test(reference, current, seed=1)
    single = _embedding.mmd_test(reference, current, seed=1)
    assert joint.mmd_p is not None
    assert joint.mmd_p < 0.01
    assert joint.mmd_p <= single.p_value


def test_mmd_or_centroid_alone_and_neither_is_an_error() -> None:
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    only_centroid = _aggregate.embedding_permutation_test(x, y, mmd=False, seed=1)
    assert only_centroid.mmd_p is None
    assert only_centroid.centroid_p == pytest.approx(only_centroid.p_value)
    with pytest.raises(ValueError, match="needs mmd, centroid or both"):
        _aggregate.embedding_permutation_test(x, y, mmd=False, centroid=False)
