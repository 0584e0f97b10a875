"""Reference profiles: built once from reference data, saved, loaded by every check.

A profile keeps what each test needs and nothing more: for a scalar feature its quantile
bin edges, the bin counts of *all* reference values and a uniform sample for the
Kolmogorov–Smirnov and Wasserstein statistics; for a categorical feature the category
counts; for an embedding a uniform sample of rows for the multivariate tests and, when a
projection is used, the projection fitted on a held-out part of the reference.

Profiles are saved as one ``.npz`` archive (no pickles) with a JSON header carrying the
format version, the creation time and the Glassbox version.
"""

from __future__ import annotations

import io
import json
import math
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from glassbox._version import __version__
from glassbox.drift._embedding import Projection
from glassbox.drift._stats import UNSEEN, bin_counts, quantile_edges
from glassbox.exceptions import ProfileError

__all__ = [
    "FORMAT_VERSION",
    "CategoricalProfile",
    "Columns",
    "EmbeddingProfile",
    "FeatureKind",
    "Profile",
    "ProfileError",
    "ScalarProfile",
    "categorical_values",
    "infer_kind",
    "scalar_values",
]

#: Version of the saved profile format; loading a newer format fails with a clear error.
FORMAT_VERSION = 1

FeatureKind = Literal["scalar", "categorical", "embedding"]
#: Feature name → values: a 1-D sequence (scalar or categorical) or a 2-D array (embedding).
Columns = Mapping[str, Any]


@dataclass(frozen=True)
class ScalarProfile:
    """Reference of one numeric feature.

    Attributes:
        edges: Inner quantile bin edges (outer bins are open).
        counts: Reference counts per bin, over every reference value.
        sample: Sorted uniform sample of the reference values.
        std: Standard deviation of the reference (normalises Wasserstein).
        rows: Finite reference values seen.
        missing: Non-finite values dropped.
    """

    edges: npt.NDArray[np.float64]
    counts: npt.NDArray[np.int64]
    sample: npt.NDArray[np.float64]
    std: float
    rows: int
    missing: int = 0
    kind: FeatureKind = field(default="scalar", init=False)


@dataclass(frozen=True)
class CategoricalProfile:
    """Reference of one categorical feature.

    Attributes:
        categories: The profiled categories; the last is always :data:`UNSEEN`, which
            holds every value outside the others (rare reference values included).
        counts: Reference counts per category.
        rows: Reference values seen.
    """

    categories: tuple[str, ...]
    counts: npt.NDArray[np.int64]
    rows: int
    kind: FeatureKind = field(default="categorical", init=False)

    def count(self, values: Sequence[str]) -> npt.NDArray[np.int64]:
        """Counts of ``values`` per profiled category; unknown values go to UNSEEN."""
        index = {category: i for i, category in enumerate(self.categories)}
        unseen = len(self.categories) - 1
        counts = np.zeros(len(self.categories), dtype=np.int64)
        for value, count in Counter(values).items():
            counts[index.get(value, unseen)] += count
        return counts


@dataclass(frozen=True)
class EmbeddingProfile:
    """Reference of one embedding feature.

    Attributes:
        sample: Reference rows compared with current windows (already projected when
            :attr:`projection` is set).
        projection: Fitted on held-out reference rows that are *not* in ``sample``.
        dimensions: Dimensions of the raw embeddings.
        rows: Reference rows seen.
    """

    sample: npt.NDArray[np.float32]
    projection: Projection | None
    dimensions: int
    rows: int
    kind: FeatureKind = field(default="embedding", init=False)


FeatureProfile = ScalarProfile | CategoricalProfile | EmbeddingProfile


def infer_kind(values: Any) -> FeatureKind:
    """Guess a feature's kind: 2-D → embedding, numbers → scalar, anything else → categorical."""
    if isinstance(values, np.ndarray):
        if values.ndim == 2:
            return "embedding"
        if values.ndim == 1 and values.dtype.kind in "iuf":
            return "scalar"
        return "categorical"
    items = [v for v in values if v is not None]
    if items and all(isinstance(v, int | float) and not isinstance(v, bool) for v in items):
        return "scalar"
    if items and all(isinstance(v, list | tuple) for v in items):
        return "embedding"
    return "categorical"


def scalar_values(values: Any) -> tuple[npt.NDArray[np.float64], int]:
    """Finite values of a numeric column as float64, and how many were dropped."""
    array = np.asarray(
        [np.nan if v is None else v for v in values]
        if not isinstance(values, np.ndarray)
        else values,
        dtype=np.float64,
    ).ravel()
    finite = array[np.isfinite(array)]
    return finite, int(array.size - finite.size)


