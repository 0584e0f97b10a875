"""Small seeded false-alarm and power checks of whole monitors, with binomial bounds.

Each bound is the 0.1% / 99.9% quantile of the binomial at the stated rate, so a
calibrated monitor fails a check about once in a thousand seeds; the seeds are fixed.
The full study (``bench/drift_study``) measures the same at production sizes.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from glassbox.drift import Monitor, Profile

ALPHA = 0.05


def _telemetry(rng: np.random.Generator, rows: int, *, shift: float = 0.0) -> dict[str, object]:
    return {
        "latency": np.round(rng.gamma(4.0, 0.25, rows) * (1 + shift), 3),
        "refusal": (rng.random(rows) < 0.05).astype(float),
        "language": rng.choice(["en", "de", "fr"], rows, p=[0.7, 0.2, 0.1]).tolist(),
    }


def test_false_alarm_rate_is_alpha_not_above_and_not_far_below() -> None:
    trials = 120
    alarms = 0
    for trial in range(trials):
        rng = np.random.default_rng([1, trial])
        profile = Profile.build(_telemetry(rng, 1500), seed=trial)
        alarms += Monitor(profile, seed=trial).check(_telemetry(rng, 100)).drift is True
    print(f"scalars: {alarms} false alarms of {trials}")
    assert alarms <= stats.binom.ppf(0.999, trials, ALPHA)
    assert alarms >= 1  # P(0 alarms | 5%) = 0.2%: a monitor that never fires is not calibrated


def test_a_ten_percent_latency_shift_is_seen_at_400_rows() -> None:
    trials = 30
    hits = 0
    for trial in range(trials):
        rng = np.random.default_rng([2, trial])
        profile = Profile.build(_telemetry(rng, 1500), seed=trial)
        report = Monitor(profile, seed=trial).check(_telemetry(rng, 400, shift=0.1))
        hits += report.feature("latency").status == "drift"
    print(f"latency: {hits} hits of {trials}")
    assert hits >= stats.binom.ppf(0.001, trials, 0.8)


def test_embedding_monitor_false_alarms_and_power() -> None:
    trials = 40
    alarms = hits = 0
    centres = np.random.default_rng(0).normal(size=(4, 16)) * 2
    weights, moved = np.array([0.4, 0.3, 0.2, 0.1]), np.array([0.2, 0.3, 0.2, 0.3])

    def draw(rng: np.random.Generator, rows: int, w: np.ndarray) -> np.ndarray:
        topic = rng.choice(4, rows, p=w)
        return np.asarray(centres[topic] + rng.normal(size=(rows, 16)))

    for trial in range(trials):
        rng = np.random.default_rng([3, trial])
        profile = Profile.build({"e": draw(rng, 300, weights)}, seed=trial)
        monitor = Monitor(profile, seed=trial, permutations=50)
        alarms += monitor.check({"e": draw(rng, 60, weights)}).drift is True
        hits += monitor.check({"e": draw(rng, 60, moved)}).drift is True
    print(f"embedding: {alarms} false alarms, {hits} hits of {trials}")
    assert alarms <= stats.binom.ppf(0.999, trials, ALPHA)
    assert hits >= stats.binom.ppf(0.001, trials, 0.8)
