"""The power study's oracle bounds (bench/drift_study/bounds.py) against closed forms.

The bounds in docs/drift.md are only as good as their estimator: a binned likelihood
ratio for scalars, a conditional count test for topic shares. Here both meet cases whose
most powerful test is known exactly.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

STUDY = Path(__file__).resolve().parents[2] / "bench" / "drift_study"
sys.path.insert(0, str(STUDY))

import bounds  # noqa: E402
from scenarios import Scenario, Topics, TopicSpace  # noqa: E402


def _normal(shift: float) -> object:
    def draw(rng: np.random.Generator, rows: int) -> dict[str, np.ndarray]:
        return {"x": rng.normal(shift, 1.0, rows)}

    return draw


def test_scalar_bound_matches_the_z_test_of_a_normal_mean_shift() -> None:
    # The most powerful test of N(0, 1) against N(0.3, 1) is the one-sided z-test:
    # power = Phi(0.3 sqrt(m) - z_alpha).
    scenario = Scenario("scalars", "mean shift (x)", "0.3", _normal(0.0), _normal(0.3), 0, "x")  # type: ignore[arg-type]
    windows = (20, 80)
    estimated = bounds.scalar_bound(scenario, windows, seed=1)
    exact = [stats.norm.sf(stats.norm.isf(bounds.ALPHA) - 0.3 * np.sqrt(m)) for m in windows]
    assert estimated == pytest.approx(exact, abs=0.03)


def test_scalar_bound_of_a_rate_matches_the_randomised_binomial_test() -> None:
    def flag(rate: float) -> object:
        def draw(rng: np.random.Generator, rows: int) -> dict[str, np.ndarray]:
            return {"flag": (rng.random(rows) < rate).astype(float)}

        return draw

    scenario = Scenario("scalars", "rate (flag)", "+2 pt", flag(0.04), flag(0.06), 0, "flag")  # type: ignore[arg-type]
    m = 400
    # Uniformly most powerful: reject above c, with probability g at c.
    c = int(stats.binom.isf(bounds.ALPHA, m, 0.04))
    g = (bounds.ALPHA - stats.binom.sf(c, m, 0.04)) / stats.binom.pmf(c, m, 0.04)
    exact = stats.binom.sf(c, m, 0.06) + g * stats.binom.pmf(c, m, 0.06)
    assert bounds.scalar_bound(scenario, (m,), seed=2)[0] == pytest.approx(exact, abs=0.03)


def test_topic_share_test_has_size_alpha_and_grows_with_the_change() -> None:
    rng = np.random.default_rng(4)
    # Nothing changed: the randomised conditional test rejects in alpha of the draws
    # (40,000 draws: standard error 0.0011).
    assert bounds.share_test_power(0.2, 0.2, 2000, 200, rng) == pytest.approx(0.05, abs=0.004)
    weak = bounds.share_test_power(0.2, 0.23, 2000, 200, rng)
    strong = bounds.share_test_power(0.2, 0.23, 2000, 2000, rng)
    assert bounds.ALPHA < weak < strong < 1.0


def test_embedding_bound_reads_the_scenarios_topic_change() -> None:
    space = TopicSpace(Topics(seed=3, topics=6, dimensions=16, rank=4))
    shifted = space.weights.copy()
    shifted[0] += 0.05
    shifted /= shifted.sum()
    moved = Scenario("embeddings", "topic mix", "+5", _normal(0), _normal(0), 500, "", space,  # type: ignore[arg-type]
                     {"weights": shifted})  # fmt: skip
    # Only topic 0 grew: the bound is the share test of topic 0's count.
    expected = bounds.share_test_power(
        float(space.weights[0] / space.weights.sum()), float(shifted[0]), 500, 300,
        np.random.default_rng(5),
    )  # fmt: skip
    assert bounds.embedding_bound(moved, (300,), seed=5)[0] == pytest.approx(expected, abs=1e-12)
