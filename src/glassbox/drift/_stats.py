"""Two-sample statistics for scalar and categorical features, and the BH correction.

Every function takes the reference and the current sample (or their summaries) and
returns plain floats. Where SciPy computes the same statistic the result matches it
(the tests compare them); PSI and the noise floors have no SciPy counterpart and are
derived here.

The *noise floors* answer "how large does this effect get from sampling alone, at these
two sample sizes?". Both PSI (a symmetrised Kullback–Leibler divergence) and the
Jensen–Shannon divergence are, to second order, multiples of Pearson's chi-square
statistic of the 2×K table, so under "no drift" they are approximately
``chi2(K-1) * (1/n + 1/m)`` (PSI) and ``chi2(K-1) * (1/n + 1/m) / 8`` (JS, in nats).
A fixed cut-off such as "PSI > 0.25" ignores this: at 30 rows sampling noise alone
exceeds it; at 100,000 rows a real shift stays far below it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import stats

__all__ = [
    "UNSEEN",
    "benjamini_hochberg",
    "bin_counts",
    "chi_square",
    "jensen_shannon",
    "js_floor",
    "ks_statistic",
    "ks_test",
    "psi",
    "psi_floor",
    "quantile_edges",
    "wasserstein",
]

FloatArray = npt.NDArray[np.float64]

#: The category every value absent from the reference falls into.
UNSEEN = "__unseen__"

#: Pseudo-count added to every bin before PSI takes logarithms (Jeffreys smoothing):
#: an empty bin stays finite without dominating the sum the way a 1e-4 floor does.
PSI_PSEUDO_COUNT = 0.5


def quantile_edges(reference: FloatArray, bins: int) -> FloatArray:
    """Inner bin edges at the reference's quantiles ``1/bins … (bins-1)/bins``.

    The outer bins are open (``(-inf, e1]`` and ``(e_last, +inf)``), so current values
    outside the reference's range still land in a bin. Repeated edges (heavy ties)
    collapse, so a feature with few distinct values gets fewer, non-empty bins.

    Args:
        reference: The reference values (finite).
        bins: The wanted number of bins.

    Returns:
        The sorted, unique inner edges (``len <= bins - 1``).
    """
    if bins < 2:
        raise ValueError(f"bins must be at least 2, got {bins}")
    probabilities = np.arange(1, bins) / bins
    edges: FloatArray = np.unique(np.quantile(reference, probabilities))
    return edges


def bin_counts(values: FloatArray, edges: FloatArray) -> npt.NDArray[np.int64]:
    """Counts of ``values`` in the open-ended bins defined by inner ``edges``.

    Bin ``i`` holds ``edges[i-1] < v <= edges[i]``; the first and last bins are open.
    """
    index = np.searchsorted(edges, values, side="left")
    counts: npt.NDArray[np.int64] = np.bincount(index, minlength=len(edges) + 1).astype(np.int64)
    return counts


def psi(reference_counts: npt.ArrayLike, current_counts: npt.ArrayLike) -> float:
    """Population stability index of two binned samples.

    ``PSI = sum((c_i - r_i) * ln(c_i / r_i))`` over bin proportions, each computed with
    :data:`PSI_PSEUDO_COUNT` added to every bin so empty bins stay finite.

    Args:
        reference_counts: Reference counts per bin.
        current_counts: Current counts per bin (same bins).

    Returns:
        The PSI, ``>= 0``.
    """
    ref = np.asarray(reference_counts, dtype=np.float64) + PSI_PSEUDO_COUNT
    cur = np.asarray(current_counts, dtype=np.float64) + PSI_PSEUDO_COUNT
    if ref.shape != cur.shape:
        raise ValueError(f"bin counts differ in shape: {ref.shape} vs {cur.shape}")
    ref /= ref.sum()
    cur /= cur.sum()
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def psi_floor(bins: int, n_reference: int, n_current: int, alpha: float) -> float:
    """The ``1 - alpha`` quantile of PSI under "no drift" at these sample sizes.

    Args:
        bins: Number of bins (degrees of freedom + 1).
        n_reference: Reference sample size.
        n_current: Current sample size.
        alpha: Significance level.
    """
    return float(stats.chi2.ppf(1 - alpha, max(bins - 1, 1)) * (1 / n_reference + 1 / n_current))


def ks_test(reference: FloatArray, current: FloatArray) -> tuple[float, float]:
    """Two-sample Kolmogorov–Smirnov statistic and p-value (``scipy.stats.ks_2samp``).

    Returns:
        ``(D, p_value)``.
    """
    result = stats.ks_2samp(reference, current, alternative="two-sided", method="auto")
    return float(result.statistic), float(result.pvalue)


def ks_statistic(reference_sorted: FloatArray, current: FloatArray) -> float:
    """The Kolmogorov–Smirnov distance ``D`` alone (no p-value), from a sorted reference.

    Equals ``ks_2samp(...).statistic``; two binary searches instead of SciPy's exact
    p-value, which costs tens of milliseconds at 10,000 reference values.
    """
    current_sorted = np.sort(current)
    pooled = np.concatenate([reference_sorted, current_sorted])
    cdf_reference = np.searchsorted(reference_sorted, pooled, side="right") / len(reference_sorted)
    cdf_current = np.searchsorted(current_sorted, pooled, side="right") / len(current_sorted)
    return float(np.max(np.abs(cdf_reference - cdf_current)))


def wasserstein(reference: FloatArray, current: FloatArray, scale: float) -> float:
    """Earth mover's distance divided by the reference's spread.

    Args:
        reference: Reference values.
        current: Current values.
        scale: The reference's standard deviation; ``0`` (a constant feature) is
            replaced by ``1`` so the distance stays in the feature's own unit.

    Returns:
        ``wasserstein_distance(reference, current) / scale``: "how many reference
        standard deviations the distribution moved".
    """
    distance = float(stats.wasserstein_distance(reference, current))
    return distance / (scale if scale > 0 else 1.0)


def chi_square(
    reference_counts: npt.ArrayLike,
    current_counts: npt.ArrayLike,
    *,
    permutations: int = 2000,
    seed: int = 0,
    u: float | None = None,
) -> tuple[float, float]:
    """Pearson chi-square test of homogeneity on the 2×K table of category counts.

    Categories empty in both samples are dropped. The statistic equals
    ``scipy.stats.chi2_contingency(table).statistic`` (Yates' correction included when
    only two categories remain, as SciPy does). When an expected count is below 5 the
    asymptotic p-value is unreliable, so the p-value comes from ``permutations`` tables
    drawn with the same margins (multivariate hypergeometric), which is exact in
    expectation at any sample size. Small tables have few possible statistics; tables
    tying with the observed one count fully (conservative) unless ``u`` is given, then
    with weight ``u`` (uniform random ``u``: an exactly uniform p-value).

    Returns:
        ``(statistic, p_value)``; ``(0.0, 1.0)`` when fewer than two categories occur.
    """
    table = np.vstack(
        [np.asarray(reference_counts, dtype=np.int64), np.asarray(current_counts, dtype=np.int64)]
    )
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 0.0, 1.0
    result = stats.chi2_contingency(table)
    statistic, p_value = float(result.statistic), float(result.pvalue)
    if result.expected_freq.min() >= 5:
        return statistic, p_value
    column_totals = table.sum(axis=0)
    rng = np.random.default_rng(seed)
    simulated = rng.multivariate_hypergeometric(
        column_totals, int(table[1].sum()), size=permutations
    )
    null = _pearson_rows(column_totals, simulated, int(table[0].sum()))
    observed = _pearson_rows(column_totals, table[1][None, :], int(table[0].sum()))[0]
    tolerance = 1e-9 * max(observed, 1.0)
    above = int(np.count_nonzero(null > observed + tolerance))
    ties = int(np.count_nonzero(np.abs(null - observed) <= tolerance))
    weight = 1.0 if u is None else u
    return statistic, (above + weight * (ties + 1)) / (1 + permutations)


def category_shift_test(
    reference_counts: npt.ArrayLike,
    current_counts: npt.ArrayLike,
    *,
    draws: int | None = None,
    seed: int | Sequence[int] = 0,
) -> tuple[float, float, float]:
    """The largest standardised residual of one category, and the joint p-value of it
    and the Pearson chi-square, both on one sample of tables with the observed margins.

    A chi-square spreads its power over every category: when one category's share moves
    (one language of nine, one model of many), a test of the most deviant category alone
    sees it sooner. The residual of category ``k`` is its current count minus its
    expectation given the pooled count, over its hypergeometric standard deviation; the
    statistic is the largest in absolute value. ``draws`` tables are drawn from the
    multivariate hypergeometric law of the margins (the exact conditional null); each
    statistic's p-value is its rank in the pool of the observed and drawn tables, and
    the returned p-value ranks the observed table's smaller p-value among every table's
    (ties in any statistic ordered by one seeded random key per table), so it is exactly
    uniform when nothing changed, whatever the table's size. By default 9,999 tables,
    fewer with many categories (the sampling costs about 0.3 µs per category and table):
    ``200,000 / K``, at least 999.

    Returns:
        ``(largest absolute residual, its p-value, joint p-value)``; ``(0.0, 1.0, 1.0)``
        when fewer than two categories occur.
    """
    table = np.vstack(
        [np.asarray(reference_counts, dtype=np.int64), np.asarray(current_counts, dtype=np.int64)]
    )
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 0.0, 1.0, 1.0
    column_totals = table.sum(axis=0)
    n, m = int(table[0].sum()), int(table[1].sum())
    if draws is None:
        draws = max(999, min(9_999, 200_000 // table.shape[1]))
    rng = np.random.default_rng(seed)
    pool = np.vstack(
        [table[1][None, :], rng.multivariate_hypergeometric(column_totals, m, size=draws)]
    )
    total = n + m
    share = column_totals / total
    spread = np.sqrt(m * share * (1 - share) * n / max(total - 1, 1))
    residuals = np.abs(pool - m * share) / np.where(spread > 0, spread, np.inf)
    largest = residuals.max(axis=1)
    key = rng.random(len(pool))
    p_values = np.column_stack(
        [exceedance(_pearson_rows(column_totals, pool, n), key), exceedance(largest, key)]
    )
    joint = exceedance(-p_values.min(axis=1), key)
    return float(largest[0]), float(p_values[0, 1]), float(joint[0])


def exceedance(extremeness: FloatArray, key: FloatArray) -> FloatArray:
    """For every row of a pool of exchangeable statistics, the share of rows at least as
    extreme (larger is more extreme), equal values ordered by ``key``: the permutation
    p-value, exactly uniform on its grid for the observed row (row 0) when nothing
    changed."""
    size = len(extremeness)
    position = np.empty(size, dtype=np.float64)
    position[np.lexsort((key, extremeness))] = np.arange(size)
    out: FloatArray = (size - position) / size
    return out


def _pearson_rows(
    column_totals: npt.NDArray[np.int64], current: npt.NDArray[np.int64], n_reference: int
) -> FloatArray:
    """Uncorrected Pearson statistic of 2×K tables given their current rows."""
    n_current = int(current[0].sum())
    total = n_reference + n_current
    expected_current = column_totals * (n_current / total)
    expected_reference = column_totals * (n_reference / total)
    reference = column_totals[None, :] - current
    statistic: FloatArray = ((current - expected_current) ** 2 / expected_current).sum(axis=1) + (
        (reference - expected_reference) ** 2 / expected_reference
    ).sum(axis=1)
    return statistic


def jensen_shannon(reference_counts: npt.ArrayLike, current_counts: npt.ArrayLike) -> float:
    """Jensen–Shannon *distance* (base 2, in ``[0, 1]``) of two count vectors.

    Equals ``scipy.spatial.distance.jensenshannon(p, q, base=2)``.
    """
    p = np.asarray(reference_counts, dtype=np.float64)
    q = np.asarray(current_counts, dtype=np.float64)
    p = p / p.sum()
    q = q / q.sum()
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_p = np.where(p > 0, p * np.log2(p / m), 0.0).sum()
        kl_q = np.where(q > 0, q * np.log2(q / m), 0.0).sum()
    return float(math.sqrt(max((kl_p + kl_q) / 2, 0.0)))


def js_floor(categories: int, n_reference: int, n_current: int, alpha: float) -> float:
    """The ``1 - alpha`` quantile of the JS distance (base 2) under "no drift"."""
    chi2 = stats.chi2.ppf(1 - alpha, max(categories - 1, 1))
    divergence_nats = chi2 * (1 / n_reference + 1 / n_current) / 8
    return float(math.sqrt(divergence_nats / math.log(2)))


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (``scipy.stats.false_discovery_control``).

    Rejecting every hypothesis whose adjusted p-value is below ``alpha`` controls the
    false discovery rate at ``alpha``; when no feature drifted, that is the probability
    of any false alarm at all.
    """
    if not p_values:
        return []
    ps = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(ps)
    n = len(ps)
    scaled = ps[order] * n / np.arange(1, n + 1)
    adjusted_sorted = np.minimum.accumulate(scaled[::-1])[::-1]
    adjusted = np.empty(n)
    adjusted[order] = np.minimum(adjusted_sorted, 1.0)
    return [float(v) for v in adjusted]