def categorical_values(values: Any) -> list[str]:
    """A column as category strings (``None`` becomes ``"null"``, booleans lower-case)."""
    out: list[str] = []
    for value in values.tolist() if isinstance(values, np.ndarray) else values:
        if value is None:
            out.append("null")
        elif isinstance(value, bool):
            out.append("true" if value else "false")
        else:
            out.append(str(value))
    return out


@dataclass(frozen=True)
class Profile:
    """A saved reference: one entry per feature, plus when and how it was built.

    Attributes:
        name: Default monitor name (the data file's stem when built by the CLI).
        features: Feature name → its profile.
        created_at: Unix time of creation.
        text_fields: Raw text fields whose output features this profile monitors;
            current data files are expanded the same way.
        format_version: :data:`FORMAT_VERSION` at creation.
        glassbox_version: The Glassbox version that built it.
    """

    name: str
    features: dict[str, FeatureProfile]
    created_at: float
    text_fields: tuple[str, ...] = ()
    format_version: int = FORMAT_VERSION
    glassbox_version: str = __version__

    @classmethod
    def build(
        cls,
        columns: Columns,
        *,
        name: str = "default",
        kinds: Mapping[str, FeatureKind] | None = None,
        bins: int = 10,
        sample_size: int = 10_000,
        embedding_rows: int = 2_000,
        max_categories: int = 200,
        projection: Literal["pca", "random"] | None = None,
        projection_dimensions: int = 32,
        projection_rows: int = 500,
        text_fields: Sequence[str] = (),
        seed: int = 0,
    ) -> Profile:
        """Build a profile from reference columns.

        Args:
            columns: Feature name → values (see :data:`Columns`).
            name: Default monitor name.
            kinds: Feature kinds where inference would guess wrong (numeric codes that
                are categories, say).
            bins: Quantile bins for PSI.
            sample_size: Scalar values kept for KS and Wasserstein.
            embedding_rows: Embedding rows kept for the multivariate tests.
            max_categories: Most frequent categories kept; rarer ones join UNSEEN.
            projection: Project embeddings (``"pca"`` or ``"random"``) before testing.
            projection_dimensions: Dimensions after projection.
            projection_rows: Reference rows held out to fit the projection; they are
                never among the rows later compared.
            text_fields: Recorded so checks expand raw text the same way.
            seed: Seed of every random choice, for reproducible profiles.

        Returns:
            The profile.

        Raises:
            ProfileError: A feature is empty or has an unusable shape.
        """
        rng = np.random.default_rng(seed)
        features: dict[str, FeatureProfile] = {}
        for feature, values in columns.items():
            kind = (kinds or {}).get(feature) or infer_kind(values)
            if kind == "scalar":
                features[feature] = _scalar(feature, values, bins, sample_size, rng)
            elif kind == "categorical":
                features[feature] = _categorical(feature, values, max_categories)
            else:
                features[feature] = _embedding(
                    feature, values, embedding_rows, projection, projection_dimensions,
                    projection_rows, rng,
                )  # fmt: skip
        if not features:
            raise ProfileError("no features to profile: the reference data has no columns")
        return cls(name, features, time.time(), tuple(text_fields))

    def save(self, path: str | Path) -> None:
        """Write the profile to ``path`` (an ``.npz`` archive; no pickles)."""
        arrays: dict[str, Any] = {}
        entries: list[dict[str, Any]] = []
        for i, (feature, profile) in enumerate(self.features.items()):
            entry: dict[str, Any] = {"name": feature, "kind": profile.kind, "rows": profile.rows}
            if isinstance(profile, ScalarProfile):
                entry.update(std=profile.std, missing=profile.missing)
                arrays.update({f"f{i}.edges": profile.edges, f"f{i}.counts": profile.counts})
                arrays[f"f{i}.sample"] = profile.sample
            elif isinstance(profile, CategoricalProfile):
                entry["categories"] = list(profile.categories)
                arrays[f"f{i}.counts"] = profile.counts
            else:
                entry["dimensions"] = profile.dimensions
                arrays[f"f{i}.sample"] = profile.sample
                if profile.projection is not None:
                    entry["projection"] = profile.projection.kind
                    arrays[f"f{i}.mean"] = profile.projection.mean
                    arrays[f"f{i}.components"] = profile.projection.components
            entries.append(entry)
        header = {
            "format": "glassbox-drift-profile",
            "format_version": self.format_version,
            "glassbox_version": self.glassbox_version,
            "name": self.name,
            "created_at": self.created_at,
            "text_fields": list(self.text_fields),
            "features": entries,
        }
        arrays["header"] = np.array(json.dumps(header))
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        Path(path).write_bytes(buffer.getvalue())

    @classmethod
    def load(cls, path: str | Path) -> Profile:
        """Read a profile written by :meth:`save`.

        Raises:
            ProfileError: The file is missing, not a profile, or from a newer format.
        """
        try:
            archive = np.load(Path(path), allow_pickle=False)
            header = json.loads(str(archive["header"]))
        except (OSError, ValueError, KeyError) as exc:
            raise ProfileError(f"{path} is not a Glassbox drift profile: {exc}") from exc
        if header.get("format") != "glassbox-drift-profile":
            raise ProfileError(f"{path} is not a Glassbox drift profile")
        version = int(header["format_version"])
        if version > FORMAT_VERSION:
            raise ProfileError(
                f"{path} uses profile format {version}, newer than this Glassbox "
                f"({FORMAT_VERSION}); upgrade Glassbox or rebuild the profile"
            )
        features: dict[str, FeatureProfile] = {}
        for i, entry in enumerate(header["features"]):
            features[entry["name"]] = _load_feature(archive, f"f{i}", entry)
        return cls(
            header["name"],
            features,
            float(header["created_at"]),
            tuple(header.get("text_fields", ())),
            version,
            header.get("glassbox_version", "unknown"),
        )


