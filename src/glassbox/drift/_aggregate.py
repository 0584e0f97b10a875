"""One permutation test for embeddings: MMD² at several bandwidths, the centroid shift (plain,
whitened, and in the principal axes) and the rows that sit in neighbourhoods of their own.

A single bandwidth sees changes at one scale: the median heuristic is blind to a few
percent of rows moving to a new topic (a small-scale change) and slow to see a
change of spread. Following the aggregated MMD tests (Schrab et al. 2023), the
unbiased MMD² is computed at ``BANDWIDTH_FACTORS`` × the median pairwise distance, all
from one matrix of squared distances, together with the distance between the two
centroids (plain; whitened by the pooled rows' covariance; in its principal axes) and
nearest-neighbour counts. Every statistic is evaluated on the same label permutations and gets its
permutation p-value. Within a family of near copies (the
five bandwidths; the two neighbourhood sizes) the smallest p-value is calibrated
against the same permutations (the min-p of every permutation, ranked within the
pool that includes the observed labelling); the families' p-values (MMD, centroid,
whitened centroid, principal axes, neighbours) are Cauchy-combined and that combination
is calibrated the same way.
The feature's p-value is exact at any sample size: no asymptotics, no bootstrap, no
Bonferroni factor for the number of statistics.

A new topic that takes a few percent of the current rows barely moves any kernel mean
(it is a few percent of the mass), but its rows are each other's nearest neighbours:
the count of current rows whose ``k`` nearest pooled rows are all current rows (for
each ``k`` in ``NEIGHBOURS``) is near ``m (m/N)^k`` without drift and grows by about
the new topic's row count with it. The neighbour graph is built once from the pooled
distances, ties broken by a random order that has nothing to do with the labels, so
each permutation only relabels it (``O(N k)``). In a small window a new topic may have a
row or two, with no neighbourhood of their own; the count at the smallest ``k`` also
counts the current rows among the ``ISOLATED_SHARE`` of pooled rows farthest from their
nearest other row.

Sentence embeddings vary a lot along a few directions (topics, a direction they all
share) and hardly at all along most others, so a small shift of meaning in a new
direction moves the centroid far less than sampling noise along the busy directions
does. The whitened centroid measures the gap in the pooled rows' principal axes, each
divided by its spread plus a ridge (``WHITENING_RIDGE`` × the mean variance, so nearly
empty directions are not blown up): the Mahalanobis distance of the two centroids. The
covariance comes from the pooled rows, never from the labels, so every permutation
shares it.

A change of topic shares moves the centroid along the directions between topics, which
are the busiest ones: there the whitened centroid adds the noise of every quiet
direction to a signal in a few, and the plain centroid the within-topic noise of all of
them. The principal-axes statistic is the whitened gap in the ``PRINCIPAL_AXES`` axes of
largest spread alone (Hotelling's T² in that subspace), from the same eigenvectors.

Cost: one ``N×N`` distance matrix (``N`` pooled rows), one ``exp`` per bandwidth and
one ``(N×N)·(N×P)`` product per bandwidth for all ``P`` permutations, one partial sort
of the distance matrix for the neighbours, one ``d×d`` covariance and its eigenvectors
for the whitened and principal-axes centroids (skipped above
``WHITENING_MAX_DIMENSIONS``). At small windows the matrix is small, so more
permutations are drawn for the same cost (finer p-values):
``P = permutations × min(5, (4000 / N)²)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from glassbox.drift._embedding import _squared_distances
from glassbox.drift._stats import cauchy_statistic, exceedance

__all__ = [
    "BANDWIDTH_FACTORS",
    "ISOLATED_SHARE",
    "JOINT_TESTS",
    "NEIGHBOURS",
    "PRINCIPAL_AXES",
    "WHITENING_MAX_DIMENSIONS",
    "WHITENING_RIDGE",
    "PermutationResult",
    "embedding_permutation_test",
]

#: The statistics of the joint test, by the names reports give them (in report order).
JOINT_TESTS = ("mmd", "centroid", "whitened", "principal", "neighbours")

#: Bandwidths of the aggregated MMD, as multiples of the median pairwise distance.
BANDWIDTH_FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0)

#: Neighbourhood sizes of the nearest-neighbour count: 3 sees a new topic of a handful
#: of rows in a small window, 10 one in a large window, where a 3-row neighbourhood of
#: current rows is common by chance.
NEIGHBOURS = (3, 10)
#: Share of the pooled rows, the most isolated (farthest from their nearest other row),
#: whose current rows the smallest neighbourhood's count includes (at least one row).
ISOLATED_SHARE = 0.005

#: Ridge of the whitened centroid, as a multiple of the pooled rows' mean variance.
WHITENING_RIDGE = 0.1
#: Above this many dimensions the whitened and principal-axes centroids are not computed:
#: their ``d³`` eigendecomposition would cost more than the rest of the check (project
#: first).
WHITENING_MAX_DIMENSIONS = 1536
#: Axes of largest spread in which the principal-axes centroid gap is measured.
PRINCIPAL_AXES = 4

# Rows of the distance matrix partially sorted at once when finding neighbours.
_NEIGHBOUR_BLOCK = 512

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
        neighbours: Share of the current rows whose ``k`` nearest pooled rows are all
            current rows, minus that share's mean over the permutations (about the share
            of current rows in regions the reference does not reach), at the ``k`` of
            ``NEIGHBOURS`` with the smaller p-value (at the smallest ``k``, current rows
            among the ``ISOLATED_SHARE`` most isolated pooled rows count too).
        neighbours_p: Permutation p-value of the neighbour counts (min-p over
            ``NEIGHBOURS``, calibrated); ``None`` when not asked for.
        whitened: Ridge Mahalanobis distance between the centroids, in the pooled rows'
            principal axes.
        whitened_p: Its permutation p-value; ``None`` when not asked for or above
            ``WHITENING_MAX_DIMENSIONS``.
        principal: The same distance in the ``PRINCIPAL_AXES`` axes of largest spread
            alone.
        principal_p: Its permutation p-value; ``None`` as for ``whitened_p``.
        p_value: The feature's p-value: the families' p-values (MMD, centroid,
            whitened centroid, principal axes, neighbours) Cauchy-combined, calibrated
            on the same permutations.
        permutations: Permutations drawn.
    """

    mmd: float
    mmd_p: float | None
    centroid: float
    centroid_p: float | None
    p_value: float
    permutations: int
    neighbours: float = 0.0
    neighbours_p: float | None = None
    whitened: float = 0.0
    whitened_p: float | None = None
    principal: float = 0.0
    principal_p: float | None = None

    def tests(self) -> list[tuple[str, float, float]]:
        """``(name, value, p_value)`` of each statistic that ran, in ``JOINT_TESTS`` order."""
        every = (
            ("mmd", self.mmd, self.mmd_p),
            ("centroid", self.centroid, self.centroid_p),
            ("whitened", self.whitened, self.whitened_p),
            ("principal", self.principal, self.principal_p),
            ("neighbours", self.neighbours, self.neighbours_p),
        )
        return [(name, value, p) for name, value, p in every if p is not None]


