"""Drift monitors: compare a current window with a reference profile and decide.

The decision rule holds at every window size:

1. Below ``min_samples`` rows (current or reference) a feature is reported as
   ``insufficient_data``, with no score.
2. Every test with a p-value (KS for scalars, chi-square for categories, the classifier,
   MMD and centroid tests for embeddings) enters one Benjamini–Hochberg family across
   all features of the monitor.
3. A feature drifted when one of its tests is significant after correction **and** the
   effect size paired with that test passes its floor: the larger of the effect's noise
   floor at these two sample sizes (see :mod:`glassbox.drift._stats`) and an optional
   practical minimum (``min_effect``).

Without drift, step 2 alone bounds the chance of any false alarm by ``alpha``; step 3
keeps huge windows from flagging effects too small to matter when a minimum is set, and
shows in the report how far above the noise an effect is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from glassbox.drift import _embedding, _stats
from glassbox.drift._profile import (
    CategoricalProfile,
    Columns,
    EmbeddingProfile,
    Profile,
    ProfileError,
    ScalarProfile,
    categorical_values,
    scalar_values,
)

__all__ = ["DriftReport", "FeatureResult", "Monitor", "Statistic", "Status"]

Status = Literal["drift", "no_drift", "insufficient_data"]
EmbeddingTestName = Literal["classifier_auc", "mmd", "centroid"]

#: Which effect statistic gates each test (a test gates itself when it is its own effect).
_EFFECT_OF = {"ks": "psi", "chi2": "js"}


@dataclass(frozen=True)
class Statistic:
    """One statistic of one feature.

    Attributes:
        name: The ``statistic`` label value (``psi``, ``ks``, ``wasserstein``, ``chi2``,
            ``js``, ``mmd``, ``classifier_auc``, ``centroid``).
        value: The statistic (an effect size, or a test statistic for ``ks``/``chi2``).
        p_value: Raw p-value, for tests.
        adjusted_p_value: Benjamini–Hochberg adjusted p-value, for tests.
        floor: The value the effect must reach to count as drift, for effect sizes.
        effect: For tests, the statistic whose floor gates the decision.
    """

    name: str
    value: float
    p_value: float | None = None
    adjusted_p_value: float | None = None
    floor: float | None = None
    effect: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``None`` fields included, so the schema is stable)."""
        return {
            "value": self.value,
            "p_value": self.p_value,
            "adjusted_p_value": self.adjusted_p_value,
            "floor": self.floor,
            "effect": self.effect,
        }


@dataclass(frozen=True)
class FeatureResult:
    """The verdict on one feature.

    Attributes:
        feature: Feature name.
        kind: ``scalar``, ``categorical`` or ``embedding``.
        status: ``drift``, ``no_drift`` or ``insufficient_data``.
        samples: Rows of the current window used.
        reference_samples: Reference rows the tests compared against.
        statistics: Every statistic computed (empty when data was insufficient).
        reason: One sentence on why the status was decided.
    """

    feature: str
    kind: str
    status: Status
    samples: int
    reference_samples: int
    statistics: tuple[Statistic, ...] = ()
    reason: str = ""

    def statistic(self, name: str) -> Statistic:
        """The statistic called ``name``.

        Raises:
            KeyError: This feature has no such statistic.
        """
        for statistic in self.statistics:
            if statistic.name == name:
                return statistic
        raise KeyError(f"feature {self.feature!r} has no statistic {name!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "drift": _drift_value(self.status),
            "status": self.status,
            "samples": self.samples,
            "reference_samples": self.reference_samples,
            "reason": self.reason,
            "statistics": {s.name: s.to_dict() for s in self.statistics},
        }


