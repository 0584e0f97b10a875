"""Statistics against SciPy (or a worked example where SciPy has no counterpart)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from glassbox.drift import _stats


def test_quantile_edges_give_open_outer_bins() -> None:
    reference = np.arange(1.0, 101.0)
    edges = _stats.quantile_edges(reference, 4)
    np.testing.assert_allclose(edges, np.quantile(reference, [0.25, 0.5, 0.75]))
    counts = _stats.bin_counts(np.array([-1e9, 1.0, 50.0, 60.0, 1e9]), edges)
    assert counts.tolist() == [2, 1, 1, 1]
    assert _stats.bin_counts(reference, edges).tolist() == [25, 25, 25, 25]


def test_quantile_edges_collapse_ties() -> None:
    reference = np.array([0.0] * 90 + [1.0] * 10)
    edges = _stats.quantile_edges(reference, 10)
    assert len(edges) == 2
    assert _stats.bin_counts(reference, edges).tolist() == [90, 0, 10]


def test_psi_worked_example() -> None:
    # Smoothed proportions: (50.5, 30.5, 20.5)/101.5 and (20.5, 30.5, 50.5)/101.5.
    r = np.array([50.5, 30.5, 20.5]) / 101.5
    c = np.array([20.5, 30.5, 50.5]) / 101.5
    expected = sum((ci - ri) * math.log(ci / ri) for ri, ci in zip(r, c, strict=True))
    assert _stats.psi([50, 30, 20], [20, 30, 50]) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.5327, abs=1e-3)
    assert _stats.psi([10, 10], [10, 10]) == 0.0


def test_psi_stays_finite_on_empty_bins() -> None:
    value = _stats.psi([100, 0, 100], [0, 200, 0])
    assert math.isfinite(value)
    assert value > 1


def test_psi_floor_is_the_chi_square_quantile_scaled_by_both_sizes() -> None:
    floor = _stats.psi_floor(10, 1000, 100, 0.05)
    assert floor == pytest.approx(stats.chi2.ppf(0.95, 9) * (1 / 1000 + 1 / 100))
    assert (
        _stats.psi_floor(10, 1000, 30, 0.05) > 0.25 > _stats.psi_floor(10, 100_000, 100_000, 0.05)
    )


def test_ks_matches_scipy() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=400), rng.normal(0.2, size=150)
    d, p = _stats.ks_test(a, b)
    expected = stats.ks_2samp(a, b)
    assert (d, p) == pytest.approx((expected.statistic, expected.pvalue))


def test_wasserstein_is_normalised_by_the_reference_spread() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=300), rng.normal(1.0, size=200)
    scale = float(a.std())
    assert _stats.wasserstein(a, b, scale) == pytest.approx(
        stats.wasserstein_distance(a, b) / scale
    )
    assert _stats.wasserstein(np.zeros(5), np.ones(5), 0.0) == pytest.approx(1.0)


def test_chi_square_matches_chi2_contingency_with_large_counts() -> None:
    reference, current = [400, 300, 200, 100], [90, 80, 70, 60]
    statistic, p = _stats.chi_square(reference, current)
    expected = stats.chi2_contingency(np.array([reference, current]))
    assert (statistic, p) == pytest.approx((expected.statistic, expected.pvalue))


def test_chi_square_two_categories_uses_yates_like_scipy() -> None:
    statistic, p = _stats.chi_square([120, 80], [40, 60])
    expected = stats.chi2_contingency(np.array([[120, 80], [40, 60]]))
    assert (statistic, p) == pytest.approx((expected.statistic, expected.pvalue))


def test_chi_square_small_counts_use_a_permutation_p_value() -> None:
    reference, current = [500, 5, 0], [10, 0, 3]  # expected counts far below 5
    statistic, p = _stats.chi_square(reference, current, permutations=4000)
    table = np.array([reference, current])[:, [0, 1, 2]]
    assert statistic == pytest.approx(stats.chi2_contingency(table).statistic)
    # three unseen-like values in 13 draws from a column of total 3: very unlikely
    assert p < 0.01
    _, p_same = _stats.chi_square([500, 50, 5], [10, 1, 0], permutations=4000)
    assert p_same > 0.3


def test_chi_square_drops_empty_categories_and_handles_a_single_one() -> None:
    assert _stats.chi_square([10, 0], [5, 0]) == (0.0, 1.0)
    with_empty = _stats.chi_square([100, 0, 50], [40, 0, 45])
    assert with_empty == pytest.approx(_stats.chi_square([100, 50], [40, 45]))


def test_jensen_shannon_matches_scipy() -> None:
    p, q = [5, 0, 10, 3], [1, 4, 4, 0]
    assert _stats.jensen_shannon(p, q) == pytest.approx(jensenshannon(p, q, base=2))
    assert _stats.jensen_shannon([1, 0], [0, 1]) == pytest.approx(1.0)


def test_js_floor_matches_the_sampling_distribution_of_js() -> None:
    rng = np.random.default_rng(5)
    probabilities = np.array([0.4, 0.3, 0.2, 0.1])
    n, m = 2000, 200
    values = [
        _stats.jensen_shannon(rng.multinomial(n, probabilities), rng.multinomial(m, probabilities))
        for _ in range(2000)
    ]
    floor = _stats.js_floor(4, n, m, 0.05)
    assert np.mean(np.array(values) > floor) == pytest.approx(0.05, abs=0.02)


def test_benjamini_hochberg_matches_scipy() -> None:
    p_values = [0.01, 0.04, 0.03, 0.5, 0.001, 0.2]
    expected = stats.false_discovery_control(p_values, method="bh")
    np.testing.assert_allclose(_stats.benjamini_hochberg(p_values), expected)
    assert _stats.benjamini_hochberg([]) == []


def test_cauchy_combination_matches_its_definition_and_keeps_tiny_p_values() -> None:
    ps = [0.2, 0.01, 0.7]
    t = float(np.mean(np.tan((0.5 - np.asarray(ps)) * np.pi)))
    assert _stats.cauchy_combination(ps) == pytest.approx((t, 0.5 - np.arctan(t) / np.pi))
    assert _stats.cauchy_combination([0.3]) == pytest.approx((np.tan(0.2 * np.pi), 0.3))
    # one overwhelming test dominates: p ≈ k * p_min, never 0 and never above 1
    assert _stats.cauchy_combination([1e-30, 0.5])[1] == pytest.approx(2e-30, rel=1e-6)
    assert _stats.cauchy_combination([1.0, 1.0])[1] <= 1.0
    with pytest.raises(ValueError, match="no p-values"):
        _stats.cauchy_combination([])


def test_hypergeometric_mid_p_against_a_direct_sum() -> None:
    total, marked, drawn = 60, 12, 20
    pmf = [
        math.comb(marked, k) * math.comb(total - marked, drawn - k) / math.comb(total, drawn)
        for k in range(drawn + 1)
    ]
    for observed in (0, 4, 9):
        lower = sum(pmf[:observed]) + pmf[observed] / 2
        upper = sum(pmf[observed + 1 :]) + pmf[observed] / 2
        expected = min(1.0, 2 * min(lower, upper))
        got = _stats.hypergeometric_test(total, marked, drawn, observed)
        assert got == pytest.approx(expected, rel=1e-9)


def test_rate_test_finds_two_points_on_large_windows_only() -> None:
    difference, p = _stats.rate_test([9600, 400], [4700, 300])
    assert difference == pytest.approx(0.02)
    assert p < 1e-4
    assert _stats.rate_test([9600, 400], [47, 3])[1] > 0.3


def test_ks_statistic_equals_scipy() -> None:
    rng = np.random.default_rng(10)
    x, y = np.sort(np.round(rng.normal(size=3000), 1)), rng.normal(0.1, size=250)
    assert _stats.ks_statistic(x, y) == pytest.approx(stats.ks_2samp(x, y).statistic)


def test_randomised_rate_test_is_exactly_uniform_where_the_mid_p_is_not() -> None:
    """At 2% of 200 rows against 10,000 the mid-p rejects 2.4% at 0.02; with a uniform
    ``u`` the p-value's law is exactly uniform (computed, not simulated)."""
    total, drawn = 10_200, 200
    marked = 204
    distribution = stats.hypergeom(total, marked, drawn)
    counts = np.arange(0, drawn + 1)
    pmf = distribution.pmf(counts)
    mid = np.array([_stats.hypergeometric_test(total, marked, drawn, int(k)) for k in counts])
    assert pmf[mid <= 0.02].sum() > 0.022
    grid = (np.arange(100) + 0.5) / 100
    for level in (0.01, 0.02, 0.05):
        # P(p <= level) = sum_k pmf_k * P_u(p(k, u) <= level), over a fine grid of u
        rejected = sum(
            pmf[k]
            * np.mean(
                [_stats.hypergeometric_test(total, marked, drawn, k, u=u) <= level for u in grid]
            )
            for k in range(0, 15)
        )
        assert rejected == pytest.approx(level, abs=0.001)


