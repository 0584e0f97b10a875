"""One permutation test for embeddings: MMD² at several bandwidths and the centroid shift.

A single bandwidth sees changes at one scale: the median heuristic is blind to a few
percent of rows moving to a new topic (a small-scale change) and slow to see a
change of spread. Following the aggregated MMD tests (Schrab et al. 2023), the
unbiased MMD² is computed at ``BANDWIDTH_FACTORS`` × the median pairwise distance, all
from one matrix of squared distances, together with the distance between the two
centroids. Every statistic is evaluated on the same label permutations; each gets its
permutation p-value, and the smallest of them is calibrated against the same
permutations (the min-p of every permutation, ranked within the pool that includes
the observed labelling). That p-value is exact at any sample size: no asymptotics, no
bootstrap, no Bonferroni factor for the number of bandwidths.

Cost: one ``N×N`` distance matrix (``N`` pooled rows), one ``exp`` per bandwidth and
one ``(N×N)·(N×P)`` product per bandwidth for all ``P`` permutations. At small windows
the matrix is small, so more permutations are drawn for the same cost (finer
p-values): ``P = permutations × min(5, (4000 / N)²)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from glassbox.drift._embedding import _squared_distances

__all__ = ["BANDWIDTH_FACTORS", "PermutationResult", "embedding_permutation_test"]

#: Bandwidths of the aggregated MMD, as multiples of the median pairwise distance.
BANDWIDTH_FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0)

# Pooled rows at which the requested number of permutations is used as is.
_FULL_ROWS = 4000
_MAX_FACTOR = 5
_BANDWIDTH_ROWS = 1000

Matrix = npt.NDArray[np.floating]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PermutationResult:
    """Statistics and p-values of the joint permutation test.

    Attributes:
        mmd: MMD² at the median bandwidth (the reported effect size).
        mmd_p: Permutation p-value of the aggregated MMD (min-p over the bandwidths,
            calibrated); ``None`` when MMD was not asked for.
        centroid: Distance between the centroids over the reference's RMS radius.
        centroid_p: Its permutation p-value; ``None`` when not asked for.
        p_value: Calibrated min-p over every statistic computed: the feature's p-value.
        permutations: Permutations drawn.
    """

    mmd: float
    mmd_p: float | None
    centroid: float
    centroid_p: float | None
    p_value: float
    permutations: int


def embedding_permutation_test(
    reference: Matrix,
    current: Matrix,
    *,
    permutations: int = 200,
    mmd: bool = True,
    centroid: bool = True,
    seed: int = 0,
) -> PermutationResult:
    """Aggregated MMD² and centroid shift, calibrated on the same label permutations.

    Args:
        reference: ``(n, d)`` reference rows.
        current: ``(m, d)`` current rows.
        permutations: Permutations at 4,000 pooled rows (more when fewer rows).
        mmd: Include the MMD² statistics.
        centroid: Include the centroid distance.
        seed: Seed of the permutations and of the bandwidth's row sample.

    Returns:
        The statistics and their exact permutation p-values.
    """
    if not (mmd or centroid):
        raise ValueError("embedding_permutation_test needs mmd, centroid or both")
    n, m = len(reference), len(current)
    pooled64 = np.vstack([reference, current]).astype(np.float64)
    # Every statistic is scale-free (bandwidths follow the median distance, the centroid
    # shift is in units of the reference's radius): rescale so squares cannot overflow.
    largest = float(np.max(np.abs(pooled64))) if pooled64.size else 0.0
    if math.isfinite(largest) and largest > 0:
        pooled64 /= largest
    pooled = pooled64.astype(np.float32)
    total_rows = n + m
    scale = min(_MAX_FACTOR, max(1.0, (_FULL_ROWS / total_rows) ** 2))
    draws = max(1, round(permutations * scale))
    rng = np.random.default_rng(seed)
    indicators = np.zeros((total_rows, draws + 1), dtype=np.float32)
    indicators[:n, 0] = 1.0  # column 0: the observed labelling (1 = reference)
    for column in range(1, draws + 1):
        indicators[rng.permutation(total_rows)[:n], column] = 1.0

    columns: list[FloatArray] = []
    mmd_columns: list[int] = []
    median_mmd = 0.0
    if mmd:
        squared = _squared_distances(pooled)
        median = _median_distance(squared, seed)
        for factor in BANDWIDTH_FACTORS:
            bandwidth = factor * median
            kernel = np.multiply(squared, np.float32(-1.0 / (2.0 * bandwidth * bandwidth)))
            np.exp(kernel, out=kernel)
            values = _mmd_values(kernel, indicators, n, m)
            if factor == 1.0:
                median_mmd = float(values[0])
            mmd_columns.append(len(columns))
            columns.append(values)
        del squared
    centroid_value = 0.0
    centroid_column = -1
    if centroid:
        sums = pooled.T.astype(np.float64) @ indicators.astype(np.float64)  # (d, P+1)
        everything = pooled.sum(axis=0, dtype=np.float64)[:, None]
        gaps = np.linalg.norm(sums / n - (everything - sums) / m, axis=0)
        ref = pooled[:n].astype(np.float64)
        radius = math.sqrt(float(((ref - ref.mean(axis=0)) ** 2).sum(axis=1).mean())) or 1.0
        centroid_value = float(gaps[0]) / radius
        centroid_column = len(columns)
        columns.append(gaps)

    pool = np.column_stack(columns)  # (P+1, k): larger = more extreme
    p_values = _pool_p_values(pool)
    mmd_p = _min_p_calibrated(p_values[:, mmd_columns]) if mmd else None
    centroid_p = float(p_values[0, centroid_column]) if centroid else None
    return PermutationResult(
        mmd=median_mmd,
        mmd_p=mmd_p,
        centroid=centroid_value,
        centroid_p=centroid_p,
        p_value=_min_p_calibrated(p_values),
        permutations=draws,
    )


def _pool_p_values(pool: FloatArray) -> FloatArray:
    """Per statistic, ``#{pool >= value} / len(pool)`` for every row of the pool."""
    size = len(pool)
    out = np.empty_like(pool, dtype=np.float64)
    for j in range(pool.shape[1]):
        column = pool[:, j]
        ordered = np.sort(column)
        out[:, j] = (size - np.searchsorted(ordered, column, side="left")) / size
    return out


