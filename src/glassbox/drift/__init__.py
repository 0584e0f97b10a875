"""Drift monitors: reference profiles, two-sample tests and a size-aware decision rule.

Build a :class:`Profile` from reference data once and save it; a :class:`Monitor`
compares current windows with it and returns a :class:`DriftReport`, which
:func:`publish` (in-process) or :func:`push` (Pushgateway) turns into the
``glassbox_drift_*`` metrics. See ``docs/drift.md``.
"""

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
    "FORMAT_VERSION",
    "JOB",
    "OUTPUT_FEATURES",
    "REFUSAL_PHRASES",
    "UNSEEN",
    "CategoricalProfile",
    "DataError",
    "DriftReport",
    "EmbeddingProfile",
    "EmbeddingTest",
    "FeatureResult",
    "Monitor",
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
    "expand_text",
    "is_refusal",
    "jensen_shannon",
    "ks_test",
    "mmd_test",
    "output_features",
    "psi",
    "publish",
    "push",
    "read_columns",
    "registry_for",
    "wasserstein",
]
