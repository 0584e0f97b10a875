"""Reference profiles: what they keep, how they save, and held-out projections."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from glassbox.drift import FORMAT_VERSION, UNSEEN, Profile, ProfileError
from glassbox.drift._profile import CategoricalProfile, EmbeddingProfile, ScalarProfile


def test_build_infers_kinds_and_keeps_what_the_tests_need() -> None:
    rng = np.random.default_rng(0)
    before = time.time()
    profile = Profile.build(
        {
            "latency": rng.normal(size=50_000),
            "model": ["a"] * 30 + ["b"] * 20,
            "embedding": rng.normal(size=(300, 8)),
        },
        name="api",
        sample_size=1000,
        embedding_rows=100,
    )
    latency = profile.features["latency"]
    assert isinstance(latency, ScalarProfile)
    assert latency.rows == 50_000
    assert latency.counts.sum() == 50_000
    assert len(latency.counts) == len(latency.edges) + 1 == 10
    assert len(latency.sample) == 1000
    assert np.all(np.diff(latency.sample) >= 0)
    model = profile.features["model"]
    assert isinstance(model, CategoricalProfile)
    assert model.categories == ("a", "b", UNSEEN)
    assert model.counts.tolist() == [30, 20, 0]
    embedding = profile.features["embedding"]
    assert isinstance(embedding, EmbeddingProfile)
    assert embedding.sample.shape == (100, 8)
    assert profile.created_at >= before
    assert profile.format_version == FORMAT_VERSION


def test_non_finite_scalars_are_dropped_and_counted() -> None:
    profile = Profile.build({"x": [1.0, None, float("nan"), 2.0, 3.0]})
    x = profile.features["x"]
    assert isinstance(x, ScalarProfile)
    assert (x.rows, x.missing) == (3, 2)


def test_rare_categories_join_unseen() -> None:
    profile = Profile.build({"c": ["a"] * 5 + ["b"] * 3 + ["c"]}, max_categories=2)
    c = profile.features["c"]
    assert isinstance(c, CategoricalProfile)
    assert c.categories == ("a", "b", UNSEEN)
    assert c.count(["a", "c", "zzz"]).tolist() == [1, 0, 2]


def test_explicit_kinds_override_inference() -> None:
    profile = Profile.build({"status": [200, 200, 500]}, kinds={"status": "categorical"})
    assert profile.features["status"].kind == "categorical"


def test_projection_is_fitted_on_rows_never_compared() -> None:
    rows = np.arange(1000 * 4, dtype=np.float32).reshape(1000, 4)
    rows[:, 1] = np.arange(1000)  # row id, to trace which rows were sampled
    profile = Profile.build(
        {"e": rows}, projection="random", projection_dimensions=4, projection_rows=200,
        embedding_rows=2000,
    )  # fmt: skip
    embedding = profile.features["e"]
    assert isinstance(embedding, EmbeddingProfile)
    assert embedding.projection is not None
    assert len(embedding.sample) == 800  # 200 held out for fitting
    # Undo the projection to recover the sampled row ids: none may be a held-out row.
    components = embedding.projection.components
    recovered = embedding.sample @ np.linalg.pinv(components).T + embedding.projection.mean
    sampled = set(np.rint(recovered[:, 1]).astype(int).tolist())
    assert len(sampled) == 800
    held_out = set(range(1000)) - sampled
    assert len(held_out) == 200
    mean_of_held_out = rows[sorted(held_out)].mean(axis=0)
    np.testing.assert_allclose(embedding.projection.mean, mean_of_held_out, rtol=1e-5)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    profile = Profile.build(
        {"x": rng.normal(size=500), "c": ["a", "b"] * 50, "e": rng.normal(size=(60, 3))},
        name="svc", projection="pca", projection_dimensions=2, text_fields=("response",),
    )  # fmt: skip
    path = tmp_path / "svc.profile"
    profile.save(path)
    loaded = Profile.load(path)
    assert loaded.name == "svc"
    assert loaded.created_at == profile.created_at
    assert loaded.text_fields == ("response",)
    assert list(loaded.features) == ["x", "c", "e"]
    x, loaded_x = profile.features["x"], loaded.features["x"]
    assert isinstance(x, ScalarProfile)
    assert isinstance(loaded_x, ScalarProfile)
    np.testing.assert_array_equal(x.sample, loaded_x.sample)
    np.testing.assert_array_equal(x.edges, loaded_x.edges)
    e, loaded_e = profile.features["e"], loaded.features["e"]
    assert isinstance(e, EmbeddingProfile)
    assert isinstance(loaded_e, EmbeddingProfile)
    assert loaded_e.projection is not None
    assert e.projection is not None
    np.testing.assert_array_equal(e.projection.components, loaded_e.projection.components)


def test_load_rejects_other_files_and_newer_formats(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.profile"
    bogus.write_text("hello")
    with pytest.raises(ProfileError, match="not a Glassbox drift profile"):
        Profile.load(bogus)
    with pytest.raises(ProfileError, match="not a Glassbox drift profile"):
        Profile.load(tmp_path / "missing.profile")
    newer = Profile.build({"x": [1.0, 2.0]})
    object.__setattr__(newer, "format_version", FORMAT_VERSION + 1)
    newer.save(tmp_path / "newer.profile")
    with pytest.raises(ProfileError, match="upgrade Glassbox or rebuild"):
        Profile.load(tmp_path / "newer.profile")


def test_build_rejects_unusable_features() -> None:
    with pytest.raises(ProfileError, match="finite values"):
        Profile.build({"x": [float("nan")]})
    with pytest.raises(ProfileError, match="no features"):
        Profile.build({})