LANGUAGE_MIX = np.array([0.55, 0.12, 0.08, 0.07, 0.06, 0.05, 0.03, 0.03, 0.01])


def test_category_residual_is_the_largest_standardised_count_deviation() -> None:
    reference, current = np.array([600, 300, 100]), np.array([50, 30, 40])
    largest, _, _ = _stats.category_shift_test(reference, current, draws=99)
    total, m, n = 1120, 120, 1000
    share = (reference + current) / total
    z = (current - m * share) / np.sqrt(m * share * (1 - share) * n / (total - 1))
    assert largest == pytest.approx(np.abs(z).max())
    assert _stats.category_shift_test([10, 0], [5, 0]) == (0.0, 1.0, 1.0)


@pytest.mark.parametrize("window", [20, 300])
def test_category_shift_p_values_are_uniform_without_drift(window: int, assert_uniform) -> None:
    """Small windows give few distinct tables (ties everywhere); the tie-breaking key keeps
    the joint p-value uniform on its grid all the same."""
    rng = np.random.default_rng(12)
    p_values = [
        _stats.category_shift_test(
            rng.multinomial(3000, LANGUAGE_MIX), rng.multinomial(window, LANGUAGE_MIX),
            draws=199, seed=seed,
        )[2]
        for seed in range(400)
    ]  # fmt: skip
    assert_uniform(p_values)


def test_one_category_moving_is_seen_by_the_residual_sooner_than_by_the_chi_square() -> None:
    """Two points of share move to one language of nine (the others shrink in
    proportion): the chi-square spreads its power over eight degrees of freedom, the
    largest residual looks at the one that moved."""
    moved = LANGUAGE_MIX * (1 - LANGUAGE_MIX[2] - 0.02) / (1 - LANGUAGE_MIX[2])
    moved[2] = LANGUAGE_MIX[2] + 0.02
    found = {"chi2": 0, "residual": 0, "joint": 0}
    for seed in range(100):
        rng = np.random.default_rng([13, seed])
        reference, current = rng.multinomial(10_000, LANGUAGE_MIX), rng.multinomial(5000, moved)
        _, chi2_p = _stats.chi_square(reference, current)
        _, residual_p, joint_p = _stats.category_shift_test(reference, current, seed=seed)
        found["chi2"] += chi2_p <= 0.01
        found["residual"] += residual_p <= 0.01
        found["joint"] += joint_p <= 0.01
    assert found["residual"] >= found["chi2"] + 8  # 80 against 65 of 100 measured
    assert found["joint"] >= found["chi2"] + 6  # 77 measured
