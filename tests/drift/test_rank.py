"""The scalar battery on pooled ranks and its exact (m, n) Monte Carlo null."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from glassbox.drift import _rank, _stats


def _battery(x: np.ndarray, y: np.ndarray, seed: int = 0) -> dict[str, tuple[float, float]]:
    tests, _, _ = _rank.rank_battery(x, y, seed=seed, draws=199)
    return {name: (value, p) for name, value, p in tests}


def test_battery_statistics_match_scipy_without_ties() -> None:
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=400), rng.normal(0.2, 1.5, size=120)
    got = _battery(x, y)
    u = stats.mannwhitneyu(y, x, use_continuity=False, method="asymptotic")
    assert got["mann_whitney"] == pytest.approx((u.statistic / (400 * 120), u.pvalue))
    # Klotz's test from its definition: normal scores of the pooled ranks, normal law.
    pooled_ranks = stats.rankdata(np.concatenate([x, y]))
    scores = stats.norm.ppf(pooled_ranks / 521) ** 2
    mean, variance = scores.mean(), scores.var() * 520 / 519
    observed = scores[400:].sum()
    z = (observed - 120 * mean) / math.sqrt(400 * 120 / 520 * variance)
    assert got["klotz"] == pytest.approx((observed / (120 * mean), 2 * stats.norm.sf(abs(z))))
    assert got["cvm"][0] == pytest.approx(stats.cramervonmises_2samp(x, y).statistic)
    # Pettitt's rank form of the two-sample Anderson–Darling statistic, term by term.
    pooled_is_y = np.r_[np.zeros(400), np.ones(120)][np.argsort(np.r_[x, y])]
    n, m, total = 400, 120, 520
    expected = sum(
        (total * pooled_is_y[:j].sum() - j * m) ** 2 / (j * (total - j)) for j in range(1, total)
    ) / (n * m)
    assert got["anderson"][0] == pytest.approx(expected)
    assert got["anderson"][1] < 0.01
    top = np.sort(np.r_[x, y])[-52:]  # 10% of 520 rows
    assert 0 < got["tail_upper"][1] < 1
    assert np.isin(y, top).sum() / 120 > 0.1  # the wider window crowds the upper tail


def test_combined_p_value_is_uniform_without_drift(assert_uniform) -> None:
    """The exact null: 200 null p-values pass a KS test of uniformity, on heavily tied
    data (rounded to one decimal) where SciPy's Cramér–von Mises false-alarms."""
    rng = np.random.default_rng(9)
    p_values, scipy_alarms = [], 0
    for seed in range(200):
        x = np.round(rng.normal(size=1000), 1)
        y = np.round(rng.normal(size=60), 1)
        p_values.append(_rank.rank_battery(x, y, seed=seed, draws=499)[2])
        scipy_alarms += stats.cramervonmises_2samp(x, y, method="asymptotic").pvalue < 0.05
    assert_uniform(p_values, ks=0.01)
    assert scipy_alarms > 100


def test_null_is_cached_per_window_size_and_seeded() -> None:
    _rank.null_cache_clear()
    first = _rank._null(40, 300, 99)
    assert _rank._null(40, 300, 99) is first
    _rank.null_cache_clear()
    np.testing.assert_array_equal(_rank._null(40, 300, 99), first)
    assert not np.array_equal(_rank._null(41, 300, 99), first)


def test_battery_sees_each_kind_of_change() -> None:
    rng = np.random.default_rng(11)
    reference = rng.lognormal(size=5000)
    changes = {
        "location": rng.lognormal(0.3, size=400),
        "spread": rng.lognormal(0, 1.4, size=400),
        "upper tail": np.where(
            rng.random(400) < 0.1, rng.lognormal(size=400) * 8, rng.lognormal(size=400)
        ),
    }
    # 1,999 draws: the feature's p-value is the smaller of two ranked among as many
    # arrangements, so its resolution near 0 is a few times 1 / (draws + 1).
    for kind, current in changes.items():
        _, _, p = _rank.rank_battery(reference, current, draws=1999)
        assert p < 0.01, kind
    _, _, p = _rank.rank_battery(reference, rng.lognormal(size=400), draws=1999)
    assert p > 0.01


