"""The scalar test battery on pooled ranks, with an exact Monte Carlo null per (m, n).

Ties in the pooled sample are broken at random (seeded), so when nothing drifted the
current window's ranks are a uniformly random ``m``-subset of ``1 … m + n`` whatever
the feature's distribution (rounded, zero-inflated, heavy-tailed). Every statistic of
the battery, and any combination of them, is then *distribution-free*: its null
depends only on ``(m, n)``. The battery's combined p-value is therefore not taken from
an approximation (the Cauchy combination's own p-value measured 6–7 % at
``alpha = 0.05`` on continuous features) but calibrated by simulating ``draws`` random
rank arrangements for that ``(m, n)`` once (cached, seeded), and ranking the observed
combined statistic among them. With the observed arrangement counted in the pool, the
p-value ``#{pool >= observed} / (draws + 1)`` is exactly valid at any window size.

Every statistic is computed from the ``m`` current ranks alone, in closed form (see
:func:`_battery`), so an arrangement costs O(m), not O(m + n): the null of a 200-row
window against 10,000 reference rows (19,999 arrangements) takes about 0.3 s of CPU.
The null is one fixed sample per ``(m, n)``, shared by every check of that size, so its
own sampling error (about ±0.15 points at 5 %, ±0.07 at 1 %) is that size's error.

The battery (each test's own p-value is an approximation used only to put the tests on
one scale before they are combined; the combined p-value is exact):

* ``mann_whitney`` (location; value ``P(current > reference)``, 0.5 = none);
* ``klotz`` (scale: Klotz's normal scores, the square of the normal quantile of each
  rank's position, ``Φ⁻¹(r / (N + 1))²``; value = current's mean score over its null
  mean, 1 = none). The locally most powerful rank test of a change of scale of a
  normal law (Mood's squared rank distances from the middle, used before, reach 76% of
  its asymptotic efficiency there): it weighs the extreme ranks, where a wider spread
  shows, more than the middle ones;
* ``cvm`` (Cramér–von Mises: any change of shape);
* ``anderson`` (Anderson–Darling, two-sample, on ranks: shape, weighted to the tails);
* ``tail_upper`` / ``tail_lower`` (share of the current rows among the pooled top /
  bottom 0.1 %, 0.2 %, 0.5 %, 1 %, 5 % and 10 %, each against its exact hypergeometric
  null, mid-p; the smallest of the six, times six; value = the current's share at the
  most significant level over that level, 1 = none). The levels below 1 % see a heavier
  tail that moves a few percent of the rows far out without changing the shares at 1 %
  and above much.

Beside the battery, one test of magnitudes, which no rank statistic can see: ``excess``,
the current rows' total distance above the pooled 90 % quantile (a heavier tail that
sends a few percent of the rows far out moves few ranks but a lot of excess). The
feature's p-value is the smaller of the battery's and the excess test's p-value, ranked
among a second seeded sample of random arrangements per window size (cached like the
null; see :func:`_joint_with_excess`), so it is exact too. The smaller of two p-values
costs up to Bonferroni's factor 2 where only one of them sees a change.
"""

from __future__ import annotations

import functools
import math
from collections import OrderedDict
from collections.abc import Callable, Iterator
from threading import Lock
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from scipy import stats

from glassbox.drift._stats import cauchy_statistic

__all__ = [
    "EXCESS_TEST",
    "MIN_NULL_DRAWS",
    "NULL_DRAWS",
    "TAIL_SHARES",
    "TEST_NAMES",
    "null_cache_clear",
    "rank_battery",
]

FloatArray = npt.NDArray[np.float64]

#: Simulated rank arrangements per ``(m, n)``; the smallest possible p-value is
#: ``1 / (NULL_DRAWS + 1)``.
NULL_DRAWS = 19_999

#: Fewest simulated arrangements, however large the window.
MIN_NULL_DRAWS = 1999

#: Current rows beyond this are subsampled (seeded) before ranking: the simulated null
#: costs ``draws × m``, and at such sizes every test here is near-certain to see any
#: change that matters anyway.
MAX_CURRENT_ROWS = 10_000

#: Cap of ``draws × m``: larger windows get fewer draws (never fewer than 1,999).
_MAX_NULL_CELLS = 40_000_000

