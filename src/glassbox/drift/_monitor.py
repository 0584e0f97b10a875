"""Drift monitors: compare a current window with a reference profile and decide.

The decision rule holds at every window size:

1. Below ``min_samples`` rows (current or reference) a feature is reported as
   ``insufficient_data``, with no score.
2. Each feature runs a battery of tests, each most powerful against one kind of change,
   and gets one p-value: scalars run location, scale, shape (Cramér–von Mises,
   Anderson–Darling) and tail tests on pooled ranks, combined by the Cauchy
   combination and calibrated *exactly* by the simulated null of that window size
   (:mod:`glassbox.drift._rank`), or an exact rate test for a two-valued feature;
   categories run chi-square, or the rate test for two; embeddings run MMD² at five
   bandwidths, the centroid shift and nearest-neighbour counts (rows in
   neighbourhoods of their own: a new topic) on shared label permutations, the smallest
   p-value calibrated by the same permutations (:mod:`glassbox.drift._aggregate`),
   and the domain classifier when asked (then Cauchy-combined with the former).
3. The features' p-values form one Benjamini–Hochberg family; when no feature drifted
   that bounds the chance of any false alarm by ``alpha`` (Simes).
4. A feature drifted when its adjusted p-value is below ``alpha`` and every effect size
   with a practical minimum (``min_effect``) reaches it; without minimums,
   significance alone decides, so the false-alarm rate is ``alpha``, not far below it.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np

from glassbox.drift import _embedding, _rank, _stats
from glassbox.drift._aggregate import JOINT_TESTS, embedding_permutation_test
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
EmbeddingTestName = Literal[
    "classifier_auc", "mmd", "centroid", "whitened", "principal", "neighbours"
]


@dataclass(frozen=True)
class Statistic:
    """One statistic of one feature.

    Attributes:
        name: The ``statistic`` label value: ``combined``; tests ``mann_whitney``,
            ``klotz``, ``cvm``, ``anderson``, ``tail_upper``, ``tail_lower``, ``excess``,
            ``rate``, ``chi2``, ``residual``, ``classifier_auc``, ``mmd``, ``centroid``,
            ``whitened``, ``principal``, ``neighbours``;
            effects ``psi``, ``ks``, ``wasserstein``, ``js``.
        value: The statistic (a test statistic or an effect size).
        p_value: Raw p-value, for tests (``combined`` is the feature's own p-value, the
            one the decision uses).
        adjusted_p_value: Benjamini–Hochberg adjusted p-value, on ``combined`` only.
        floor: The practical minimum this effect must reach (``Monitor.min_effect``).
        effect: Kept for the report's schema; always ``None`` since every test counts.
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
        alpha: Significance level after Benjamini–Hochberg correction: the false-alarm
            rate of the whole monitor when nothing drifted.
        min_samples: Fewer current (or reference) rows than this give
            ``insufficient_data``.
        min_effect: Practical minimum effect by statistic name (``{"psi": 0.05}``): a
            significant change whose effect stays below it is not drift (for huge
            windows, where tiny changes are significant).
        embedding_tests: Which embedding tests run. MMD², the centroid (plain, whitened
            and in the principal axes) and the nearest-neighbour test by default; the
            domain classifier is opt-in, as it costs five model fits per check.
        permutations: Label permutations of the embedding test at 4,000 pooled rows
            (up to five times more at smaller sizes, for the same cost).
        max_embedding_rows: Current embedding rows beyond this are subsampled.
        seed: Seed of every random choice, so a check is reproducible.
    """

    profile: Profile
    name: str | None = None
    alpha: float = 0.05
    min_samples: int = 30
    min_effect: Mapping[str, float] = field(default_factory=dict)
    embedding_tests: Sequence[EmbeddingTestName] = (
        "mmd", "centroid", "whitened", "principal", "neighbours"
    )  # fmt: skip
    permutations: int = 200
    max_embedding_rows: int = 2_000
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must be between 0 and 1, got {self.alpha}")
        if self.min_samples < 2:
            raise ValueError(f"min_samples must be at least 2, got {self.min_samples}")
        unknown = set(self.embedding_tests) - set(get_args(EmbeddingTestName))
        if unknown:
            raise ValueError(
                f"unknown embedding tests {sorted(unknown)}; "
                "use classifier_auc, mmd, centroid, whitened, principal, neighbours"
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
            The report, with Benjamini–Hochberg applied across the features' combined
            p-values.
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

    def _feature_seed(self, feature: str) -> list[int]:
        """The seed of a feature's own random draws: the monitor's seed and the name."""
        return [self.seed, zlib.crc32(feature.encode())]

    def _uniform(self, feature: str) -> float:
        """A seeded uniform draw per feature: the randomisation of the discrete tests,
        which makes their p-values exactly uniform when nothing changed."""
        return float(np.random.default_rng(self._feature_seed(feature)).random())

    def _minimum(self, name: str) -> float | None:
        minimum = self.min_effect.get(name)
        return None if minimum is None else float(minimum)

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
        try:
            current, _ = scalar_values(values)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ProfileError(
                f"feature {feature!r}: the reference is numeric but the current values are "
                f"not all numbers ({exc}); pass numbers, or profile it as categorical "
                f"(kinds={{{feature!r}: 'categorical'}})"
            ) from exc
        m, n = len(current), len(reference.sample)
        if (short := self._too_small(feature, "scalar", m, n)) is not None:
            return short
        counts = _stats.bin_counts(current, reference.edges)
        levels = np.unique(np.concatenate([reference.sample, current]))
        if len(levels) <= 2:
            high_ref = int(np.count_nonzero(reference.sample == levels[-1]))
            high_cur = int(np.count_nonzero(current == levels[-1]))
            difference, p = _stats.rate_test(
                (n - high_ref, high_ref), (m - high_cur, high_cur), u=self._uniform(feature)
            )
            tests = [Statistic("combined", difference, p), Statistic("rate", difference, p)]
        else:
            battery, statistic, p = _rank.rank_battery(reference.sample, current, seed=self.seed)
            tests = [Statistic("combined", statistic, p)]
            tests += [Statistic(name, value, p_test) for name, value, p_test in battery]
        d = _stats.ks_statistic(reference.sample, current)
        effects = (
            Statistic("psi", _stats.psi(reference.counts, counts), floor=self._minimum("psi")),
            Statistic("ks", d, floor=self._minimum("ks")),
            Statistic(
                "wasserstein",
                _stats.wasserstein(reference.sample, current, reference.std),
                floor=self._minimum("wasserstein"),
            ),
        )
        return FeatureResult(feature, "scalar", "no_drift", m, n, (*tests, *effects))

    def _categorical(
        self, feature: str, reference: CategoricalProfile, values: Any
    ) -> FeatureResult:
        strings = categorical_values(values)
        m, n = len(strings), reference.rows
        if (short := self._too_small(feature, "categorical", m, n)) is not None:
            return short
        counts = reference.count(strings)
        occurring = (reference.counts + counts) > 0
        if int(np.count_nonzero(occurring)) == 2:
            difference, p = _stats.rate_test(
                reference.counts[occurring], counts[occurring], u=self._uniform(feature)
            )
            tests: tuple[Statistic, ...] = (Statistic("rate", difference, p),)
        else:
            chi2, chi2_p = _stats.chi_square(
                reference.counts, counts, seed=self.seed, u=self._uniform(feature)
            )
            residual, residual_p, p = _stats.category_shift_test(
                reference.counts, counts, seed=self._feature_seed(feature)
            )
            tests = (Statistic("chi2", chi2, chi2_p), Statistic("residual", residual, residual_p))
        js = _stats.jensen_shannon(reference.counts, counts)
        combined = Statistic("combined", tests[0].value, p)
        statistics = (combined, *tests, Statistic("js", js, floor=self._minimum("js")))
        return FeatureResult(feature, "categorical", "no_drift", m, n, statistics)

    def _embedding(self, feature: str, reference: EmbeddingProfile, values: Any) -> FeatureResult:
        try:
            rows = np.asarray(values, dtype=np.float32)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ProfileError(
                f"feature {feature!r}: current embeddings are not a matrix of numbers ({exc}); "
                f"pass rows of {reference.dimensions} numbers each"
            ) from exc
        if rows.ndim != 2 or (len(rows) and rows.shape[1] != reference.dimensions):
            raise ProfileError(
                f"feature {feature!r}: current embeddings have shape {rows.shape}, "
                f"the reference has {reference.dimensions} dimensions"
            )
        if rows.ndim == 2:
            rows = rows[np.isfinite(rows).all(axis=1)]  # rows with NaN/inf are dropped
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
        p_values: list[float] = []
        if set(JOINT_TESTS) & set(self.embedding_tests):
            joint = embedding_permutation_test(
                reference.sample,
                rows,
                permutations=self.permutations,
                mmd="mmd" in self.embedding_tests,
                centroid="centroid" in self.embedding_tests,
                neighbours="neighbours" in self.embedding_tests,
                whitened="whitened" in self.embedding_tests,
                principal="principal" in self.embedding_tests,
                seed=self.seed,
            )
            p_values.append(joint.p_value)
            statistics.extend(
                Statistic(name, value, p, floor=self._minimum(name))
                for name, value, p in joint.tests()
            )
        if "classifier_auc" in self.embedding_tests:
            result = _embedding.classifier_test(
                reference.sample, rows, alpha=self.alpha, seed=self.seed
            )
            p_values.append(result.p_value)
            statistics.append(
                Statistic("classifier_auc", result.statistic, result.p_value,
                          floor=self._minimum("classifier_auc"))
            )  # fmt: skip
        statistic, p = (
            (0.0, p_values[0]) if len(p_values) == 1 else _stats.cauchy_combination(p_values)
        )
        combined = Statistic("combined", statistic, p)
        return FeatureResult(feature, "embedding", "no_drift", m, n, (combined, *statistics))

    def _decide(self, partial: list[FeatureResult]) -> tuple[FeatureResult, ...]:
        tested = [i for i, result in enumerate(partial) if result.status != "insufficient_data"]
        combined = [partial[i].statistics[0] for i in tested]
        adjusted = dict(
            zip(
                tested,
                _stats.benjamini_hochberg([s.p_value or 1.0 for s in combined]),
                strict=True,
            )
        )
        decided: list[FeatureResult] = []
        for i, result in enumerate(partial):
            if i not in adjusted:
                decided.append(result)
                continue
            first, *rest = result.statistics
            test = Statistic("combined", first.value, first.p_value, adjusted[i])
            statistics = (test, *rest)
            status, reason = self._verdict(test, tuple(rest))
            decided.append(
                FeatureResult(result.feature, result.kind, status, result.samples,
                              result.reference_samples, statistics, reason)
            )  # fmt: skip
        return tuple(decided)

    def _verdict(
        self, combined: Statistic, statistics: tuple[Statistic, ...]
    ) -> tuple[Status, str]:
        adjusted = combined.adjusted_p_value
        if adjusted is None or adjusted >= self.alpha:
            return "no_drift", f"no change significant at alpha={self.alpha} after correction"
        strongest = min(
            (s for s in statistics if s.p_value is not None), key=lambda s: s.p_value or 0.0
        )
        below = [s for s in statistics if s.floor is not None and s.value < s.floor]
        if below:
            names = ", ".join(f"{s.name}={s.value:.4g} < {s.floor:.4g}" for s in below)
            return "no_drift", f"significant, but below the practical minimum: {names}"
        return "drift", (
            f"significant (adjusted p={adjusted:.3g} < {self.alpha}); strongest test "
            f"{strongest.name} (p={strongest.p_value:.3g}, value {strongest.value:.4g})"
        )
