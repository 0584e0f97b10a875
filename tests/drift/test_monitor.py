"""The decision rule: false-alarm rate at most alpha on no-drift data at every window
size, detection of a clear shift, insufficient data below the minimum window.

The monitors are calibrated to alpha (not far below it), so a false-alarm count over a
few hundred trials scatters around ``alpha * trials``. The checks allow that scatter and
no more: a count above the 99.5% quantile of Binomial(trials, alpha) fails. The power
study (``bench/drift_study``) measures the rates precisely.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from glassbox.drift import Monitor, Profile

ALPHA = 0.05


def _most_alarms(trials: int) -> int:
    """The most false alarms a monitor calibrated to ALPHA plausibly gives in ``trials``."""
    return int(stats.binom.ppf(0.995, trials, ALPHA))


def _false_alarms_are_at_most_alpha(build, draw, trials: int) -> None:
    alarms = 0
    for seed in range(trials):
        rng = np.random.default_rng(seed)
        profile = Profile.build(build(rng), seed=seed)
        report = Monitor(profile, alpha=ALPHA, permutations=99, seed=seed).check(draw(rng))
        alarms += report.drift is True
    assert alarms <= _most_alarms(trials), f"{alarms} false alarms in {trials} trials"


@pytest.mark.parametrize("window", [30, 100, 1000])
def test_scalar_false_alarm_rate_is_at_most_alpha(window: int) -> None:
    _false_alarms_are_at_most_alpha(
        lambda rng: {"latency": rng.lognormal(size=2000)},
        lambda rng: {"latency": rng.lognormal(size=window)},
        trials=200,
    )


@pytest.mark.parametrize("window", [30, 300])
def test_categorical_false_alarm_rate_is_at_most_alpha(window: int) -> None:
    probabilities = [0.6, 0.25, 0.1, 0.04, 0.01]
    categories = list("abcde")
    _false_alarms_are_at_most_alpha(
        lambda rng: {"model": rng.choice(categories, 3000, p=probabilities).tolist()},
        lambda rng: {"model": rng.choice(categories, window, p=probabilities).tolist()},
        trials=150,
    )


def test_one_category_gaining_share_is_drift_named_by_the_residual() -> None:
    rng = np.random.default_rng(14)
    categories = list("abcdefghi")
    before = np.array([0.55, 0.12, 0.08, 0.07, 0.06, 0.05, 0.03, 0.03, 0.01])
    after = before * 0.88 / 0.92
    after[2] = 0.12  # four points more, the others shrinking in proportion
    profile = Profile.build({"language": rng.choice(categories, 20_000, p=before).tolist()})
    report = (
        Monitor(profile)
        .check({"language": rng.choice(categories, 2000, p=after).tolist()})
        .feature("language")
    )
    assert {s.name for s in report.statistics} == {"combined", "chi2", "residual", "js"}
    assert report.status == "drift"
    residual = report.statistic("residual")
    assert residual.value > 4  # standard deviations, category "c"
    assert residual.p_value is not None
    assert report.statistic("combined").p_value <= 2 * residual.p_value + 1e-9


def test_monitor_wide_false_alarm_rate_with_many_features_is_at_most_alpha() -> None:
    def columns(rng: np.random.Generator, size: int) -> dict[str, object]:
        return {f"x{i}": rng.normal(size=size) for i in range(5)}

    _false_alarms_are_at_most_alpha(
        lambda rng: columns(rng, 1000), lambda rng: columns(rng, 100), 150
    )


@pytest.mark.parametrize("window", [40, 150])
def test_embedding_false_alarm_rate_is_at_most_alpha(window: int) -> None:
    _false_alarms_are_at_most_alpha(
        lambda rng: {"embedding": rng.normal(size=(300, 8))},
        lambda rng: {"embedding": rng.normal(size=(window, 8))},
        trials=40,
    )


@pytest.mark.parametrize("window", [50, 200, 5000])
def test_a_clear_shift_is_detected_at_every_window_size(window: int) -> None:
    rng = np.random.default_rng(0)
    profile = Profile.build(
        {
            "latency": rng.normal(size=5000),
            "model": rng.choice(list("abc"), 5000, p=[0.5, 0.3, 0.2]).tolist(),
        }
    )
    current = {
        "latency": rng.normal(1.0, size=window),
        "model": rng.choice(list("abc"), window, p=[0.2, 0.3, 0.5]).tolist(),
    }
    report = Monitor(profile).check(current)
    assert report.drift is True
    assert report.feature("latency").status == "drift"
    assert report.feature("model").status == "drift"


def test_a_clear_embedding_shift_is_detected_by_every_test() -> None:
    rng = np.random.default_rng(1)
    profile = Profile.build({"embedding": rng.normal(size=(400, 16))})
    monitor = Monitor(
        profile, permutations=99, embedding_tests=("classifier_auc", "mmd", "centroid")
    )
    report = monitor.check({"embedding": rng.normal(0.4, size=(100, 16))})
    result = report.feature("embedding")
    assert result.status == "drift"
    combined = result.statistic("combined")
    assert combined.adjusted_p_value is not None
    assert combined.adjusted_p_value < ALPHA
    for name in ("classifier_auc", "mmd", "centroid"):
        statistic = result.statistic(name)
        assert statistic.p_value is not None
        assert statistic.p_value < ALPHA


def test_a_new_topic_is_drift_by_default_and_the_neighbour_test_names_it() -> None:
    rng = np.random.default_rng(8)
    centres = (rng.normal(size=(7, 24)) + 1.0) / np.sqrt(24)

    def rows(count: int, new: int = 0) -> np.ndarray:
        topic = rng.integers(0, 6, count)
        topic[:new] = 6  # a topic the reference never had
        x = centres[topic] + rng.normal(size=(count, 24)) * 0.1
        return np.asarray(x / np.linalg.norm(x, axis=1, keepdims=True))

    monitor = Monitor(Profile.build({"embedding": rows(1000)}))
    assert "neighbours" in monitor.embedding_tests
    result = monitor.check({"embedding": rows(500, new=20)}).feature("embedding")
    assert result.status == "drift"
    assert "strongest test neighbours" in result.reason
    neighbours = result.statistic("neighbours")
    assert neighbours.p_value is not None
    assert neighbours.p_value < 0.01
    assert neighbours.value == pytest.approx(20 / 500, abs=0.015)
    same = monitor.check({"embedding": rows(500)}).feature("embedding")
    assert abs(same.statistic("neighbours").value) < 0.025  # about 0 without drift


def test_a_small_shift_of_meaning_is_drift_by_default_and_the_whitened_centroid_names_it() -> None:
    """Rows vary along a few directions and little along the rest; the window moves by 0.6
    of the quiet directions' noise along one of them: lost, for the plain centroid, in the
    busy directions' sampling noise."""
    rng = np.random.default_rng(9)
    scales = np.where(np.arange(48) < 4, 1.0, 0.2)

    def rows(count: int, shift: float = 0.0) -> np.ndarray:
        x = rng.normal(size=(count, 48)) * scales
        x[:, -1] += shift
        return np.asarray(x)

    monitor = Monitor(Profile.build({"embedding": rows(1000)}))
    assert "whitened" in monitor.embedding_tests
    result = monitor.check({"embedding": rows(300, shift=0.12)}).feature("embedding")
    assert result.status == "drift"
    assert "strongest test whitened" in result.reason
    whitened, plain = result.statistic("whitened"), result.statistic("centroid")
    assert whitened.p_value is not None
    assert plain.p_value is not None
    assert whitened.p_value < 0.01 < plain.p_value