def _min_p_calibrated(p_values: FloatArray) -> float:
    """Share of the pool whose smallest p-value is at most the observed one (row 0)."""
    smallest = p_values.min(axis=1)
    return float(np.count_nonzero(smallest <= smallest[0])) / len(smallest)


def _mmd_values(
    kernel: npt.NDArray[np.float32], indicators: npt.NDArray[np.float32], n: int, m: int
) -> FloatArray:
    """Unbiased MMD² of every labelling in ``indicators`` from block sums of ``kernel``.

    With ``a`` the indicator of the reference rows, ``r = K1`` and ``T = 1'K1``:
    ``a'Ka`` is the reference block, ``a'r − a'Ka`` the cross block and
    ``T − 2a'r + a'Ka`` the current block; all labellings cost one matrix product.
    """
    row_sums = kernel.sum(axis=1, dtype=np.float64)
    total = float(row_sums.sum())
    diagonal_values = np.diag(kernel).astype(np.float64)
    trace = float(diagonal_values.sum())
    within = np.einsum("ij,ij->j", indicators, kernel @ indicators, dtype=np.float64)
    diagonal = indicators.T.astype(np.float64) @ diagonal_values
    across = indicators.T.astype(np.float64) @ row_sums - within
    other = total - 2 * across - within
    values: FloatArray = (
        (within - diagonal) / (n * (n - 1))
        + (other - (trace - diagonal)) / (m * (m - 1))
        - 2 * across / (n * m)
    )
    return values


def _median_distance(squared: npt.NDArray[np.float32], seed: int) -> float:
    """Median distance between distinct rows of a random subset (labels play no part)."""
    rows = len(squared)
    pick = np.arange(rows)
    if rows > _BANDWIDTH_ROWS:
        pick = np.sort(np.random.default_rng(seed).choice(rows, _BANDWIDTH_ROWS, replace=False))
    block = squared[np.ix_(pick, pick)]
    upper = block[np.triu_indices(len(pick), k=1)]
    median = float(np.sqrt(max(float(np.median(upper)), 0.0)))
    return median if median > 0 else 1.0