#: Name of the magnitude test (beside :data:`TEST_NAMES`, which are rank tests).
EXCESS_TEST = "excess"

#: The excess test counts how far current values lie above the pooled quantile
#: ``1 − EXCESS_SHARE`` (the top 10 %).
EXCESS_SHARE = 0.10

#: Pooled tail shares of the tail tests (a 1-2-5 series from 0.1 % to 10 %).
TAIL_SHARES = (0.001, 0.002, 0.005, 0.01, 0.05, 0.10)

#: The battery's tests, in the order of :func:`rank_battery`'s result.
TEST_NAMES = ("mann_whitney", "klotz", "cvm", "anderson", "tail_upper", "tail_lower")

# Asymptotic null mean and variance of the two-sample CvM ``T`` and Anderson–Darling
# ``A²`` statistics; a scaled chi-square with these two moments (Satterthwaite) puts
# them on the p-value scale. Only a monotone transform: exactness comes from the
# Monte Carlo calibration of the combination.
_CVM_MOMENTS = (1 / 6, 1 / 45)
_AD_MOMENTS = (1.0, 2 * (math.pi**2 - 9) / 3)

_CACHE_SIZE = 64
_cache: OrderedDict[tuple[int, int, int], FloatArray] = OrderedDict()
_cache_lock = Lock()

# Current ranks per chunk when simulating the null (bounds memory at ~50 MB).
_CHUNK_CELLS = 400_000


def null_cache_clear() -> None:
    """Forget every cached null (tests and benchmarks measure a cold start with it)."""
    with _cache_lock:
        _cache.clear()
        _joint_cache.clear()