def test_fixed_psi_cutoffs_would_false_alarm_where_the_rule_does_not() -> None:
    """On 30-row windows PSI from noise alone often exceeds 0.25; the rule stays at alpha."""
    rng = np.random.default_rng(2)
    profile = Profile.build({"x": rng.normal(size=5000)})
    over_cutoff = alarms = 0
    for _ in range(100):
        result = Monitor(profile).check({"x": rng.normal(size=30)}).feature("x")
        over_cutoff += result.statistic("psi").value > 0.25
        alarms += result.status == "drift"
    assert over_cutoff > 20
    assert alarms <= _most_alarms(100)


def test_small_windows_are_insufficient_data_without_scores() -> None:
    rng = np.random.default_rng(3)
    profile = Profile.build({"x": rng.normal(size=500), "c": ["a", "b"] * 250})
    report = Monitor(profile, min_samples=50).check({"x": rng.normal(size=49), "c": ["a"] * 80})
    assert report.feature("x").status == "insufficient_data"
    assert report.feature("x").statistics == ()
    assert "49 rows" in report.feature("x").reason
    assert report.feature("c").status == "drift"
    assert report.to_dict()["features"]["x"]["drift"] == "insufficient_data"
    only_small = Monitor(profile, min_samples=50).check({"x": rng.normal(size=10)})
    assert only_small.drift is None
    assert only_small.to_dict()["drift"] == "insufficient_data"
    assert only_small.feature("c").reason == "feature missing from the current data"