def cauchy_combination(p_values: Sequence[float]) -> tuple[float, float]:
    """Cauchy combination (ACAT) of p-values of tests on the same data.

    ``T = mean(tan((0.5 - p_i) * pi))`` is standard Cauchy when every p-value is uniform,
    whatever their dependence in the tail (Liu & Xie 2020), so ``p = 0.5 - arctan(T)/pi``
    is a valid combined p-value. Unlike Bonferroni it does not multiply the smallest
    p-value by the number of tests, and when several tests agree it gets smaller than
    any of them.

    Returns:
        ``(T, combined_p)``.
    """
    if not p_values:
        raise ValueError("no p-values to combine")
    ps = np.clip(np.asarray(p_values, dtype=np.float64), 1e-300, 1 - 1e-15)
    # For tiny p, tan((0.5 - p) pi) = 1/(p pi) to double precision and does not overflow.
    terms = np.where(ps < 1e-15, 1.0 / (ps * math.pi), np.tan((0.5 - ps) * math.pi))
    statistic = float(terms.mean())
    if statistic > 1e15:
        return statistic, float(min(1.0, 1.0 / (statistic * math.pi)))
    return statistic, float(min(1.0, max(0.0, 0.5 - math.atan(statistic) / math.pi)))


def cauchy_statistic(p_values: FloatArray) -> FloatArray:
    """Row-wise Cauchy combination statistic ``mean(tan((0.5 − p)·π))``, p capped at 0.5.

    Uncapped, one p-value of 1 (an exact test whose count equals its expectation)
    contributes ``tan(−π/2) ≈ −10¹⁴`` and cancels any evidence from the other tests;
    capped, a test without evidence contributes 0. The cap changes the statistic's null,
    which is why the combination is calibrated by simulation or permutation, not by the
    Cauchy law (the scalar rank battery, the embedding families).
    """
    ps = np.clip(p_values, 1e-300, 0.5)
    terms = np.where(ps < 1e-15, 1.0 / (ps * math.pi), np.tan((0.5 - ps) * math.pi))
    statistic: FloatArray = terms.mean(axis=1)
    return statistic