@dataclass(frozen=True)
class DriftReport:
    """The result of one check of a monitor.

    Attributes:
        monitor: Monitor name (the ``monitor`` label).
        checked_at: Unix time of the check.
        alpha: Significance level after correction.
        features: One result per profiled feature.
        profile_created_at: When the reference profile was built.
    """

    monitor: str
    checked_at: float
    alpha: float
    features: tuple[FeatureResult, ...]
    profile_created_at: float

    @property
    def status(self) -> Status:
        """``drift`` if any feature drifted; ``insufficient_data`` if no feature could be tested."""
        statuses = {result.status for result in self.features}
        if "drift" in statuses:
            return "drift"
        if statuses == {"insufficient_data"}:
            return "insufficient_data"
        return "no_drift"

    @property
    def drift(self) -> bool | None:
        """``True``/``False``, or ``None`` when no feature had enough data."""
        return {"drift": True, "no_drift": False, "insufficient_data": None}[self.status]

    def feature(self, name: str) -> FeatureResult:
        """The result of feature ``name``."""
        for result in self.features:
            if result.feature == name:
                return result
        raise KeyError(f"monitor {self.monitor!r} has no feature {name!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``drift`` is true, false or ``"insufficient_data"``."""
        return {
            "monitor": self.monitor,
            "drift": _drift_value(self.status),
            "status": self.status,
            "checked_at": self.checked_at,
            "alpha": self.alpha,
            "profile_created_at": self.profile_created_at,
            "features": {result.feature: result.to_dict() for result in self.features},
        }


def _drift_value(status: Status) -> bool | str:
    return "insufficient_data" if status == "insufficient_data" else status == "drift"


@dataclass
class Monitor:
    """Compares current windows with one reference profile.

    Args:
        profile: The reference.
        name: Monitor name for reports and metrics; the profile's name by default.
        alpha: Significance level after Benjamini–Hochberg correction.
        min_samples: Fewer current (or reference) rows than this give
            ``insufficient_data``.
        min_effect: Practical minimum effect by statistic name (``{"psi": 0.05}``),
            raising the noise floor where it is lower.
        embedding_tests: Which embedding tests run.
        permutations: Permutations (MMD) and bootstrap resamples (centroid).
        max_embedding_rows: Current embedding rows beyond this are subsampled.
        seed: Seed of every random choice, so a check is reproducible.
    """

    profile: Profile
    name: str | None = None
    alpha: float = 0.05
    min_samples: int = 30
    min_effect: Mapping[str, float] = field(default_factory=dict)
    embedding_tests: Sequence[EmbeddingTestName] = ("classifier_auc", "mmd", "centroid")
    permutations: int = 200
    max_embedding_rows: int = 2_000
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must be between 0 and 1, got {self.alpha}")
        if self.min_samples < 2:
            raise ValueError(f"min_samples must be at least 2, got {self.min_samples}")
        unknown = set(self.embedding_tests) - {"classifier_auc", "mmd", "centroid"}
        if unknown:
            raise ValueError(
                f"unknown embedding tests {sorted(unknown)}; use classifier_auc, mmd, centroid"
            )

    @property
    def monitor_name(self) -> str:
        """The ``monitor`` label value."""
        return self.name or self.profile.name

    def check(
        self, current: Columns, *, on_feature: Callable[[str], None] | None = None
    ) -> DriftReport:
        """Test every profiled feature of ``current`` against the reference.

        Args:
            current: Feature name → values of the current window. Columns the profile
                does not know are ignored; profiled features missing here are reported
                as ``insufficient_data``.
            on_feature: Called with each feature name before it is tested (progress).

        Returns:
            The report, with Benjamini–Hochberg applied across all features.
        """
        partial: list[FeatureResult] = []
        for feature, reference in self.profile.features.items():
            if on_feature is not None:
                on_feature(feature)
            if feature not in current:
                partial.append(
                    FeatureResult(feature, reference.kind, "insufficient_data", 0, reference.rows,
                                  reason="feature missing from the current data")
                )  # fmt: skip
            elif isinstance(reference, ScalarProfile):
                partial.append(self._scalar(feature, reference, current[feature]))
            elif isinstance(reference, CategoricalProfile):
                partial.append(self._categorical(feature, reference, current[feature]))
            else:
                partial.append(self._embedding(feature, reference, current[feature]))
        return DriftReport(
            self.monitor_name,
            time.time(),
            self.alpha,
            self._decide(partial),
            self.profile.created_at,
        )

    def _floor(self, name: str, noise: float) -> float:
        return max(noise, float(self.min_effect.get(name, 0.0)))

    def _too_small(self, feature: str, kind: str, m: int, n: int) -> FeatureResult | None:
        if m >= self.min_samples and n >= self.min_samples:
            return None
        which = "current window" if m < self.min_samples else "reference"
        return FeatureResult(
            feature, kind, "insufficient_data", m, n,
            reason=f"{which} has {m if m < self.min_samples else n} rows; "
            f"at least {self.min_samples} are needed",
        )  # fmt: skip

    def _scalar(self, feature: str, reference: ScalarProfile, values: Any) -> FeatureResult:
        current, _ = scalar_values(values)
        m, n = len(current), len(reference.sample)
        if (short := self._too_small(feature, "scalar", m, n)) is not None:
            return short
        counts = _stats.bin_counts(current, reference.edges)
        d, p = _stats.ks_test(reference.sample, current)
        psi_floor = _stats.psi_floor(len(counts), reference.rows, m, self.alpha)
        statistics = (
            Statistic("ks", d, p, effect="psi"),
            Statistic(
                "psi", _stats.psi(reference.counts, counts), floor=self._floor("psi", psi_floor)
            ),
            Statistic("wasserstein", _stats.wasserstein(reference.sample, current, reference.std)),
        )
        return FeatureResult(feature, "scalar", "no_drift", m, n, statistics)

    def _categorical(
        self, feature: str, reference: CategoricalProfile, values: Any
    ) -> FeatureResult:
        strings = categorical_values(values)
        m, n = len(strings), reference.rows
        if (short := self._too_small(feature, "categorical", m, n)) is not None:
            return short
        counts = reference.count(strings)
        chi2, p = _stats.chi_square(reference.counts, counts, seed=self.seed)
        occurring = int(np.count_nonzero((reference.counts + counts) > 0))
        js_floor = _stats.js_floor(occurring, n, m, self.alpha)
        statistics = (
            Statistic("chi2", chi2, p, effect="js"),
            Statistic(
                "js",
                _stats.jensen_shannon(reference.counts, counts),
                floor=self._floor("js", js_floor),
            ),
        )
        return FeatureResult(feature, "categorical", "no_drift", m, n, statistics)

    def _embedding(self, feature: str, reference: EmbeddingProfile, values: Any) -> FeatureResult:
        rows = np.asarray(values, dtype=np.float32)
        if rows.ndim != 2 or (len(rows) and rows.shape[1] != reference.dimensions):
            raise ProfileError(
                f"feature {feature!r}: current embeddings have shape {rows.shape}, "
                f"the reference has {reference.dimensions} dimensions"
            )
        if len(rows) > self.max_embedding_rows:
            pick = np.random.default_rng(self.seed).choice(
                len(rows), self.max_embedding_rows, replace=False
            )
            rows = rows[np.sort(pick)]
        m, n = len(rows), len(reference.sample)
        if (short := self._too_small(feature, "embedding", m, n)) is not None:
            return short
        if reference.projection is not None:
            rows = reference.projection.apply(rows)
        statistics: list[Statistic] = []
        for test in self.embedding_tests:
            if test == "classifier_auc":
                result = _embedding.classifier_test(
                    reference.sample, rows, alpha=self.alpha, seed=self.seed
                )
            elif test == "mmd":
                result = _embedding.mmd_test(
                    reference.sample,
                    rows,
                    permutations=self.permutations,
                    alpha=self.alpha,
                    seed=self.seed,
                )
            else:
                result = _embedding.centroid_test(
                    reference.sample,
                    rows,
                    resamples=self.permutations,
                    alpha=self.alpha,
                    seed=self.seed,
                )
            statistics.append(
                Statistic(
                    test,
                    result.statistic,
                    result.p_value,
                    floor=self._floor(test, result.floor),
                    effect=test,
                )
            )
        return FeatureResult(feature, "embedding", "no_drift", m, n, tuple(statistics))

    def _decide(self, partial: list[FeatureResult]) -> tuple[FeatureResult, ...]:
        tests = [
            (i, j)
            for i, result in enumerate(partial)
            for j, statistic in enumerate(result.statistics)
            if statistic.p_value is not None
        ]
        adjusted = _stats.benjamini_hochberg(
            [partial[i].statistics[j].p_value or 0.0 for i, j in tests]
        )
        by_feature: dict[int, dict[int, float]] = {}
        for (i, j), q in zip(tests, adjusted, strict=True):
            by_feature.setdefault(i, {})[j] = q
        decided: list[FeatureResult] = []
        for i, result in enumerate(partial):
            if result.status == "insufficient_data":
                decided.append(result)
                continue
            statistics = tuple(
                _with_adjusted(s, by_feature.get(i, {}).get(j))
                for j, s in enumerate(result.statistics)
            )
            status, reason = self._verdict(statistics)
            decided.append(
                FeatureResult(result.feature, result.kind, status, result.samples,
                              result.reference_samples, statistics, reason)
            )  # fmt: skip
        return tuple(decided)

    def _verdict(self, statistics: tuple[Statistic, ...]) -> tuple[Status, str]:
        by_name = {s.name: s for s in statistics}
        significant = False
        for test in statistics:
            if test.adjusted_p_value is None or test.adjusted_p_value >= self.alpha:
                continue
            significant = True
            effect = by_name[test.effect or test.name]
            if effect.floor is None or effect.value >= effect.floor:
                floor = "" if effect.floor is None else f" reaches its floor {effect.floor:.4g}"
                return "drift", (
                    f"{test.name} significant (adjusted p={test.adjusted_p_value:.3g} "
                    f"< {self.alpha}) and {effect.name}={effect.value:.4g}{floor}"
                )
        if significant:
            return "no_drift", "significant, but no effect size reaches its floor"
        return "no_drift", f"no test significant at alpha={self.alpha} after correction"


def _with_adjusted(statistic: Statistic, adjusted: float | None) -> Statistic:
    if adjusted is None:
        return statistic
    return Statistic(
        statistic.name,
        statistic.value,
        statistic.p_value,
        adjusted,
        statistic.floor,
        statistic.effect,
    )
