"""The joint permutation test for embeddings: aggregated MMD², the centroid shifts and the
neighbour counts."""

from __future__ import annotations

import math

import numpy as np
import pytest

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


def test_p_values_are_uniform_without_drift_at_small_windows(assert_uniform) -> None:
    """Exact at any size: 200 null checks of 40 against 30 rows pass a KS test."""
    rng = np.random.default_rng(2)
    p_values = []
    for seed in range(200):
        x, y = rng.normal(size=(40, 4)), rng.normal(size=(30, 4))
        p_values.append(
            _aggregate.embedding_permutation_test(x, y, permutations=20, seed=seed).p_value
        )
    assert_uniform(p_values)  # on a grid of 1/101: the binomial bounds allow for it


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
    # The isolated rows: 0.5% of 90, at least one, the row farthest from its nearest;
    # the smallest neighbourhood's count includes it when it is a current row.
    loneliest = int(np.argmax(distances.min(axis=1)))
    for k, column_counts in zip(_aggregate.NEIGHBOURS, counts, strict=True):
        for column in range(indicators.shape[1]):
            current = indicators[:, column] == 0
            alone = [
                current[i] and (current[order[i, :k]].all() or (k == 3 and i == loneliest))
                for i in range(90)
            ]
            assert column_counts[column] == sum(alone)


def test_p_values_stay_uniform_when_rows_repeat(assert_uniform) -> None:
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
    assert_uniform(p_values)


def _anisotropic(rng: np.random.Generator, rows: int, dimensions: int = 40) -> np.ndarray:
    """Rows that vary a lot along a few directions and little along the rest."""
    scales = np.where(np.arange(dimensions) < 4, 5.0, 0.2)
    return rng.normal(size=(rows, dimensions)) * scales


def test_whitened_and_principal_axes_statistics_match_a_direct_computation() -> None:
    """``whitened``: the ridge Mahalanobis distance of the centroids; ``principal``: the
    same in the axes of largest spread alone."""
    rng = np.random.default_rng(5)
    x, y = _anisotropic(rng, 80), _anisotropic(rng, 50)
    result = _aggregate.embedding_permutation_test(
        x, y, mmd=False, centroid=False, neighbours=False, permutations=20
    )
    pooled = np.vstack([x, y])
    pooled = pooled / np.abs(pooled).max()  # the test rescales; the distance is scale-free
    covariance = np.cov(pooled, rowvar=False)
    ridge = _aggregate.WHITENING_RIDGE * np.trace(covariance) / covariance.shape[0]
    gap = pooled[:80].mean(0) - pooled[80:].mean(0)
    expected = math.sqrt(gap @ np.linalg.solve(covariance + ridge * np.eye(40), gap))
    assert result.whitened == pytest.approx(expected, rel=1e-4)
    variances, axes = np.linalg.eigh(covariance)
    top = np.argsort(variances)[-_aggregate.PRINCIPAL_AXES :]
    along = axes[:, top].T @ gap
    expected = math.sqrt(float(np.sum(along**2 / (variances[top] + ridge))))
    assert result.principal == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize("family", ["whitened", "principal"])
def test_whitened_and_principal_p_values_are_uniform_without_drift(
    family: str, assert_uniform
) -> None:
    rng = np.random.default_rng(6)
    p_values = [
        _aggregate.embedding_permutation_test(
            _anisotropic(rng, 40), _anisotropic(rng, 30), mmd=False, centroid=False,
            neighbours=False, whitened=family == "whitened",
            principal=family == "principal", permutations=20, seed=seed,
        ).p_value
        for seed in range(200)
    ]  # fmt: skip
    assert_uniform(p_values)


QUIET = np.where(np.arange(40) < 4, 5.0, 0.2)  # four busy directions, 36 quiet ones
MODERATE = np.where(np.arange(64) < 4, 5.0, 1.0)  # four busy directions, 60 moderate ones


@pytest.mark.parametrize(
    ("seed", "scales", "column", "shift", "winner", "loser", "least", "most"),
    [
        # 1.25 sd along a quiet direction: small beside the busy ones' sampling noise
        # (25 times its variance), large beside its own. Measured: 20 and 2 of 20.
        (7, QUIET, 10, 0.25, "whitened", "centroid", 16, 5),
        # Half an sd along a busy direction (a change of topic shares): the whitened
        # centroid weighs it against 60 moderate directions. Measured: 20 and 10 of 20.
        (10, MODERATE, 0, 2.5, "principal", "whitened", 17, 14),
    ],
)
def test_each_centroid_form_finds_the_shift_it_is_made_for(
    seed: int,
    scales: np.ndarray,
    column: int,
    shift: float,
    winner: str,
    loser: str,
    least: int,
    most: int,
) -> None:
    found = {winner: 0, loser: 0}
    for trial in range(20):
        rng = np.random.default_rng([seed, trial])
        x, y = rng.normal(size=(200, len(scales))) * scales, rng.normal(size=(100, len(scales)))
        y = y * scales
        y[:, column] += shift
        result = _aggregate.embedding_permutation_test(
            x, y, mmd=False, neighbours=False, seed=trial
        )
        for name in found:
            p = getattr(result, f"{name}_p")
            assert p is not None
            found[name] += p <= 0.05
    assert found[winner] >= least
    assert found[loser] <= most


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


def test_a_few_scattered_new_rows_in_a_small_window_are_found_by_their_isolation() -> None:
    """Three current rows far from everything and from each other: none has a pure
    neighbourhood (its three nearest rows are not all current), but they are three of
    the four most isolated pooled rows (0.5% of 840), which chance gives in about 4 in
    10,000 labellings; the smallest neighbourhood's count includes them."""
    for seed in range(20):
        rng = np.random.default_rng([15, seed])
        x, y = rng.normal(size=(800, 8)), rng.normal(size=(40, 8))
        y[:3] = 8.0 * np.eye(8)[:3] + rng.normal(size=(3, 8))  # three topics of one row
        pooled = np.vstack([x, y])
        distances = np.sqrt(((pooled[:, None] - pooled[None]) ** 2).sum(-1))
        np.fill_diagonal(distances, np.inf)
        nearest_three = np.argsort(distances[800:803], axis=1)[:, :3]
        assert ((nearest_three >= 800).sum(axis=1) < 3).all()  # no pure neighbourhood
        result = _aggregate.embedding_permutation_test(
            x, y, mmd=False, centroid=False, whitened=False, principal=False, seed=seed
        )
        assert result.neighbours_p is not None
        assert result.neighbours_p <= 0.01
        assert result.neighbours >= 2 / 40  # about 3 of 40 rows in regions of their own
