"""Drift monitors: reference profiles, two-sample tests and a size-aware decision rule.

Build a :class:`Profile` from reference data once and save it; a :class:`Monitor`
compares current windows with it and returns a :class:`DriftReport`, which
:func:`publish` (in-process) or :func:`push` (Pushgateway) turns into the
``glassbox_drift_*`` metrics. See ``docs/drift.md``.
"""

from glassbox.drift._aggregate import (
    BANDWIDTH_FACTORS,
    PermutationResult,
    embedding_permutation_test,
)
from glassbox.drift._data import DataError, expand_text, read_columns
from glassbox.drift._embedding import (
    EmbeddingTest,
    Projection,
    centroid_test,
    classifier_test,
    mmd_test,
)
from glassbox.drift._features import OUTPUT_FEATURES, REFUSAL_PHRASES, is_refusal, output_features
from glassbox.drift._monitor import DriftReport, FeatureResult, Monitor, Statistic, Status
from glassbox.drift._profile import (
    FORMAT_VERSION,
    CategoricalProfile,
    EmbeddingProfile,
    Profile,
    ProfileError,
    ScalarProfile,
)
from glassbox.drift._publish import JOB, PushError, publish, push, registry_for
from glassbox.drift._rank import NULL_DRAWS, TAIL_SHARES, null_cache_clear, rank_battery
from glassbox.drift._stats import (
    UNSEEN,
    benjamini_hochberg,
    chi_square,
    jensen_shannon,
    ks_test,
    psi,
    wasserstein,
)
from glassbox.drift._window import Window

__all__ = [
    "BANDWIDTH_FACTORS",
    "FORMAT_VERSION",
    "JOB",
    "NULL_DRAWS",
    "OUTPUT_FEATURES",
    "REFUSAL_PHRASES",
    "TAIL_SHARES",
    "UNSEEN",
    "CategoricalProfile",
    "DataError",
    "DriftReport",
    "EmbeddingProfile",
    "EmbeddingTest",
    "FeatureResult",
    "Monitor",
    "PermutationResult",
    "Profile",
    "ProfileError",
    "Projection",
    "PushError",
    "ScalarProfile",
    "Statistic",
    "Status",
    "Window",
    "benjamini_hochberg",
    "centroid_test",
    "chi_square",
    "classifier_test",
    "embedding_permutation_test",
    "expand_text",
    "is_refusal",
    "jensen_shannon",
    "ks_test",
    "mmd_test",
    "null_cache_clear",
    "output_features",
    "psi",
    "publish",
    "push",
    "rank_battery",
    "read_columns",
    "registry_for",
    "wasserstein",
]
