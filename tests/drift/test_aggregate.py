"""The joint permutation test for embeddings: aggregated MMD², the centroid shifts and the
neighbour counts."""

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


def test_each_statistic_alone_and_none_is_an_error() -> None:
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    only_centroid = _aggregate.embedding_permutation_test(
        x, y, mmd=False, neighbours=False, whitened=False, principal=False, seed=1
    )
    assert only_centroid.mmd_p is None
    assert only_centroid.whitened_p is None
    assert only_centroid.principal_p is None
    assert only_centroid.neighbours_p is None
    assert only_centroid.centroid_p == pytest.approx(only_centroid.p_value)
    only_neighbours = _aggregate.embedding_permutation_test(
        x, y, mmd=False, centroid=False, whitened=False, principal=False
    )
    assert only_neighbours.neighbours_p == pytest.approx(only_neighbours.p_value)
    assert only_neighbours.mmd_p is None
    assert only_neighbours.centroid_p is None
    only_whitened = _aggregate.embedding_permutation_test(
        x, y, mmd=False, centroid=False, neighbours=False, principal=False
    )
    assert only_whitened.whitened_p == pytest.approx(only_whitened.p_value)
    assert only_whitened.centroid_p is None
    assert only_whitened.principal_p is None
    only_principal = _aggregate.embedding_permutation_test(
        x, y, mmd=False, centroid=False, neighbours=False, whitened=False
    )
    assert only_principal.principal_p == pytest.approx(only_principal.p_value)
    assert only_principal.whitened_p is None
    with pytest.raises(ValueError, match="needs at least one of mmd, centroid, neighbours"):
        _aggregate.embedding_permutation_test(
            x, y, mmd=False, centroid=False, neighbours=False, whitened=False, principal=False
        )
    for bad in (math.nan, math.inf):
        with_bad = y.copy()
        with_bad[3, 1] = bad
        with pytest.raises(ValueError, match="needs finite values; drop the rows with NaN"):
            _aggregate.embedding_permutation_test(x, with_bad)
    with pytest.raises(ValueError, match="at least 2 reference and 2 current rows, got 50 and 1"):
        _aggregate.embedding_permutation_test(x, y[:1])


def _topics(rng: np.random.Generator, centres: np.ndarray, rows: int, new: int = 0) -> np.ndarray:
    """Unit-norm rows around all but the last centre; the first ``new`` rows around it."""
    topic = rng.integers(0, len(centres) - 1, rows)
    topic[:new] = len(centres) - 1
    x = centres[topic] + rng.normal(size=(rows, centres.shape[1])) * 0.1
    return np.asarray(x / np.linalg.norm(x, axis=1, keepdims=True))


def test_neighbours_see_a_new_topic_that_mmd_mostly_misses() -> None:
    """16 of 400 current rows (4%) come from a topic the reference never had: every
    kernel mean moves by a few percent of its mass, but those rows are each other's
    nearest neighbours."""
    found_by_neighbours = found_by_mmd = 0
    for seed in range(6):
        rng = np.random.default_rng(seed)
        centres = (rng.normal(size=(9, 32)) + 1.0) / np.sqrt(32)
        reference, current = _topics(rng, centres, 800), _topics(rng, centres, 400, new=16)
        joint = _aggregate.embedding_permutation_test(reference, current, seed=seed)
        assert joint.neighbours_p is not None
        assert joint.mmd_p is not None
        found_by_neighbours += joint.neighbours_p < 0.01
        found_by_mmd += joint.mmd_p < 0.05
        assert joint.p_value < 0.05  # the min-p over every statistic keeps the evidence
        # the effect reads as the share of current rows in a region of their own
        assert joint.neighbours == pytest.approx(16 / 400, abs=0.015)
    assert found_by_neighbours == 6
    assert found_by_mmd <= 3


def test_neighbour_counts_match_a_brute_force_count() -> None:
    rng = np.random.default_rng(6)
    pooled = rng.normal(size=(90, 4)).astype(np.float32)
    squared = _embedding._squared_distances(pooled)
    indicators = (rng.random((90, 7)) < 0.6).astype(np.float32)  # 1 = reference
    counts = _aggregate._neighbour_counts(squared, indicators, seed=3)
    distances = np.sqrt(((pooled[:, None] - pooled[None]) ** 2).sum(-1))
    np.fill_diagonal(distances, np.inf)
    order = np.argsort(distances, axis=1)  # continuous data: no ties
    for k, column_counts in zip(_aggregate.NEIGHBOURS, counts, strict=True):
        for column in range(indicators.shape[1]):
            current = indicators[:, column] == 0
            pure = [current[i] and current[order[i, :k]].all() for i in range(90)]
            assert column_counts[column] == sum(pure)


def test_p_values_stay_uniform_when_rows_repeat() -> None:
    """Repeated prompts give identical embeddings: distance ties must not follow the
    labels (the reference comes first in the pooled rows), or the test is not exact."""
    rng = np.random.default_rng(7)
    pool = rng.normal(size=(12, 5))
    p_values = []
    for seed in range(200):
        x, y = pool[rng.integers(0, 12, 60)], pool[rng.integers(0, 12, 40)]
        p_values.append(
            _aggregate.embedding_permutation_test(
                x, y, mmd=False, centroid=False, permutations=20, seed=seed
            ).p_value
        )
    alarms = sum(p <= 0.05 for p in p_values)
    assert stats.binom.ppf(0.001, 200, 0.05) <= alarms <= stats.binom.ppf(0.999, 200, 0.05)
    assert stats.kstest(p_values, "uniform").pvalue > 0.001


def _anisotropic(rng: np.random.Generator, rows: int, dimensions: int = 40) -> np.ndarray:
    """Rows that vary a lot along a few directions and little along the rest."""
    scales = np.where(np.arange(dimensions) < 4, 5.0, 0.2)
    return rng.normal(size=(rows, dimensions)) * scales