def test_a_p_value_of_one_does_not_cancel_the_other_tests() -> None:
    # One uncapped tan(-pi/2) term would swamp any evidence; capped, it counts as none.
    p_values = np.array([[1e-6, 1.0, 1.0, 0.9, 1.0, 1.0]])
    assert _stats.cauchy_statistic(p_values)[0] > 1e4


def _dense_statistics(positions: np.ndarray, m: int, n: int) -> dict[str, float]:
    """The battery's statistics from their definitions, summing over every pooled rank."""
    total = m + n
    is_current = np.zeros(total)
    is_current[positions - 1] = 1.0
    k = np.arange(1, total + 1, dtype=np.float64)
    gap = np.cumsum(is_current) * total - m * k
    klotz = stats.norm.ppf(k / (total + 1)) ** 2
    out = {
        "mann_whitney": (positions.sum() - m * (m + 1) / 2) / (n * m),
        "klotz": float(klotz[positions - 1].sum() / (m * klotz.mean())) if total > 1 else 1.0,
        "cvm": (gap**2).sum() / (m * n * total * total),
        "anderson": (gap[:-1] ** 2 / (k[:-1] * (total - k[:-1]))).sum() / (m * n),
    }
    return out


@settings(max_examples=150, deadline=None)
@given(
    m=st.integers(1, 60),
    n=st.integers(1, 400),
    seed=st.integers(0, 2**32 - 1),
    shape=st.sampled_from(["random", "lowest", "highest", "ends", "middle"]),
)
def test_rank_statistics_equal_their_definitions(m: int, n: int, seed: int, shape: str) -> None:
    """The O(m) closed forms agree with the O(m + n) sums over every pooled rank,
    for any arrangement, extreme ones included."""
    total = m + n
    if shape == "random":
        chosen = np.random.default_rng(seed).choice(total, m, replace=False) + 1
    elif shape == "lowest":
        chosen = np.arange(1, m + 1)
    elif shape == "highest":
        chosen = np.arange(n + 1, total + 1)
    elif shape == "ends":
        chosen = np.r_[np.arange(1, m // 2 + 1), np.arange(total - (m - m // 2) + 1, total + 1)]
    else:
        chosen = np.arange(n // 2 + 1, n // 2 + m + 1)
    positions = np.sort(chosen).astype(np.float64)
    values, p_values = _rank._battery(positions[None, :], m, n)
    expected = _dense_statistics(positions.astype(np.int64), m, n)
    for i, name in enumerate(_rank.TEST_NAMES[:4]):
        assert values[0, i] == pytest.approx(expected[name], rel=1e-9, abs=1e-12), name
    assert np.all((p_values >= 0) & (p_values <= 1))


@pytest.mark.parametrize(("m", "total"), [(2, 6), (5, 7)])
def test_random_positions_are_uniform_subsets(m: int, total: int) -> None:
    """Both samplers (with-replacement rejection for small m, one subset at a time for
    large m) give every m-subset the same chance."""
    rng = np.random.default_rng(5)
    accept = math.exp(-m * (m - 1) / (2 * total))
    assert (accept > 0.3) == (m == 2)  # one case per sampler
    positions = _rank._random_positions(rng, 21_000, m, total)
    assert np.all(np.diff(positions, axis=1) > 0)
    assert positions.min() >= 1
    assert positions.max() <= total
    subsets = list(itertools.combinations(range(1, total + 1), m))
    index = {subset: i for i, subset in enumerate(subsets)}
    counts = np.bincount(
        [index[tuple(int(v) for v in row)] for row in positions], minlength=len(subsets)
    )
    assert stats.chisquare(counts).pvalue > 0.001


@pytest.mark.parametrize(("n", "m"), [(0, 5), (5, 0)])
def test_an_empty_sample_is_a_clear_error(n: int, m: int) -> None:
    with pytest.raises(ValueError, match="at least one reference and one current value"):
        _rank.rank_battery(np.arange(n, dtype=float), np.arange(m, dtype=float))


def test_a_few_rows_far_out_are_seen_by_the_deep_tail_levels() -> None:
    """Three rows of 200 beyond every reference value: a heavier tail that barely moves
    the shares at 1 % and above, which the levels below 1 % are there for."""
    rng = np.random.default_rng(5)
    reference = rng.lognormal(size=10_000)
    current = np.concatenate([rng.lognormal(size=197), reference.max() * np.array([2.0, 3.0, 5.0])])
    tests = _battery(reference, current)
    value, p = tests["tail_upper"]
    assert p < 0.01
    assert value > 10  # the window's share of the deepest tail, over that tail's share
    _, _, combined = _rank.rank_battery(reference, current, draws=1999)
    assert combined < 0.05


def test_combined_p_value_is_uniform_with_the_excess_test_on_heavy_tails(
    assert_uniform,
) -> None:
    """The excess test's null is drawn per check from the values themselves: on
    heavy-tailed, tied data (integer Pareto lengths, a few enormous) the joint p-value
    is still uniform, and so is the excess test's own."""
    rng = np.random.default_rng(19)
    combined, excess = [], []
    for seed in range(300):
        x = np.round(rng.pareto(1.1, 800) * 100)
        y = np.round(rng.pareto(1.1, 40) * 100)
        tests, _, p = _rank.rank_battery(x, y, seed=seed, draws=499)
        combined.append(p)
        excess.append({name: q for name, _, q in tests}[_rank.EXCESS_TEST])
    assert_uniform(combined, ks=0.01)
    # The excess p-value counts ties as at least as extreme (many windows have no row
    # above the threshold): valid, not uniform.
    assert sum(p < 0.05 for p in excess) <= stats.binom.ppf(0.999, 300, 0.05)


def _battery_alone_p(reference: np.ndarray, current: np.ndarray, seed: int) -> float:
    _, statistic, _ = _rank.rank_battery(reference, current, seed=seed)
    null = _rank._null(len(current), len(reference), _rank.NULL_DRAWS)
    return float((np.count_nonzero(null >= statistic) + 1) / (len(null) + 1))


def test_a_heavier_tail_is_found_by_the_excess_test_where_ranks_miss_it(latencies) -> None:
    """5% of 1,000 latencies get a heavy tail: they move few ranks (the slow mode is
    already up there) but add a lot of distance above the pooled top 10%."""
    hits_joint = hits_ranks = 0
    for seed in range(8):
        rng = np.random.default_rng([23, seed])
        reference, current = latencies(rng, 10_000, 0.0), latencies(rng, 1000, 0.05)
        tests, _, p = _rank.rank_battery(reference, current, seed=seed)
        value = next(v for name, v, _ in tests if name == _rank.EXCESS_TEST)
        assert value > 1  # more distance above the threshold than a random window's
        hits_joint += p < 0.02
        hits_ranks += _battery_alone_p(reference, current, seed) < 0.02
    assert hits_joint >= 6
    assert hits_ranks <= 4


def test_values_near_the_float_limits_do_not_overflow_the_excess_test() -> None:
    reference = np.linspace(-1.0, 1.0, 500) * 1e308
    current = np.r_[np.full(30, 1.7e308)]
    with np.errstate(all="raise"):
        tests, _, p = _rank.rank_battery(reference, current, draws=199)
    # Every current row above every reference row: the most extreme arrangement for every
    # test. With 199 draws the joint calibration's smallest p-values are a few of 1/200
    # (the arrangements that are themselves the most extreme of their sample tie with it).
    assert 0 < p <= 3 / 200
    assert all(math.isfinite(value) and 0 <= q <= 1 for _, value, q in tests)
