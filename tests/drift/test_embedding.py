"""Embedding tests: MMD² and its permutation null against a direct computation,
the classifier's AUC against scikit-learn and SciPy, the centroid bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from glassbox.drift import _embedding


def _naive_mmd(x: np.ndarray, y: np.ndarray, bandwidth: float) -> float:
    def k(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        d = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
        return np.exp(-d / (2 * bandwidth**2))

    n, m = len(x), len(y)
    kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
    return float(
        (kxx.sum() - np.trace(kxx)) / (n * (n - 1))
        + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
        - 2 * kxy.mean()
    )


def test_median_bandwidth_is_the_median_pairwise_distance() -> None:
    rows = np.random.default_rng(0).normal(size=(50, 3))
    distances = [np.linalg.norm(rows[i] - rows[j]) for i in range(50) for j in range(i + 1, 50)]
    assert _embedding.median_bandwidth(rows) == pytest.approx(np.median(distances), rel=1e-5)


def test_mmd_and_its_permutation_null_match_a_direct_computation() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(40, 5)), rng.normal(0.3, size=(30, 5))
    result = _embedding.mmd_test(x, y, permutations=50, seed=7)
    pooled = np.vstack([x, y])
    bandwidth = _embedding.median_bandwidth(pooled.astype(np.float32), seed=7)
    assert result.statistic == pytest.approx(_naive_mmd(x, y, bandwidth), abs=1e-5)

    perm_rng = np.random.default_rng(7)
    null = []
    for _ in range(50):
        mask = np.zeros(70, dtype=bool)
        mask[perm_rng.permutation(70)[:40]] = True
        null.append(_naive_mmd(pooled[mask], pooled[~mask], bandwidth))
    expected_p = (1 + sum(v >= result.statistic - 1e-6 for v in null)) / 51
    assert result.p_value == pytest.approx(expected_p)
    assert result.floor == pytest.approx(np.quantile(null, 0.95), abs=1e-5)


def test_mmd_detects_a_shift_and_not_noise() -> None:
    rng = np.random.default_rng(2)
    reference = rng.normal(size=(200, 8))
    assert _embedding.mmd_test(reference, rng.normal(0.5, size=(200, 8))).p_value < 0.01
    assert _embedding.mmd_test(reference, rng.normal(size=(200, 8))).p_value > 0.05


def test_classifier_auc_of_out_of_fold_scores_and_p_value_from_each_fold() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(150, 6)), rng.normal(0.4, size=(100, 6))
    result = _embedding.classifier_test(x, y, seed=5)
    model = make_pipeline(
        StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=200)
    )
    labels = np.r_[np.zeros(150), np.ones(100)]
    x_all = np.vstack([x, y]).astype(np.float32)
    scores = cross_val_predict(
        model,
        x_all,
        labels,
        cv=StratifiedKFold(5, shuffle=True, random_state=5),
        method="decision_function",
    )
    assert result.statistic == pytest.approx(roc_auc_score(labels, scores))
    fold_p_values = []
    for train, test in StratifiedKFold(5, shuffle=True, random_state=5).split(x_all, labels):
        held_out = model.fit(x_all[train], labels[train]).decision_function(x_all[test])
        fold_p_values.append(
            stats.mannwhitneyu(
                held_out[labels[test] == 1], held_out[labels[test] == 0], alternative="greater"
            ).pvalue
        )
    terms = np.tan((0.5 - np.asarray(fold_p_values)) * np.pi)
    # the fold models are refitted here, which moves the last digits of the p-values
    assert result.p_value == pytest.approx(0.5 - np.arctan(terms.mean()) / np.pi, rel=1e-3)
    assert result.p_value < 1e-3
    assert result.statistic > 0.7  # Bayes-optimal AUC for this shift is 0.76
    assert result.floor == pytest.approx(
        0.5 + stats.norm.ppf(0.95) * math.sqrt((150 + 100 + 1) / (12 * 150 * 100))
    )


def test_centroid_distance_is_normalised_and_bootstrapped() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(300, 4))
    y = rng.normal(size=(100, 4)) + np.array([0.5, 0, 0, 0])
    result = _embedding.centroid_test(x, y)
    radius = math.sqrt(((x - x.mean(0)) ** 2).sum(1).mean())
    assert result.statistic == pytest.approx(np.linalg.norm(y.mean(0) - x.mean(0)) / radius)
    assert result.p_value < 0.01
    assert result.statistic > result.floor
    same = _embedding.centroid_test(x, rng.normal(size=(100, 4)))
    assert same.p_value > 0.05


def test_projection_pca_spans_the_top_axes_and_random_has_the_requested_shape() -> None:
    rng = np.random.default_rng(6)
    rows = rng.normal(size=(400, 5)) * np.array([10, 1, 1, 1, 1])
    pca = _embedding.Projection.fit(rows, "pca", 1)
    assert abs(pca.components[0, 0]) > 0.99
    assert pca.apply(rows).shape == (400, 1)
    random = _embedding.Projection.fit(rows, "random", 3, seed=1)
    assert random.apply(rows).shape == (400, 3)
    with pytest.raises(ValueError, match="unknown projection"):
        _embedding.Projection.fit(rows, "umap", 2)