def test_min_effect_raises_the_floor_on_huge_windows() -> None:
    rng = np.random.default_rng(4)
    profile = Profile.build({"x": rng.normal(size=100_000)})
    current = {"x": rng.normal(0.05, size=100_000)}
    assert Monitor(profile).check(current).drift is True
    strict = Monitor(profile, min_effect={"psi": 0.1}).check(current).feature("x")
    assert strict.status == "no_drift"
    assert strict.statistic("psi").floor == 0.1
    assert "practical minimum: psi=" in strict.reason


def test_report_json_carries_decision_statistics_and_p_values() -> None:
    rng = np.random.default_rng(5)
    profile = Profile.build({"x": rng.normal(size=1000)}, name="api")
    data = Monitor(profile).check({"x": rng.normal(2, size=100)}).to_dict()
    assert data["monitor"] == "api"
    assert data["drift"] is True
    statistics = data["features"]["x"]["statistics"]
    combined = statistics["combined"]
    assert combined["p_value"] <= combined["adjusted_p_value"] < ALPHA
    assert statistics["mann_whitney"]["p_value"] < ALPHA
    assert statistics["mann_whitney"]["value"] > 0.9
    assert statistics["psi"]["floor"] is None
    assert "strongest test anderson" in data["features"]["x"]["reason"]


def test_monitor_rejects_bad_settings() -> None:
    profile = Profile.build({"x": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="alpha"):
        Monitor(profile, alpha=1.5)
    with pytest.raises(ValueError, match="embedding tests"):
        Monitor(profile, embedding_tests=("knn",))  # type: ignore[arg-type]


def test_a_flag_is_a_rate_and_a_spread_change_is_found_by_the_scale_test() -> None:
    rng = np.random.default_rng(6)
    profile = Profile.build(
        {"refusal": (rng.random(20_000) < 0.04).astype(float), "x": rng.normal(size=10_000)}
    )
    report = Monitor(profile).check(
        {"refusal": (rng.random(3000) < 0.07).astype(float), "x": rng.normal(0, 1.3, size=300)}
    )
    refusal, x = report.feature("refusal"), report.feature("x")
    assert refusal.status == x.status == "drift"
    assert refusal.statistic("rate").value == pytest.approx(0.03, abs=0.01)
    assert {s.name for s in refusal.statistics} == {"combined", "rate", "psi", "ks", "wasserstein"}
    assert x.statistic("klotz").p_value < 1e-4
    assert x.statistic("mann_whitney").p_value > 0.01  # the centre did not move


def test_a_heavier_latency_tail_is_drift_named_by_the_excess_test(latencies) -> None:
    """6% of the calls 1 + Pareto(1.2) times slower: most stay inside the reference's
    slow mode, so ranks hardly move; the distance above the pooled top 10% does."""
    rng = np.random.default_rng(41)
    profile = Profile.build({"latency": latencies(rng, 10_000, 0.0)})
    report = Monitor(profile).check({"latency": latencies(rng, 2000, 0.06)})
    result = report.feature("latency")
    assert result.status == "drift"
    excess = result.statistic("excess")
    assert excess.value is not None
    assert excess.value > 1.5
    assert excess.p_value is not None
    assert excess.p_value < 0.001
    assert "strongest test excess" in result.reason