def _load_feature(archive: Any, key: str, entry: dict[str, Any]) -> FeatureProfile:
    if entry["kind"] == "scalar":
        return ScalarProfile(
            archive[f"{key}.edges"], archive[f"{key}.counts"], archive[f"{key}.sample"],
            float(entry["std"]), int(entry["rows"]), int(entry.get("missing", 0)),
        )  # fmt: skip
    if entry["kind"] == "categorical":
        return CategoricalProfile(
            tuple(entry["categories"]), archive[f"{key}.counts"], int(entry["rows"])
        )
    projection = None
    if "projection" in entry:
        projection = Projection(
            archive[f"{key}.mean"], archive[f"{key}.components"], entry["projection"]
        )
    return EmbeddingProfile(
        archive[f"{key}.sample"], projection, int(entry["dimensions"]), int(entry["rows"])
    )


def _scalar(
    feature: str, values: Any, bins: int, sample_size: int, rng: np.random.Generator
) -> ScalarProfile:
    finite, missing = scalar_values(values)
    if finite.size < 2:
        raise ProfileError(f"feature {feature!r} has {finite.size} finite values; need at least 2")
    edges = quantile_edges(finite, bins)
    sample = finite
    if finite.size > sample_size:
        sample = rng.choice(finite, sample_size, replace=False)
    with np.errstate(over="ignore", invalid="ignore"):
        std = float(finite.std())
    return ScalarProfile(
        edges, bin_counts(finite, edges), np.sort(sample), std if math.isfinite(std) else 0.0,
        int(finite.size), missing,
    )  # fmt: skip


def _categorical(feature: str, values: Any, max_categories: int) -> CategoricalProfile:
    strings = categorical_values(values)
    if not strings:
        raise ProfileError(f"feature {feature!r} has no values")
    counter = Counter(strings)
    counter.pop(UNSEEN, None)
    kept = [category for category, _ in counter.most_common(max_categories)]
    categories = (*sorted(kept), UNSEEN)
    profile = CategoricalProfile(categories, np.zeros(len(categories), np.int64), len(strings))
    return CategoricalProfile(categories, profile.count(strings), len(strings))


def _embedding(
    feature: str,
    values: Any,
    embedding_rows: int,
    projection: Literal["pca", "random"] | None,
    dimensions: int,
    projection_rows: int,
    rng: np.random.Generator,
) -> EmbeddingProfile:
    try:
        rows = np.asarray(values, dtype=np.float32)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ProfileError(
            f"feature {feature!r}: embeddings are not a matrix of numbers ({exc}); "
            "pass rows of equal length"
        ) from exc
    if rows.ndim == 2:
        rows = rows[np.isfinite(rows).all(axis=1)]  # rows with NaN/inf are dropped
    if rows.ndim != 2 or len(rows) < 4:
        raise ProfileError(
            f"feature {feature!r} must be a 2-D array of at least 4 embeddings, "
            f"got shape {rows.shape}"
        )
    order = rng.permutation(len(rows))
    fitted = None
    if projection is not None:
        held_out = min(projection_rows, len(rows) // 2)
        fitted = Projection.fit(rows[order[:held_out]], projection, dimensions, seed=int(order[0]))
        order = order[held_out:]
    sample = rows[np.sort(order[:embedding_rows])]
    if fitted is not None:
        sample = fitted.apply(sample)
    return EmbeddingProfile(sample, fitted, int(rows.shape[1]), len(rows))
