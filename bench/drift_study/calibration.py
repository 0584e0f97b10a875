"""Calibration checks behind the false-alarm figures of ``docs/drift.md``.

Three checks, on data generated without Glassbox (``scenarios`` and ``ranks``' own
three shapes):

* ``null-error``: how far a simulated null of ``--draws`` arrangements sits from the
  truth, measured against a much larger one (``--truth`` draws, another seed): the true
  size of the monitor's p-value at 1%, 2%, … 5% (the steps of Benjamini–Hochberg over
  five features). A fixed null per window size is shared
  by every check at that size, so its sampling error is that size's error. (This is the
  rank tests' null; the excess test's joint sample depends on the values, and ``monitor``
  measures the whole.)
* ``monitor``: the whole monitor on no-drift draws of the held-back telemetry (or the
  development one, ``--set development``; the study's trial seeding: data from
  ``(seed, window, trial)``, ``Monitor(seed=trial)``), with every feature's p-value
  kept: the false-alarm rate, each feature's share of p-values below 0.01 / 0.05 / 0.2
  with its standard error, and the rate Benjamini–Hochberg would give if the features'
  p-values were independent (each column shuffled across checks). ``--save`` keeps
  every p-value (each test's too) in an ``.npz`` archive.
* ``ranks``: the rank battery alone (tie-breaking, closed-form statistics, the fixed
  null) on i.i.d. continuous, integer and zero-inflated data, against what the fixed
  null of that size truly gives.

Run them on one core (``OPENBLAS_NUM_THREADS=1``: the profile's and the battery's
matrix products otherwise take a second core)::

    .venv/bin/python bench/drift_study/calibration.py null-error --window 200
    .venv/bin/python bench/drift_study/calibration.py monitor --window 200 --trials 3000 --seed 102
    .venv/bin/python bench/drift_study/calibration.py ranks --window 200 --checks 40000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from scenarios import development, held_back

SETS = {"held-back": held_back, "development": development}


LEVELS = (0.01, 0.02, 0.03, 0.04, 0.05)


def _true_size(sample: np.ndarray, large: np.ndarray, level: float) -> float:
    """``P(p <= level)`` of the monitor's p-value against ``sample`` when ``T ~ large``.

    The p-value is ``(#{sample > T} + U·(#{sample = T} + 1)) / (len(sample) + 1)``
    (:func:`glassbox.drift._rank.rank_battery`); the chance is exact over ``U`` and
    averaged over ``large``, a much larger null of another seed.
    """
    right = np.searchsorted(sample, large, side="right")
    above = len(sample) - right
    ties = right - np.searchsorted(sample, large, side="left")
    return float(np.clip((level * (len(sample) + 1) - above) / (ties + 1), 0.0, 1.0).mean())


def null_error(window: int, reference: int, draws: int, truth: int) -> None:
    """Print the true size of a ``draws``-sample null at Benjamini–Hochberg's steps."""
    from glassbox.drift import _rank

    sample = _rank._null(window, reference, draws)
    large = _rank._null(window, reference, truth)
    for level in LEVELS:
        error = np.sqrt(level * (1 - level) / truth)
        print(
            f"m={window} n={reference} draws={draws}: nominal {level:.0%}, "
            f"true size {_true_size(sample, large, level):.3%} (± {error:.3%}, "
            f"against {truth:,} draws)"
        )


_SHAPES = {
    "continuous": lambda rng, rows: rng.standard_normal(rows),
    "integer": lambda rng, rows: np.maximum(np.round(np.exp(rng.normal(5.5, 0.9, rows))), 1.0),
    "zero-inflated": lambda rng, rows: np.where(
        rng.random(rows) < 0.15, 0.0, np.round(np.tanh(rng.normal(0.1, 0.6, rows)), 4)
    ),
}


def ranks(window: int, reference: int, checks: int, seed: int) -> None:
    """Print how often the rank battery alone rejects on i.i.d. data of three shapes.

    Continuous, integer (rounded log-normal: many ties) and zero-inflated data, each
    ``checks`` times through :func:`glassbox.drift._rank.rank_battery` (tie-breaking and
    all), against what the fixed null of that size truly gives (its own error, measured
    against 200,000 draws): a fault in the path from data to ranks shows as a gap.
    """
    from glassbox.drift import _rank

    sample = _rank._null(window, reference, _rank.NULL_DRAWS)
    large = _rank._null(window, reference, 200_000)
    for index, (shape, draw) in enumerate(_SHAPES.items()):
        p = np.empty(checks)
        for check in range(checks):
            rng = np.random.default_rng([seed, index, check])
            base = np.sort(draw(rng, reference))
            p[check] = _rank.rank_battery(base, draw(rng, window), seed=check)[2]
        shares = ", ".join(
            f"<{level}: {(p < level).mean():.2%} ± {np.sqrt(level * (1 - level) / checks):.2%}"
            f" (null {_true_size(sample, large, level):.2%})"
            for level in (0.01, 0.02, 0.05)
        )
        print(f"{shape:<13} m={window} n={reference}, {checks} checks: {shares}")


def _bh_alarm(p_values: np.ndarray, alpha: float = 0.05) -> np.ndarray:
    ordered = np.sort(p_values, axis=1)
    steps = alpha * np.arange(1, p_values.shape[1] + 1) / p_values.shape[1]
    alarms: np.ndarray = (ordered <= steps).any(axis=1)
    return alarms


def _share(hits: np.ndarray) -> str:
    share = float(hits.mean())
    return f"{share:.2%} ± {np.sqrt(share * (1 - share) / len(hits)):.2%}"


def monitor(
    window: int, trials: int, seed: int, set_name: str = "held-back", save: Path | None = None
) -> None:
    """Print the monitor's false-alarm rate and every feature's p-value shares.

    With ``save``, every check's per-feature combined p-values (and each scalar test's
    own p-value) go to an ``.npz`` archive for further analysis.
    """
    from glassbox.drift import Monitor, Profile

    scenario = SETS[set_name]()[0]
    assert scenario.kind == "none"
    assert scenario.modality == "scalars"
    names: list[str] = []
    rows, alarms = [], 0
    tests: dict[str, list[float]] = {}
    for trial in range(trials):
        rng = np.random.default_rng([seed, window, trial])
        reference = scenario.reference(rng, scenario.reference_rows)
        report = Monitor(Profile.build(reference, seed=trial), seed=trial).check(
            scenario.current(rng, window)
        )
        names = [f.feature for f in report.features]
        rows.append([f.statistics[0].p_value or 1.0 for f in report.features])
        for f in report.features:
            for s in f.statistics[1:]:
                if s.p_value is not None:
                    tests.setdefault(f"{f.feature}.{s.name}", []).append(s.p_value)
        alarms += report.drift is True
    p_values = np.asarray(rows)
    rate = alarms / trials
    print(
        f"{set_name}, window {window}, {trials} checks, seed {seed}: false alarms {alarms} "
        f"({rate:.2%} ± {np.sqrt(rate * (1 - rate) / trials):.2%})"
    )
    for i, name in enumerate(names):
        shares = ", ".join(f"<{q}: {_share(p_values[:, i] < q)}" for q in (0.01, 0.05, 0.2))
        print(f"  {name:<10} {shares}")
    rng = np.random.default_rng(0)
    shuffled = [
        _bh_alarm(np.column_stack([rng.permutation(column) for column in p_values.T])).mean()
        for _ in range(200)
    ]
    print(f"  BH on independently shuffled columns: {np.mean(shuffled):.2%}")
    if save is not None:
        arrays = {f"combined.{name}": p_values[:, i] for i, name in enumerate(names)}
        arrays.update({name: np.asarray(ps) for name, ps in tests.items()})
        np.savez_compressed(save, **arrays)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    error = sub.add_parser("null-error", help="sampling error of a simulated null")
    error.add_argument("--window", type=int, default=200)
    error.add_argument("--reference", type=int, default=10_000)
    error.add_argument("--draws", type=int, default=19_999)
    error.add_argument("--truth", type=int, default=200_000)
    check = sub.add_parser("monitor", help="the monitor's false alarms, per feature")
    check.add_argument("--window", type=int, default=200)
    check.add_argument("--trials", type=int, default=3000)
    check.add_argument("--seed", type=int, default=102)
    check.add_argument("--set", choices=sorted(SETS), default="held-back", dest="set_name")
    check.add_argument("--save", type=Path, help="keep every p-value in this .npz archive")
    battery = sub.add_parser("ranks", help="the rank battery alone on i.i.d. data")
    battery.add_argument("--window", type=int, default=200)
    battery.add_argument("--reference", type=int, default=10_000)
    battery.add_argument("--checks", type=int, default=40_000)
    battery.add_argument("--seed", type=int, default=7777)
    args = parser.parse_args()
    if args.command == "null-error":
        null_error(args.window, args.reference, args.draws, args.truth)
    elif args.command == "ranks":
        ranks(args.window, args.reference, args.checks, args.seed)
    else:
        monitor(args.window, args.trials, args.seed, args.set_name, args.save)


if __name__ == "__main__":
    main()