def hypergeometric_test(
    total: int, marked: int, drawn: int, observed: int, *, u: float = 0.5
) -> float:
    """Two-sided p-value of drawing ``observed`` marked rows among ``drawn`` of ``total``.

    The exact conditional test of a 2×2 table (Fisher's). Per side
    ``P(X < x) + u·P(X = x)`` (and ``P(X > x) + (1 − u)·P(X = x)``), the smaller doubled.
    With ``u = 0.5`` that is the mid-p. With ``u`` drawn uniformly (the monitor draws it,
    seeded) it is the randomised exact test, whose p-value is exactly uniform when
    nothing changed: Fisher's plain p-value is far below ``alpha`` at small counts (a
    rate of 4% in 50 rows has only a few possible outcomes), and the mid-p is only
    close to ``alpha`` on average (at 2% of 200 rows against 10,000, ``P(p <= 0.02)`` is
    2.4%, ``P(p <= 0.05)`` 3.6%).
    """
    distribution = stats.hypergeom(total, marked, drawn)
    point = float(distribution.pmf(observed))
    lower = float(distribution.cdf(observed)) - (1.0 - u) * point
    upper = float(distribution.sf(observed)) + (1.0 - u) * point
    return float(min(1.0, max(0.0, 2 * min(lower, upper))))


def rate_test(
    reference_counts: npt.ArrayLike, current_counts: npt.ArrayLike, *, u: float = 0.5
) -> tuple[float, float]:
    """Exact test of one rate (a two-valued feature: refusal flag, error flag).

    Args:
        reference_counts: ``(rows without, rows with)`` the flag in the reference.
        current_counts: The same in the current window.
        u: Weight of the observed count's own probability (0.5: the mid-p; uniform
            random: the randomised exact test), see :func:`hypergeometric_test`.

    Returns:
        ``(current rate − reference rate, two-sided p-value)``.
    """
    ref = np.asarray(reference_counts, dtype=np.int64)
    cur = np.asarray(current_counts, dtype=np.int64)
    n, m = int(ref.sum()), int(cur.sum())
    difference = float(cur[1] / m - ref[1] / n)
    return difference, hypergeometric_test(n + m, int(ref[1] + cur[1]), m, int(cur[1]), u=u)