def rank_battery(
    reference: FloatArray, current: FloatArray, *, seed: int = 0, draws: int = NULL_DRAWS
) -> tuple[list[tuple[str, float, float]], float, float]:
    """Run the battery and calibrate its combination by the exact ``(m, n)`` null.

    Args:
        reference: Reference values (finite).
        current: Current values (finite).
        seed: Seed of the random tie-breaking.
        draws: Simulated null arrangements (cached per ``(m, n, draws)``); fewer when
            ``draws × m`` would exceed 40 million.

    Returns:
        ``(tests, combined_statistic, combined_p)``: ``(name, value, p_value)`` per test
        (the rank tests' p-values approximate; the last, ``excess``, exact), the Cauchy
        combination ``T`` of the rank tests' p-values, and the feature's exact Monte Carlo
        p-value: the smaller of ``T``'s and the excess test's, calibrated jointly.

    Raises:
        ValueError: ``reference`` or ``current`` is empty.
    """
    if len(current) > MAX_CURRENT_ROWS:
        pick = np.random.default_rng([seed, len(current)]).choice(
            len(current), MAX_CURRENT_ROWS, replace=False
        )
        current = current[pick]
    n, m = len(reference), len(current)
    if n == 0 or m == 0:
        raise ValueError(
            f"rank_battery needs at least one reference and one current value, got "
            f"{n} and {m}; check the window before testing it"
        )
    total = n + m
    draws = min(draws, max(MIN_NULL_DRAWS, _MAX_NULL_CELLS // m))
    pooled = np.concatenate([reference, current])
    order = np.lexsort((np.random.default_rng(seed).random(total), pooled))
    # Pooled ranks (1-based, ascending) that hold a current row.
    positions = (np.flatnonzero(order >= n) + 1).astype(np.float64)[None, :]
    values, p_values = _battery(positions, m, n)
    observed = cauchy_statistic(p_values)[0]
    null = _null(m, n, draws)
    # Ties in the joint calibration (an atom at T = 0 when every test has p >= 0.5,
    # discrete counts at small windows) are broken at random with U, so the p-value is
    # uniform, not merely valid: #{sample < S} + U·(#{sample = S} + 1), over draws + 1.
    u = float(np.random.default_rng([seed, m, n]).random())
    excess, excess_p, combined_p = _joint_with_excess(
        pooled[order], positions, observed, null, m, n, u
    )
    tests = [
        (name, float(values[0, i]), float(p_values[0, i])) for i, name in enumerate(TEST_NAMES)
    ]
    tests.append((EXCESS_TEST, excess, excess_p))
    return tests, float(observed), combined_p


def _joint_with_excess(
    ranked: FloatArray,
    positions: FloatArray,
    observed: float,
    null: FloatArray,
    m: int,
    n: int,
    u: float,
) -> tuple[float, float, float]:
    """The excess test, and the feature's p-value: the battery's and the excess test's
    smaller p-value, calibrated on one set of random arrangements.

    ``ranked`` holds the pooled values in rank order. The excess of a value is how far it
    lies above the pooled ``1 − EXCESS_SHARE`` quantile (0 below it); the statistic is
    the current rows' total excess. It depends on the values, not only on their ranks,
    so its null cannot be simulated once per window size like the battery's. What can
    is everything else (:func:`_joint_null`, cached): ``draws`` random arrangements
    (independent of the data; one seeded sample per window size, as many as the rank
    null's and shared by its checks like it, so its sampling error — about ±0.15
    points at 5 % and ±0.07 at 1 % — is that size's), each one's battery p-value (from the
    cached null: one fixed function of the arrangement) and which of its ranks fall in
    the pooled top region. Per check only the excess totals are summed: the observed and
    each sampled arrangement's, each over its own ranks in ascending order (one function
    for all). Its excess p-value is its rank among those totals; the smaller of its two
    p-values is ranked among the sampled arrangements' (ties at random, ``u``). Every
    arrangement, the observed one included, is exchangeable when nothing drifted, so
    the p-value is exact over the draw of that sample. The second test costs what the
    two tests' dependence leaves: a factor near 2 on a p-value near 0 when they are
    nearly independent (Bonferroni's), less where they see the same change.

    Returns ``(value, excess_p, combined_p)``: the current's total excess over its
    permutation mean (1 = none; 1 when nothing lies above the threshold), the excess
    test's own p-value (exact, in the pool) and the combined p-value.
    """
    total = m + n
    top = _top_region(total)
    joint = _joint_null(m, n, len(null))
    scores = np.zeros(top)
    if top < total:
        threshold = ranked[total - top - 1]
        # In units of the largest magnitude involved, so that values near the float
        # limits cannot overflow (a positive scale changes no p-value).
        scale = max(abs(threshold), abs(ranked[-1]))
        if scale > 0:
            scores = ranked[total - top :] / scale - threshold / scale
    inside = _top_offsets(positions[0], total, top)[1].astype(np.intp)
    # Each arrangement's total over its own ranks, in ascending order, by one reduction
    # (the same function for the observed and every sampled arrangement).
    excess = np.concatenate([_segment_sums(scores[inside], np.array([len(inside)])),
                             _segment_sums(scores[joint.ranks], joint.counts)])  # fmt: skip
    battery_p = np.concatenate([[_battery_p(null, observed)], joint.battery_p])
    pool = np.sort(excess)
    excess_p = (len(pool) - np.searchsorted(pool, excess, side="left")) / len(pool)
    smallest = np.minimum(battery_p, excess_p)
    below = int(np.count_nonzero(smallest[1:] < smallest[0]))
    ties = int(np.count_nonzero(smallest[1:] == smallest[0]))
    combined_p = (below + u * (ties + 1)) / (len(joint.battery_p) + 1)
    expected = m * float(scores.sum()) / total
    value = float(excess[0] / expected) if expected > 0 else 1.0
    return value, float(excess_p[0]), float(combined_p)


def _segment_sums(values: FloatArray, counts: npt.NDArray[np.intp]) -> FloatArray:
    """Sums of consecutive segments of ``values`` of lengths ``counts`` (0 if empty)."""
    starts = np.concatenate([[0], np.cumsum(counts[:-1])])
    # A trailing 0 keeps an empty last segment's start inside the array; reduceat gives
    # an empty segment the value at its start, so those are set to 0 after.
    sums: FloatArray = np.add.reduceat(np.append(values, 0.0), starts)
    sums[counts == 0] = 0.0
    return sums


def _top_region(total: int) -> int:
    """Pooled ranks whose values count towards the excess (the top ``EXCESS_SHARE``)."""
    return max(1, math.ceil(EXCESS_SHARE * total))


def _top_offsets(
    positions: FloatArray, total: int, top: int
) -> tuple[npt.NDArray[np.bool_], FloatArray]:
    """Which of ``positions`` (1-based pooled ranks) fall in the top ``top`` ranks, and
    their offsets into that region (0 = its lowest rank), row after row."""
    inside = positions > total - top
    return inside, positions[inside] - (total - top + 1)


def _battery_p(null: FloatArray, statistic: FloatArray | float) -> FloatArray:
    """``(#{null >= T} + 1) / (draws + 1)``: the battery's p-value as a fixed function of
    ``T`` (no random tie-break: the joint calibration breaks ties once, at the end)."""
    at_least = len(null) - np.searchsorted(null, statistic, side="left")
    result: FloatArray = (at_least + 1.0) / (len(null) + 1)
    return result


class _JointNull:
    """Random arrangements for :func:`_joint_with_excess`, without their data.

    ``battery_p[b]`` is arrangement ``b``'s battery p-value; ``ranks`` holds, arrangement
    after arrangement, the offsets into the pooled top region of its ranks that fall
    there (ascending), ``counts[b]`` how many are arrangement ``b``'s. About
    ``EXCESS_SHARE · m · draws`` offsets, two bytes each while the region is under
    65,536 ranks.
    """

    __slots__ = ("battery_p", "counts", "ranks")

    def __init__(
        self, battery_p: FloatArray, ranks: npt.NDArray[Any], counts: npt.NDArray[np.intp]
    ) -> None:
        self.battery_p = battery_p
        self.ranks = ranks
        self.counts = counts


#: Joint nulls kept (each at most ~8 MB: four million top-region offsets).
_JOINT_CACHE_SIZE = 16
_joint_cache: OrderedDict[tuple[int, int, int], _JointNull] = OrderedDict()


def _joint_null(m: int, n: int, null_draws: int) -> _JointNull:
    """The data-independent part of the joint calibration (cached and seeded per size)."""
    return _cached(_joint_cache, (m, n, null_draws), _JOINT_CACHE_SIZE, _build_joint_null)


def _build_joint_null(m: int, n: int, null_draws: int) -> _JointNull:
    total = m + n
    top = _top_region(total)
    offset_type = np.uint16 if top <= 1 << 16 else np.int32
    null = _null(m, n, null_draws)
    draws = len(null)  # as many as the rank null: the same sampling error
    rng = np.random.default_rng([0x6A6F696E, m, n, null_draws])
    battery_p = np.empty(draws)
    counts = np.empty(draws, dtype=np.intp)
    ranks: list[npt.NDArray[Any]] = []
    for rows, positions, statistics in _sampled_batteries(rng, draws, m, n):
        battery_p[rows] = _battery_p(null, statistics)
        inside, offsets = _top_offsets(positions, total, top)
        counts[rows] = np.count_nonzero(inside, axis=1)
        ranks.append(offsets.astype(offset_type))
    return _JointNull(battery_p, np.concatenate(ranks), counts)


_Key = tuple[int, int, int]
_Value = TypeVar("_Value")


def _cached(
    cache: OrderedDict[_Key, _Value],
    key: _Key,
    size: int,
    build: Callable[[int, int, int], _Value],
) -> _Value:
    """``cache[key]``, built by ``build(*key)`` on a miss; the ``size`` most recent kept.

    The lock is not held while building (seconds at large windows): two threads that
    miss together both build the same seeded value, and one copy is kept.
    """
    with _cache_lock:
        cached = cache.get(key)
        if cached is not None:
            cache.move_to_end(key)
            return cached
    value = build(*key)
    with _cache_lock:
        cache[key] = value
        while len(cache) > size:
            cache.popitem(last=False)
    return value


def _null(m: int, n: int, draws: int) -> FloatArray:
    """Combined statistics of ``draws`` uniformly random arrangements (cached, seeded)."""
    return _cached(_cache, (m, n, draws), _CACHE_SIZE, _build_null)


def _build_null(m: int, n: int, draws: int) -> FloatArray:
    rng = np.random.default_rng([0x6C617373, m, n, draws])
    out = np.empty(draws, dtype=np.float64)
    for rows, _, statistics in _sampled_batteries(rng, draws, m, n):
        out[rows] = statistics
    out.sort()
    return out


def _sampled_batteries(
    rng: np.random.Generator, draws: int, m: int, n: int
) -> Iterator[tuple[slice, FloatArray, FloatArray]]:
    """``draws`` random arrangements in chunks (bounded memory): per chunk, its rows,
    the arrangements' current ranks and their battery's Cauchy statistics."""
    chunk = max(1, _CHUNK_CELLS // m)
    for start in range(0, draws, chunk):
        size = min(chunk, draws - start)
        positions = _random_positions(rng, size, m, m + n)
        yield slice(start, start + size), positions, cauchy_statistic(_battery(positions, m, n)[1])


def _random_positions(rng: np.random.Generator, rows: int, m: int, total: int) -> FloatArray:
    """``rows`` uniformly random ``m``-subsets of ``1 … total``, each sorted ascending.

    Small subsets are drawn with replacement and kept when free of repeats (exactly
    uniform, vectorised; accepted with probability ≈ ``exp(−m²/2·total)``); larger ones
    one subset at a time (Floyd's method inside numpy, O(m) each).
    """
    out = np.empty((rows, m), dtype=np.float64)
    accept = math.exp(-m * (m - 1) / (2 * total))
    filled = 0
    if accept > 0.3:
        while filled < rows:
            want = rows - filled
            batch = np.sort(rng.integers(1, total + 1, (int(want / accept * 1.1) + 4, m)), axis=1)
            distinct = batch[(np.diff(batch, axis=1) > 0).all(axis=1)][:want]
            out[filled : filled + len(distinct)] = distinct
            filled += len(distinct)
        return out
    for row in range(rows):
        out[row] = rng.choice(total, m, replace=False, shuffle=False)
    out.sort(axis=1)
    out += 1.0
    return out


@functools.lru_cache(maxsize=64)
def _ad_weights(total: int) -> tuple[FloatArray, FloatArray, float, float, float]:
    """Prefix sums of the Anderson–Darling weight ``w_k = 1 / (k (total − k))``.

    Returns ``(G0, G1, S0, S1, S2)``: ``G0[p]`` and ``G1[p]`` are the sums over
    ``1 <= k < p`` of ``w_k`` and ``k·w_k``; ``S0``, ``S1``, ``S2`` the sums over every
    ``k = 1 … total − 1`` of ``w_k``, ``k·w_k``, ``k²·w_k``.
    """
    k = np.arange(1, total, dtype=np.float64)
    w = 1.0 / (k * (total - k))
    g0 = np.concatenate([[0.0, 0.0], np.cumsum(w)])
    g1 = np.concatenate([[0.0, 0.0], np.cumsum(k * w)])
    return g0, g1, float(g0[-1]), float(g1[-1]), float(np.sum(k * k * w))


@functools.lru_cache(maxsize=16)
def _klotz_scores(total: int) -> tuple[FloatArray, float, float]:
    """Klotz's scores ``Φ⁻¹(r / (total + 1))²`` indexed by rank ``r = 1 … total`` (index
    0 unused), their mean and their sum of squared deviations from it."""
    body = stats.norm.ppf(np.arange(1, total + 1) / (total + 1.0)) ** 2
    scores: FloatArray = np.concatenate([[0.0], body])
    scores.setflags(write=False)
    mean = float(body.mean())
    return scores, mean, float(((body - mean) ** 2).sum())


def _battery(positions: FloatArray, m: int, n: int) -> tuple[FloatArray, FloatArray]:
    """Values and approximate p-values of every test, one row per arrangement.

    ``positions[b]`` are the pooled ranks (``1 … N``, ``N = m + n``, ascending) of the
    current rows in arrangement ``b``. Every statistic is a function of those ``m``
    ranks, computed in O(m) per arrangement, not O(N): CvM and Anderson–Darling are sums
    over all pooled ranks ``k`` of ``(N·C_k − m·k)² · weight_k`` with ``C_k`` the current
    rows among the first ``k``; writing ``C_k² = Σ_{j ≤ C_k} (2j − 1)`` and
    ``C_k = Σ_{j ≤ C_k} 1`` turns each sum over ``k`` into one over the current ranks
    ``p_j`` of weight sums from ``p_j`` to ``N`` (closed forms for CvM, prefix sums for
    Anderson–Darling).
    """
    total = m + n
    rows = len(positions)
    values = np.empty((rows, len(TEST_NAMES)))
    p_values = np.empty_like(values)
    odd = 2.0 * np.arange(1, m + 1) - 1.0  # 2j − 1 for the j-th current rank

    rank_sum = positions.sum(axis=1)
    square_sum = np.einsum("ij,ij->i", positions, positions)
    z_location = (rank_sum - m * (total + 1) / 2) / math.sqrt(n * m * (total + 1) / 12)
    values[:, 0] = (rank_sum - m * (m + 1) / 2) / (n * m)
    p_values[:, 0] = 2 * stats.norm.sf(np.abs(z_location))

    at = positions.astype(np.int64)
    scores, score_mean, score_variance = _klotz_scores(total)
    score_sum = scores[at].sum(axis=1)
    klotz_mean = m * score_mean
    klotz_sd = math.sqrt(m * n / (total * (total - 1.0)) * score_variance) if total > 1 else 0.0
    values[:, 1] = score_sum / klotz_mean if klotz_mean > 0 else 1.0
    if klotz_sd > 0:
        p_values[:, 1] = 2 * stats.norm.sf(np.abs((score_sum - klotz_mean) / klotz_sd))
    else:  # one pooled value: every arrangement has the same spread
        p_values[:, 1] = 1.0

    # CvM: Σ_k (N·C_k − m·k)² over k = 1 … N, with Σ_{k ≥ p} 1 = N + 1 − p and
    # Σ_{k ≥ p} k = (N(N + 1) − p(p − 1)) / 2.
    c_squared = (total + 1.0) * odd.sum() - positions @ odd
    c_times_k = (m * total * (total + 1.0) - square_sum + rank_sum) / 2
    k_squared = total * (total + 1.0) * (2 * total + 1) / 6
    cvm_sum = total * total * c_squared - 2.0 * total * m * c_times_k + float(m) * m * k_squared
    cvm = cvm_sum / (float(m) * n * total * total)

    # Anderson–Darling: the same over k = 1 … N − 1 weighted by 1 / (k (N − k)).
    g0, g1, s0, s1, s2 = _ad_weights(total)
    c_squared_w = s0 * odd.sum() - g0[at] @ odd
    c_times_k_w = m * s1 - g1[at].sum(axis=1)
    ad_sum = total * total * c_squared_w - 2.0 * total * m * c_times_k_w + float(m) * m * s2
    anderson = ad_sum / (float(m) * n)
    values[:, 2], values[:, 3] = cvm, anderson
    p_values[:, 2] = _scaled_chi2_sf(cvm, *_CVM_MOMENTS)
    p_values[:, 3] = _scaled_chi2_sf(anderson, *_AD_MOMENTS)

    for column, upper in ((4, True), (5, False)):
        best_p = np.full(rows, np.inf)
        best_ratio = np.ones(rows)
        for share in TAIL_SHARES:
            tail = max(1, round(share * total))
            inside = positions > total - tail if upper else positions <= tail
            hits = np.count_nonzero(inside, axis=1)
            p = _hypergeometric_mid_p(total, tail, m)[hits]
            better = p < best_p
            best_p = np.where(better, p, best_p)
            best_ratio = np.where(better, hits / (m * tail / total), best_ratio)
        values[:, column] = best_ratio
        p_values[:, column] = np.minimum(1.0, len(TAIL_SHARES) * best_p)
    return values, p_values


def _scaled_chi2_sf(statistic: FloatArray, mean: float, variance: float) -> FloatArray:
    scale = variance / (2 * mean)
    dof = 2 * mean * mean / variance
    result: FloatArray = stats.chi2.sf(statistic / scale, dof)
    return result


@functools.lru_cache(maxsize=256)
def _hypergeometric_mid_p(total: int, marked: int, drawn: int) -> FloatArray:
    """Two-sided mid-p of every possible count ``0 … drawn`` (a lookup table)."""
    counts = np.arange(drawn + 1)
    distribution = stats.hypergeom(total, marked, drawn)
    half = 0.5 * distribution.pmf(counts)
    lower = distribution.cdf(counts) - half
    upper = distribution.sf(counts) + half
    table: FloatArray = np.clip(2 * np.minimum(lower, upper), 0.0, 1.0)
    return table