def embedding_permutation_test(
    reference: Matrix,
    current: Matrix,
    *,
    permutations: int = 200,
    mmd: bool = True,
    centroid: bool = True,
    neighbours: bool = True,
    whitened: bool = True,
    principal: bool = True,
    seed: int = 0,
) -> PermutationResult:
    """Aggregated MMD², centroid shifts and neighbour counts on the same label permutations.

    Args:
        reference: ``(n, d)`` reference rows.
        current: ``(m, d)`` current rows.
        permutations: Permutations at 4,000 pooled rows (more when fewer rows).
        mmd: Include the MMD² statistics.
        centroid: Include the centroid distance.
        neighbours: Include the nearest-neighbour counts.
        whitened: Include the whitened centroid shift (up to
            ``WHITENING_MAX_DIMENSIONS`` dimensions).
        principal: Include the centroid shift in the principal axes (likewise).
        seed: Seed of the permutations and of the bandwidth's row sample.

    Returns:
        The statistics and their exact permutation p-values.

    Raises:
        ValueError: No statistic asked for, a NaN or an infinity in the rows, fewer
            than 2 rows on a side (the unbiased MMD² is undefined there), or only the
            whitened or principal-axes centroid on more than ``WHITENING_MAX_DIMENSIONS``
            dimensions.
    """
    if not (mmd or centroid or neighbours or whitened or principal):
        raise ValueError(
            "embedding_permutation_test needs at least one of mmd, centroid, neighbours, "
            "whitened, principal"
        )
    if not (np.isfinite(reference).all() and np.isfinite(current).all()):
        raise ValueError(
            "embedding_permutation_test needs finite values; drop the rows with NaN or "
            "infinity first (Monitor.check does)"
        )
    dimensions = np.shape(reference)[1] if np.ndim(reference) == 2 else 0
    if (whitened or principal) and dimensions > WHITENING_MAX_DIMENSIONS:
        if not (mmd or centroid or neighbours):
            raise ValueError(
                f"the whitened and principal-axes centroids run on at most "
                f"{WHITENING_MAX_DIMENSIONS} dimensions, got {dimensions}; project the "
                "embeddings first (Profile.build(..., projection='pca'))"
            )
        whitened = principal = False
    n, m = len(reference), len(current)
    if n < 2 or m < 2:
        raise ValueError(
            f"embedding_permutation_test needs at least 2 reference and 2 current rows, "
            f"got {n} and {m}; collect a larger window"
        )
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
    squared = _squared_distances(pooled) if (mmd or neighbours) else None
    neighbour_columns: list[int] = []
    neighbour_excess: list[float] = []
    if neighbours and squared is not None:
        for counts in _neighbour_counts(squared, indicators, seed):
            neighbour_excess.append(float(counts[0] - counts[1:].mean()) / m)
            neighbour_columns.append(len(columns))
            columns.append(counts)
    if mmd and squared is not None:
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
    # Families of one statistic (the centroid gaps): name -> (reported value, column).
    alone: dict[str, tuple[float, int]] = {}
    if centroid or whitened or principal:
        sums = pooled.T.astype(np.float64) @ indicators.astype(np.float64)  # (d, P+1)
        everything = pooled.sum(axis=0, dtype=np.float64)[:, None]
        difference = sums / n - (everything - sums) / m  # reference minus current centroid
    if centroid:
        gaps = np.linalg.norm(difference, axis=0)
        ref = pooled[:n].astype(np.float64)
        radius = math.sqrt(float(((ref - ref.mean(axis=0)) ** 2).sum(axis=1).mean())) or 1.0
        alone["centroid"] = (float(gaps[0]) / radius, len(columns))
        columns.append(gaps)
    if whitened or principal:
        scaled = _whitened_axes(pooled64, difference)  # ascending spread
        for name, wanted, axes in (
            ("whitened", whitened, scaled),
            ("principal", principal, scaled[-PRINCIPAL_AXES:]),
        ):
            if wanted:
                distances = np.sqrt(np.einsum("ij,ij->j", axes, axes))
                alone[name] = (float(distances[0]), len(columns))
                columns.append(distances)

    pool = np.column_stack(columns)  # (P+1, k): larger = more extreme
    # Ties (counts are whole numbers; repeated rows give equal distances) are broken by
    # one random key per labelling, so every p-value below is exactly uniform on its
    # grid without drift, not merely valid: a tied statistic would otherwise be
    # conservative, far below alpha at small windows.
    key = np.random.default_rng([seed, 2]).random(len(pool))
    p_values = _pool_p_values(pool, key)
    # Statistics of one family (the bandwidths, the two neighbourhood sizes) are near
    # copies of each other: the family's evidence is its smallest p-value, calibrated.
    # Families aim at different changes, and a change often moves several of them a
    # little; their p-values are Cauchy-combined (each capped at 0.5, so a family that
    # sees nothing adds nothing rather than cancelling the others), then calibrated.
    families: list[FloatArray] = []
    mmd_p = neighbours_p = None
    if mmd_columns:
        families.append(exceedance(-p_values[:, mmd_columns].min(axis=1), key))
        mmd_p = float(families[-1][0])
    alone_p: dict[str, float] = {}
    for name, (_, column) in alone.items():
        families.append(p_values[:, column])
        alone_p[name] = float(families[-1][0])
    neighbours_value = 0.0
    if neighbour_columns:
        families.append(exceedance(-p_values[:, neighbour_columns].min(axis=1), key))
        neighbours_p = float(families[-1][0])
        strongest = int(np.argmin(p_values[0, neighbour_columns]))
        neighbours_value = neighbour_excess[strongest]
    if len(families) == 1:
        p_value = float(families[0][0])
    else:
        p_value = float(exceedance(cauchy_statistic(np.column_stack(families)), key)[0])
    reported = {name: value for name, (value, _) in alone.items()}
    return PermutationResult(
        mmd=median_mmd,
        mmd_p=mmd_p,
        centroid=reported.get("centroid", 0.0),
        centroid_p=alone_p.get("centroid"),
        p_value=p_value,
        permutations=draws,
        neighbours=neighbours_value,
        neighbours_p=neighbours_p,
        whitened=reported.get("whitened", 0.0),
        whitened_p=alone_p.get("whitened"),
        principal=reported.get("principal", 0.0),
        principal_p=alone_p.get("principal"),
    )


