"""Oracle bounds: the power no test can beat on the study's scenarios.

For every drift cell of :mod:`scenarios`, the power of a test that knows what no monitor
knows, at the same ``alpha`` (0.05) and window. Written to ``results/bound.json`` and
shown beside Glassbox in the tables of ``docs/drift.md`` (``study.py --tables``).

* **Scalars**: the Neyman–Pearson test of the window against the *exact* reference
  distribution (not a 10,000-row sample of it), for the one feature that drifted (not
  five), knowing how it drifted. Its log-likelihood ratio is estimated on bins from
  6 million draws of each process (500 quantile bins of the reference, evenly spaced in
  the logit of the level so they are finer towards both tails, down to levels of 2e-6,
  and log-spaced bins above its largest value, where a heavier tail lives; one bin per
  category); the
  threshold is simulated under the reference and randomised at ties, so the test's
  size is exactly ``alpha``. A likelihood ratio estimated on bins is a slightly weaker
  test than the true one, so each figure is an estimate of the bound from below
  (±0.01–0.02 between runs of different draws).
* **Embeddings, topic shares** (topic mix, topic drop): the randomised one-sided
  conditional (Fisher) test of the window's count of rows in the topics whose share
  grew, against the 2,000-row reference, knowing every row's topic. For these
  alternatives the likelihood ratio depends on that count alone, and the test is the
  most powerful of the tests whose size is ``alpha`` whatever the reference's topic
  shares — which every permutation test, Glassbox's included, is. Simulated, 40,000
  draws per cell.
* **Embeddings, new topic**: ``P(at least one row of it) + alpha · P(none)``: a window
  without such a row is distributed as a reference window.
* **Embeddings, spread and semantic shift**: tests that see each row's latent topic
  coordinates (the chi-square test of their scale; the z-test of the rows' projection
  on the known offset direction, topic centres subtracted). Both are 1.00 at every
  window of the study.

    .venv/bin/python bench/drift_study/bounds.py        # writes results/bound.json
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

from scenarios import Scenario  # noqa: E402
from study import RESULTS, SETS, WINDOWS  # noqa: E402

ALPHA = 0.05
DRAWS = 6_000_000  # per process, for the scalar likelihood ratio
NULL_WINDOWS = 4_000  # simulated reference windows per threshold
ALTERNATIVE_WINDOWS = 2_000
TOPIC_DRAWS = 40_000


def scalar_bound(scenario: Scenario, windows: tuple[int, ...], seed: int) -> list[float]:
    """Neyman–Pearson power per window for the drifting feature (estimated; see above)."""
    rng = np.random.default_rng(seed)
    feature = scenario.feature
    reference = np.asarray(scenario.reference(rng, DRAWS)[feature])
    current = np.asarray(scenario.current(rng, DRAWS)[feature])
    if reference.dtype.kind in "US":
        categories = np.union1d(reference, current)

        def code(values: np.ndarray) -> np.ndarray:
            return np.searchsorted(categories, values)

        bins = len(categories)
    else:
        levels = 1 / (1 + np.exp(-np.linspace(-13, 13, 501)))  # finer towards both tails
        edges = np.quantile(reference, levels)
        top = float(max(reference.max(), current.max()))
        if top > reference.max() > 0:
            edges = np.concatenate([edges, np.geomspace(reference.max(), top * 1.0001, 60)])
        edges = np.unique(edges)

        def code(values: np.ndarray) -> np.ndarray:
            return np.searchsorted(edges, values, side="right")

        bins = len(edges) + 1
    p = np.bincount(code(reference), minlength=bins) + 0.5
    q = np.bincount(code(current), minlength=bins) + 0.5
    ratio = np.log((q / q.sum()) / (p / p.sum()))
    out = []
    for m in windows:
        null = np.array([ratio[code(_column(scenario, "reference", rng, m))].sum()
                         for _ in range(NULL_WINDOWS)])  # fmt: skip
        alt = np.array([ratio[code(_column(scenario, "current", rng, m))].sum()
                        for _ in range(ALTERNATIVE_WINDOWS)])  # fmt: skip
        threshold = float(np.quantile(null, 1 - ALPHA))
        above, tied = float(np.mean(null > threshold)), float(np.mean(null == threshold))
        share = (ALPHA - above) / tied if tied else 0.0
        out.append(float(np.mean(alt > threshold) + share * np.mean(alt == threshold)))
    return out


def _column(scenario: Scenario, which: str, rng: np.random.Generator, rows: int) -> np.ndarray:
    draw = scenario.reference if which == "reference" else scenario.current
    return np.asarray(draw(rng, rows)[scenario.feature])


def embedding_bound(scenario: Scenario, windows: tuple[int, ...], seed: int) -> list[float]:
    """Oracle power per window for one embedding scenario (see the module docstring)."""
    space, change = scenario.space, scenario.change
    assert space is not None
    rng = np.random.default_rng(seed)
    n = scenario.reference_rows
    out = []
    for m in windows:
        if "weights" in change:
            before = space.weights / space.weights.sum()
            after = np.asarray(change["weights"]) / np.sum(change["weights"])
            grew = after > before
            p0, p1 = float(before[grew].sum()), float(after[grew].sum())
            out.append(share_test_power(p0, p1, n, m, rng))
        elif "extra_topic" in change:
            none = (1 - change["extra_topic"]) ** m
            out.append(1 - none + ALPHA * none)
        elif "spread" in change:
            dof = m * space.spec.rank
            critical = stats.chi2.isf(ALPHA, dof)
            out.append(float(stats.chi2.sf(critical / change["spread"] ** 2, dof)))
        elif "offset" in change:
            offset = np.asarray(change["offset"])
            size = float(np.linalg.norm(offset))
            direction = offset / size
            along = np.einsum("trd,d->tr", space.factors, direction)  # factor loadings
            topics = len(space.weights)
            variance = float(np.mean((along[:topics] ** 2).sum(axis=1)))
            variance += space.spec.noise**2 / space.spec.dimensions
            z = size * np.sqrt(m / variance)
            out.append(float(stats.norm.sf(stats.norm.isf(ALPHA) - z)))
        else:
            raise ValueError(f"no oracle for the change {sorted(change)}")
    return out


def share_test_power(p0: float, p1: float, n: int, m: int, rng: np.random.Generator) -> float:
    """Power of the randomised one-sided conditional test that a share grew from ``p0``
    (``n`` reference rows) to ``p1`` (``m`` window rows), simulated."""
    x_reference = rng.binomial(n, p0, TOPIC_DRAWS)
    x_current = rng.binomial(m, p1, TOPIC_DRAWS)
    pooled = x_reference + x_current
    above = stats.hypergeom.sf(x_current, n + m, pooled, m)
    tied = stats.hypergeom.pmf(x_current, n + m, pooled, m)
    p_values = above + rng.random(TOPIC_DRAWS) * tied
    return float(np.mean(p_values <= ALPHA))


def main() -> None:
    cells: dict[str, list[float]] = {}
    for set_name, (build, seed) in SETS.items():
        for scenario in build():
            windows = WINDOWS[scenario.modality]
            prefix = f"{set_name}|{scenario.modality}|{scenario.kind}|{scenario.strength}"
            if scenario.kind == "none":
                powers = [ALPHA] * len(windows)  # every oracle test has size alpha exactly
            elif scenario.modality == "scalars":
                powers = scalar_bound(scenario, windows, seed)
            else:
                powers = embedding_bound(scenario, windows, seed)
            for window, power in zip(windows, powers, strict=True):
                cells[f"{prefix}|{window}"] = [round(power, 4), 1]
            print(f"{prefix}: " + " ".join(f"{v:.2f}" for v in powers), flush=True)
    out = RESULTS / "bound.json"
    record = {"method": "bound", "alpha": ALPHA, "cells": cells}
    out.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    main()
