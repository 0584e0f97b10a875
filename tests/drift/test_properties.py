"""Property tests: the public entry points never raise anything but their documented
errors, whatever the input (NaNs, infinities, constant columns, one-row windows,
huge values, mixed types), and every p-value they report is a probability."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glassbox.drift import Monitor, Profile, ProfileError

FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
ODD_FLOATS = st.one_of(
    FLOATS,
    st.sampled_from([0.0, 1.0, -1.0, 1e308, -1e308, 5e-324, math.nan]),
)
CELL = st.one_of(ODD_FLOATS, st.integers(-(2**60), 2**60), st.text(max_size=3), st.none(),
                 st.booleans())  # fmt: skip
COLUMN = st.one_of(
    st.lists(ODD_FLOATS, min_size=0, max_size=60),
    st.lists(CELL, min_size=0, max_size=60),
    st.lists(st.sampled_from(["en", "de", "fr"]), min_size=0, max_size=60),
    st.integers(0, 60).map(lambda n: [3.5] * n),  # a constant column
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_report(report: Any) -> None:
    assert report.drift in (True, False, None)
    for feature in report.features:
        for statistic in feature.statistics:
            for p in (statistic.p_value, statistic.adjusted_p_value):
                assert p is None or 0.0 <= p <= 1.0, (feature.feature, statistic)


@SETTINGS
@given(reference=COLUMN, current=COLUMN)
def test_scalar_and_categorical_columns_never_raise_undocumented_errors(
    reference: list[Any], current: list[Any]
) -> None:
    try:
        profile = Profile.build({"x": reference})
    except ProfileError:
        return
    try:
        report = Monitor(profile, min_samples=2).check({"x": current})
    except ProfileError as exc:
        message = str(exc)
    else:
        _check_report(report)
        return
    assert "'x'" in message


@SETTINGS
@given(
    rows=st.integers(1, 40),
    current_rows=st.integers(0, 40),
    dims=st.integers(1, 6),
    scale=st.sampled_from([0.0, 1.0, 1e-30, 1e30]),
    poison=st.sampled_from([None, math.nan, math.inf]),
)
def test_embeddings_never_raise_undocumented_errors(
    rows: int, current_rows: int, dims: int, scale: float, poison: float | None
) -> None:
    rng = np.random.default_rng(rows * 100 + current_rows)
    reference = rng.normal(size=(rows, dims)) * scale
    current = rng.normal(size=(current_rows, dims)) * scale
    if poison is not None and current_rows:
        current[0, 0] = poison
    try:
        profile = Profile.build({"e": reference})
        report = Monitor(profile, min_samples=2, permutations=20).check({"e": current})
    except ProfileError:
        return
    _check_report(report)


def test_a_scalar_profile_checked_against_words_names_the_feature() -> None:
    profile = Profile.build({"latency": np.arange(100.0)})
    with pytest.raises(ProfileError, match=r"'latency'.*not all numbers.*categorical"):
        Monitor(profile).check({"latency": ["fast"] * 50})


ROW_VALUE = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from([0.0, 1.0, -1.0, 1e300, -1e300, 5e-324]),
)


@SETTINGS
@given(
    shape=st.tuples(st.integers(2, 12), st.integers(2, 12), st.integers(1, 6)),
    data=st.data(),
)
def test_the_embedding_permutation_test_gives_probabilities_on_any_finite_rows(
    shape: tuple[int, int, int], data: st.DataObject
) -> None:
    """Constant rows, repeated rows, 1e300 beside 5e-324: every p-value is a probability."""
    from glassbox.drift import embedding_permutation_test

    n, m, d = shape
    rows = st.lists(ROW_VALUE, min_size=d, max_size=d)
    reference = np.array(data.draw(st.lists(rows, min_size=n, max_size=n)))
    current = np.array(data.draw(st.lists(rows, min_size=m, max_size=m)))
    result = embedding_permutation_test(reference, current, permutations=10)
    for p in (result.p_value, result.mmd_p, result.centroid_p, result.whitened_p,
              result.principal_p, result.neighbours_p):  # fmt: skip
        assert p is not None
        assert 0.0 < p <= 1.0
