"""Drift scenarios for the power study, built with numpy only.

This module imports nothing from ``glassbox``: the data the monitors are judged on is
generated independently of the code under test. Every scenario is a function
``(rng, rows) -> columns`` for the reference and one for the current window; a "null"
scenario draws both from the same process.

Two scenario sets:

* ``DEVELOPMENT``: what the tests and their combination were chosen on.
* ``HELD_BACK``: other base distributions, other features drifting, other kinds of
  drift, other embedding geometry and seeds. Never used while choosing the tests;
  the figures in ``docs/drift.md`` report both, the held-back ones first.

Scalar telemetry mimics per-request features of chat traffic: response ``length``
(characters, log-normal, integer), ``latency`` (seconds, correlated with length, a
slow mode), ``refusal`` (0/1 flag, a rate of a few percent), ``sentiment`` (a VADER-like
compound score in ``[-1, 1]`` with many exact zeros) and ``language`` (codes with a
Zipf-like mix). Embeddings mimic normalised sentence embeddings (384 dimensions):
topics are anisotropic clusters around directions that share a common component (so
cosine similarities are positive, as in real sentence-embedding models), mixed with
Zipf-like weights, and each row is normalised to unit length.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Columns = dict[str, Any]
Draw = Callable[[np.random.Generator, int], Columns]

LANGUAGES = ("en", "es", "de", "fr", "pt", "it", "ja", "zh", "nl")


# --------------------------------------------------------------------------- scalars


@dataclass(frozen=True)
class Telemetry:
    """Parameters of the per-request telemetry process (one drift changes one of them)."""

    log_length_mean: float = 6.0
    log_length_sd: float = 0.7
    length_tail: float = 0.0  # share of responses with a Pareto-inflated length
    latency_base: float = 0.4
    latency_per_char: float = 0.0025
    latency_sd: float = 0.35
    latency_slow: float = 0.03  # share of calls in a slow mode (retries, queueing)
    latency_tail: float = 0.0
    latency_mean_factor: float = 1.0
    refusal_rate: float = 0.04
    sentiment_mean: float = 0.25
    sentiment_sd: float = 0.45
    sentiment_neutral: float = 0.3  # share of exact 0.0 scores
    language_weights: tuple[float, ...] = (0.55, 0.12, 0.08, 0.07, 0.06, 0.05, 0.03, 0.03, 0.01)
    gamma_latency: bool = False  # the held-back set draws latency from a gamma model


def telemetry(params: Telemetry) -> Draw:
    """A draw function for the telemetry process with ``params``."""

    def draw(rng: np.random.Generator, rows: int) -> Columns:
        p = params
        log_length = rng.normal(p.log_length_mean, p.log_length_sd, rows)
        length = np.exp(log_length)
        if p.length_tail:
            tail = rng.random(rows) < p.length_tail
            length[tail] *= 1.0 + rng.pareto(1.5, tail.sum())
        length = np.maximum(np.round(length), 1.0)
        if p.gamma_latency:
            noise = rng.gamma(4.0, 0.25, rows) * np.exp(rng.normal(0, p.latency_sd / 2, rows))
        else:
            noise = np.exp(rng.normal(0, p.latency_sd, rows))
        latency = (p.latency_base + p.latency_per_char * length) * noise * p.latency_mean_factor
        slow = rng.random(rows) < p.latency_slow
        latency[slow] += rng.exponential(4.0, slow.sum())
        if p.latency_tail:
            tail = rng.random(rows) < p.latency_tail
            latency[tail] *= 1.0 + rng.pareto(1.2, tail.sum())
        refusal = (rng.random(rows) < p.refusal_rate).astype(np.float64)
        sentiment = np.tanh(rng.normal(p.sentiment_mean, p.sentiment_sd, rows))
        sentiment[rng.random(rows) < p.sentiment_neutral] = 0.0
        sentiment = np.round(sentiment, 4)
        weights = np.asarray(p.language_weights) / np.sum(p.language_weights)
        language = rng.choice(LANGUAGES[: len(weights)], rows, p=weights)
        return {
            "length": length,
            "latency": latency,
            "refusal": refusal,
            "sentiment": sentiment,
            "language": language.tolist(),
        }

    return draw


def _shift_weight(weights: tuple[float, ...], index: int, points: float) -> tuple[float, ...]:
    """Move ``points`` of probability mass to category ``index`` from the others."""
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    others = np.arange(len(w)) != index
    w[others] *= (1 - w[index] - points) / w[others].sum()
    w[index] += points
    return tuple(float(v) for v in w)


# ------------------------------------------------------------------------ embeddings


@dataclass(frozen=True)
class Topics:
    """Geometry of a topic mixture of unit-norm sentence embeddings."""

    seed: int
    topics: int = 12
    dimensions: int = 384
    rank: int = 24  # within-topic variation lies mostly in a low-rank subspace
    common: float = 1.2  # weight of the direction all embeddings share
    spread: float = 0.9  # RMS length of the low-rank within-topic deviation (centres: ~1.5)
    noise: float = 0.35  # RMS length of the isotropic noise


class TopicSpace:
    """Fixed topic centres and within-topic factors from which rows are drawn."""

    def __init__(self, spec: Topics) -> None:
        rng = np.random.default_rng(spec.seed)
        d = spec.dimensions
        self.spec = spec
        common = rng.normal(size=d)
        common /= np.linalg.norm(common)
        self.common = common
        centres = rng.normal(size=(spec.topics + 4, d))
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        self.centres = centres + spec.common * common
        scales = np.geomspace(1.0, 0.1, spec.rank)
        scales *= spec.spread / np.sqrt(np.sum(scales**2))  # E|within-topic deviation|² = spread²
        factors = rng.normal(size=(spec.topics + 4, spec.rank, d)) / np.sqrt(d)
        self.factors = factors * scales[None, :, None]
        raw = 1.0 / np.arange(1, spec.topics + 1) ** 0.8
        self.weights = raw / raw.sum()

    def draw(
        self,
        rng: np.random.Generator,
        rows: int,
        *,
        weights: np.ndarray | None = None,
        offset: np.ndarray | None = None,
        spread: float = 1.0,
        extra_topic: float = 0.0,
    ) -> np.ndarray:
        """Rows of the mixture; ``extra_topic`` is the share drawn from an unseen topic."""
        w = self.weights if weights is None else weights
        topic = rng.choice(len(w), rows, p=w)
        if extra_topic:
            topic[rng.random(rows) < extra_topic] = self.spec.topics  # a topic never in w
        z = rng.normal(size=(rows, self.spec.rank)) * spread
        x = self.centres[topic] + np.einsum("nr,nrd->nd", z, self.factors[topic])
        x += rng.normal(size=x.shape) * self.spec.noise * spread / np.sqrt(self.spec.dimensions)
        if offset is not None:
            x += offset
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        return x.astype(np.float32)


def _embedding_draw(space: TopicSpace, **change: Any) -> Draw:
    def draw(rng: np.random.Generator, rows: int) -> Columns:
        return {"embedding": space.draw(rng, rows, **change)}

    return draw


def _topic_weights(space: TopicSpace, topic: int, points: float) -> np.ndarray:
    return np.asarray(_shift_weight(tuple(space.weights), topic, points))


def _direction(space: TopicSpace, seed: int, size: float) -> np.ndarray:
    """A random direction scaled to ``size`` times the mean within-topic distance."""
    v = np.random.default_rng(seed).normal(size=space.spec.dimensions)
    return np.asarray(v / np.linalg.norm(v) * size * space.spec.spread, dtype=np.float64)


# ------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenario:
    """One drift kind at one strength (``strength == "none"`` for the null)."""

    modality: str  # "scalars" or "embeddings"
    kind: str
    strength: str
    reference: Draw
    current: Draw
    reference_rows: int
    # What changed, for the oracle bounds (bounds.py): the drifting telemetry feature, or
    # the topic space and the keyword arguments of its draw. Draws do not read these.
    feature: str = ""
    space: TopicSpace | None = None
    change: dict[str, Any] = field(default_factory=dict)


def _scalar_set(base: Telemetry, changes: dict[str, dict[str, Telemetry]]) -> list[Scenario]:
    reference = telemetry(base)
    out = [Scenario("scalars", "none", "none", reference, reference, 10_000)]
    for kind, strengths in changes.items():
        feature = re.search(r"\((?:log )?(\w+)", kind).group(1)  # type: ignore[union-attr]
        for strength, params in strengths.items():
            current = telemetry(params)
            out.append(Scenario("scalars", kind, strength, reference, current, 10_000, feature))
    return out


def _embedding_set(
    space: TopicSpace, changes: dict[str, dict[str, dict[str, Any]]]
) -> list[Scenario]:
    reference = _embedding_draw(space)
    out = [Scenario("embeddings", "none", "none", reference, reference, 2_000, space=space)]
    for kind, strengths in changes.items():
        for strength, change in strengths.items():
            current = _embedding_draw(space, **change)
            out.append(
                Scenario("embeddings", kind, strength, reference, current, 2_000, "", space, change)
            )
    return out


def development() -> list[Scenario]:
    """The scenarios the tests were chosen on."""
    from dataclasses import replace

    b = Telemetry()
    scalars = _scalar_set(
        b,
        {
            "mean shift (sentiment)": {
                "0.15 sd": replace(b, sentiment_mean=b.sentiment_mean + 0.15 * b.sentiment_sd),
                "0.3 sd": replace(b, sentiment_mean=b.sentiment_mean + 0.3 * b.sentiment_sd),
            },
            "variance (log length)": {
                "x1.15": replace(b, log_length_sd=b.log_length_sd * 1.15),
                "x1.3": replace(b, log_length_sd=b.log_length_sd * 1.3),
            },
            "heavy tail (latency)": {
                "3%": replace(b, latency_tail=0.03),
                "6%": replace(b, latency_tail=0.06),
            },
            "rate (refusal 4%)": {
                "+1 pt": replace(b, refusal_rate=0.05),
                "+2 pt": replace(b, refusal_rate=0.06),
            },
            "category mix (language)": {
                "+2 pt": replace(b, language_weights=_shift_weight(b.language_weights, 2, 0.02)),
                "+5 pt": replace(b, language_weights=_shift_weight(b.language_weights, 2, 0.05)),
            },
        },
    )
    space = TopicSpace(Topics(seed=11))
    embeddings = _embedding_set(
        space,
        {
            "topic mix": {
                "+3 pt": {"weights": _topic_weights(space, 3, 0.03)},
                "+6 pt": {"weights": _topic_weights(space, 3, 0.06)},
            },
            "new topic": {"2%": {"extra_topic": 0.02}, "5%": {"extra_topic": 0.05}},
            "semantic shift": {
                "0.05": {"offset": _direction(space, 1, 0.05)},
                "0.1": {"offset": _direction(space, 1, 0.1)},
            },
        },
    )
    return scalars + embeddings


def held_back() -> list[Scenario]:
    """Scenarios never used while choosing the tests (other processes and drifts)."""
    from dataclasses import replace

    b = Telemetry(
        log_length_mean=5.5,
        log_length_sd=0.9,
        latency_sd=0.25,
        latency_slow=0.05,
        refusal_rate=0.02,
        sentiment_mean=0.1,
        sentiment_sd=0.6,
        sentiment_neutral=0.15,
        language_weights=(0.4, 0.2, 0.1, 0.1, 0.08, 0.06, 0.04, 0.02),
        gamma_latency=True,
    )
    scalars = _scalar_set(
        b,
        {
            "mean shift (latency)": {
                "x1.05": replace(b, latency_mean_factor=1.05),
                "x1.1": replace(b, latency_mean_factor=1.1),
            },
            "variance (sentiment)": {
                "x1.15": replace(b, sentiment_sd=b.sentiment_sd * 1.15),
                "x1.3": replace(b, sentiment_sd=b.sentiment_sd * 1.3),
            },
            "heavy tail (length)": {
                "3%": replace(b, length_tail=0.03),
                "6%": replace(b, length_tail=0.06),
            },
            "rate (refusal 2%)": {
                "+1 pt": replace(b, refusal_rate=0.03),
                "+2 pt": replace(b, refusal_rate=0.04),
            },
            "new category (language)": {
                "1%": replace(b, language_weights=(*b.language_weights, 0.01)),
                "3%": replace(b, language_weights=(*b.language_weights, 0.03)),
            },
        },
    )
    space = TopicSpace(Topics(seed=29, topics=20, rank=32, common=0.8, spread=1.1, noise=0.5))
    rebalanced = space.weights.copy()
    rebalanced[:2] *= 0.85
    rebalanced /= rebalanced.sum()
    strongly = space.weights.copy()
    strongly[:2] *= 0.7
    strongly /= strongly.sum()
    embeddings = _embedding_set(
        space,
        {
            "topic drop": {
                "top topic -15%": {"weights": rebalanced},
                "top topics -30%": {"weights": strongly},
            },
            "spread": {"x1.1": {"spread": 1.1}, "x1.2": {"spread": 1.2}},
            "new topic": {"3%": {"extra_topic": 0.03}, "6%": {"extra_topic": 0.06}},
        },
    )
    return scalars + embeddings