def test_whitened_centroid_is_the_ridge_mahalanobis_distance() -> None:
    rng = np.random.default_rng(5)
    x, y = _anisotropic(rng, 80), _anisotropic(rng, 50)
    result = _aggregate.embedding_permutation_test(
        x, y, mmd=False, centroid=False, neighbours=False, principal=False, permutations=20
    )
    pooled = np.vstack([x, y])
    pooled = pooled / np.abs(pooled).max()  # the test rescales; the distance is scale-free
    covariance = np.cov(pooled, rowvar=False)
    ridge = _aggregate.WHITENING_RIDGE * np.trace(covariance) / covariance.shape[0]
    gap = pooled[:80].mean(0) - pooled[80:].mean(0)
    expected = math.sqrt(gap @ np.linalg.solve(covariance + ridge * np.eye(40), gap))
    assert result.whitened == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize("family", ["whitened", "principal"])
def test_whitened_and_principal_p_values_are_uniform_without_drift(family: str) -> None:
    rng = np.random.default_rng(6)
    p_values = [
        _aggregate.embedding_permutation_test(
            _anisotropic(rng, 40), _anisotropic(rng, 30), mmd=False, centroid=False,
            neighbours=False, whitened=family == "whitened",
            principal=family == "principal", permutations=20, seed=seed,
        ).p_value
        for seed in range(200)
    ]  # fmt: skip
    alarms = sum(p <= 0.05 for p in p_values)
    assert stats.binom.ppf(0.001, 200, 0.05) <= alarms <= stats.binom.ppf(0.999, 200, 0.05)
    assert stats.kstest(p_values, "uniform").pvalue > 0.001


def test_whitening_finds_a_shift_along_a_quiet_direction_the_plain_centroid_misses() -> None:
    """A shift of 1.25 sd along one of the quiet directions: small beside the sampling
    noise of the busy ones (25 times its variance), large beside its own."""
    found = {"centroid": 0, "whitened": 0}
    for seed in range(20):
        rng = np.random.default_rng([7, seed])
        x, y = _anisotropic(rng, 200), _anisotropic(rng, 100)
        y[:, 10] += 0.25
        result = _aggregate.embedding_permutation_test(x, y, mmd=False, neighbours=False, seed=seed)
        assert result.centroid_p is not None
        assert result.whitened_p is not None
        found["centroid"] += result.centroid_p <= 0.05
        found["whitened"] += result.whitened_p <= 0.05
    assert found["whitened"] >= 16  # 20 of 20 measured
    assert found["centroid"] <= 5  # 2 of 20 measured, the false-alarm rate


def test_whitening_is_skipped_above_its_dimension_cap_and_alone_is_an_error() -> None:
    rng = np.random.default_rng(8)
    wide = _aggregate.WHITENING_MAX_DIMENSIONS + 1
    x, y = rng.normal(size=(6, wide)), rng.normal(size=(5, wide))
    result = _aggregate.embedding_permutation_test(x, y, mmd=False, neighbours=False)
    assert result.whitened_p is None
    assert result.principal_p is None
    assert result.centroid_p == pytest.approx(result.p_value)
    with pytest.raises(ValueError, match=f"at most 1536 dimensions, got {wide}; project"):
        _aggregate.embedding_permutation_test(x, y, mmd=False, centroid=False, neighbours=False)
    with pytest.raises(ValueError, match=f"at most 1536 dimensions, got {wide}; project"):
        _aggregate.embedding_permutation_test(
            x, y, mmd=False, centroid=False, neighbours=False, whitened=False
        )


def test_principal_axes_statistic_is_the_whitened_gap_in_the_axes_of_largest_spread() -> None:
    rng = np.random.default_rng(11)
    x, y = _anisotropic(rng, 80), _anisotropic(rng, 50)
    result = _aggregate.embedding_permutation_test(
        x, y, mmd=False, centroid=False, neighbours=False, whitened=False, permutations=20
    )
    pooled = np.vstack([x, y])
    pooled = pooled / np.abs(pooled).max()
    variances, axes = np.linalg.eigh(np.cov(pooled, rowvar=False))
    ridge = _aggregate.WHITENING_RIDGE * variances.mean()
    top = np.argsort(variances)[-_aggregate.PRINCIPAL_AXES :]
    gap = axes[:, top].T @ (pooled[:80].mean(0) - pooled[80:].mean(0))
    expected = math.sqrt(float(np.sum(gap**2 / (variances[top] + ridge))))
    assert result.principal == pytest.approx(expected, rel=1e-4)


def test_principal_axes_find_a_shift_along_a_busy_direction_that_whitening_dilutes() -> None:
    """A change of topic shares moves the centroid along a direction of large spread. The
    whitened centroid weighs it against the noise of 60 other directions of moderate
    spread; in the four axes of largest spread it stands out."""
    scales = np.where(np.arange(64) < 4, 5.0, 1.0)
    found = {"whitened": 0, "principal": 0}
    for seed in range(20):
        rng = np.random.default_rng([10, seed])
        x, y = rng.normal(size=(200, 64)) * scales, rng.normal(size=(100, 64)) * scales
        y[:, 0] += 2.5  # half a standard deviation of that direction
        result = _aggregate.embedding_permutation_test(x, y, mmd=False, neighbours=False, seed=seed)
        assert result.principal_p is not None
        assert result.whitened_p is not None
        found["whitened"] += result.whitened_p <= 0.05
        found["principal"] += result.principal_p <= 0.05
    assert found["principal"] >= 17  # 20 of 20 measured
    assert found["whitened"] <= 14  # 10 of 20 measured