def _whitened_axes(pooled: FloatArray, difference: FloatArray) -> FloatArray:
    """Every column of ``difference`` (centroid gaps) in the pooled rows' principal axes,
    each over its spread plus the ridge, axes in ascending order of spread (the sum of
    squares of a column is its squared ridge Mahalanobis length). The covariance is the
    pooled rows': labels play no part in it."""
    spread = np.atleast_2d(np.cov(pooled, rowvar=False))
    variances, axes = np.linalg.eigh(spread)
    variances = np.maximum(variances, 0.0)
    ridge = WHITENING_RIDGE * float(variances.mean()) or 1.0
    out: FloatArray = (axes.T @ difference) / np.sqrt(variances + ridge)[:, None]
    return out


def _neighbour_counts(
    squared: npt.NDArray[np.float32], indicators: npt.NDArray[np.float32], seed: int
) -> list[FloatArray]:
    """Per ``k`` of ``NEIGHBOURS``: for every labelling, the current rows whose ``k``
    nearest other rows are all current rows; for the smallest ``k``, also those among the
    ``ISOLATED_SHARE`` of pooled rows farthest from their nearest other row.

    The graph depends on the pooled rows alone; equal distances are ordered by a seeded
    random order of the rows, so ties cannot follow the labels (the reference comes
    first in the pooled matrix). Each labelling then costs ``k`` gathers of its labels.
    """
    rows = len(squared)
    sizes = sorted({min(k, rows - 1) for k in NEIGHBOURS if rows > 1})
    if not sizes:
        return []
    deepest = sizes[-1]
    order = np.random.default_rng([seed, 1]).permutation(rows)
    position = np.empty(rows, dtype=np.intp)
    position[order] = np.arange(rows)
    nearest = np.empty((rows, deepest), dtype=np.intp)
    for start in range(0, rows, _NEIGHBOUR_BLOCK):
        stop = min(rows, start + _NEIGHBOUR_BLOCK)
        block = squared[start:stop][:, order]  # columns in the random order
        block[np.arange(stop - start), position[start:stop]] = np.inf  # not its own neighbour
        part = np.argpartition(block, deepest - 1, axis=1)[:, :deepest]  # one kth: 2.5x faster
        closest_first = np.argsort(np.take_along_axis(block, part, axis=1), axis=1, kind="stable")
        nearest[start:stop] = order[np.take_along_axis(part, closest_first, axis=1)]
    # The most isolated rows: farthest from their nearest other row (ties in the same
    # random order). A new topic with one or two rows in a small window has no
    # neighbourhood of its own, but its rows are among them; the smallest ``k`` counts
    # them too (one statistic, not another: a third near copy in the family's min-p
    # would cost power at large windows, where 200 permutations resolve p-values coarsely).
    lonely = squared[np.arange(rows), nearest[:, 0]]
    isolated = np.zeros((rows, 1), dtype=bool)
    isolated[np.lexsort((position, lonely))[-max(1, round(ISOLATED_SHARE * rows)) :]] = True
    current = indicators == 0  # (N, P+1): True where the labelling says "current"
    pure = current.copy()
    counts: list[FloatArray] = []
    for depth in range(deepest):
        pure &= current[nearest[:, depth]]
        if depth + 1 in sizes:
            alone = pure | (current & isolated) if not counts else pure
            counts.append(np.count_nonzero(alone, axis=0).astype(np.float64))
    return counts


def _pool_p_values(pool: FloatArray, key: FloatArray) -> FloatArray:
    """Per statistic (column), every row's permutation p-value; larger is more extreme."""
    return np.column_stack([exceedance(pool[:, j], key) for j in range(pool.shape[1])])


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
    # Rows are scaled to the largest magnitude, so below 1e-12 most pairs are the same
    # row in float32; a bandwidth that small would overflow 1 / (2 h²) in float32.
    return median if median > 1e-12 else 1.0
