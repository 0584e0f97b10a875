"""Calibration checks behind the false-alarm figures of ``docs/drift.md``.

Two checks, both on data that ``scenarios`` generates without Glassbox:

* ``null-error``: how far a simulated null of ``--draws`` arrangements sits from the
  truth, measured against a much larger one (``--truth`` draws, another seed): the true
  size of the thresholds it puts at 1% and 5%. A fixed null per window size is shared
  by every check at that size, so its sampling error is that size's error.
* ``monitor``: the whole monitor on no-drift draws of the held-back telemetry (the
  study's trial seeding: data from ``(seed, window, trial)``, ``Monitor(seed=trial)``),
  with every feature's p-value kept: the false-alarm rate, each feature's share of
  p-values below 0.01 / 0.05 / 0.2, and the rate Benjamini–Hochberg would give if the
  features' p-values were independent (each column shuffled across checks).

    .venv/bin/python bench/drift_study/calibration.py null-error --window 200
    .venv/bin/python bench/drift_study/calibration.py monitor --window 200 --trials 3000 --seed 102
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from scenarios import held_back


def null_error(window: int, reference: int, draws: int, truth: int) -> None:
    """Print the true size of a ``draws``-sample null's 1% and 5% thresholds."""
    from glassbox.drift import _rank

    sample = _rank._null(window, reference, draws)
    large = _rank._null(window, reference, truth)
    for level in (0.01, 0.05):
        threshold = np.quantile(sample, 1 - level)
        print(
            f"m={window} n={reference} draws={draws}: nominal {level:.0%}, "
            f"true size {(large > threshold).mean():.2%} (against {truth:,} draws)"
        )


def _bh_alarm(p_values: np.ndarray, alpha: float = 0.05) -> np.ndarray:
    ordered = np.sort(p_values, axis=1)
    steps = alpha * np.arange(1, p_values.shape[1] + 1) / p_values.shape[1]
    alarms: np.ndarray = (ordered <= steps).any(axis=1)
    return alarms


def monitor(window: int, trials: int, seed: int) -> None:
    """Print the monitor's false-alarm rate and every feature's p-value shares."""
    from glassbox.drift import Monitor, Profile

    scenario = held_back()[0]
    assert scenario.kind == "none"
    assert scenario.modality == "scalars"
    names: list[str] = []
    rows, alarms = [], 0
    for trial in range(trials):
        rng = np.random.default_rng([seed, window, trial])
        reference = scenario.reference(rng, scenario.reference_rows)
        report = Monitor(Profile.build(reference, seed=trial), seed=trial).check(
            scenario.current(rng, window)
        )
        names = [f.feature for f in report.features]
        rows.append([f.statistics[0].p_value or 1.0 for f in report.features])
        alarms += report.drift is True
    p_values = np.asarray(rows)
    rate = alarms / trials
    print(
        f"window {window}, {trials} checks, seed {seed}: false alarms {alarms} "
        f"({rate:.2%} ± {np.sqrt(rate * (1 - rate) / trials):.2%})"
    )
    for i, name in enumerate(names):
        shares = ", ".join(f"<{q}: {(p_values[:, i] < q).mean():.2%}" for q in (0.01, 0.05, 0.2))
        print(f"  {name:<10} {shares}")
    rng = np.random.default_rng(0)
    shuffled = [
        _bh_alarm(np.column_stack([rng.permutation(column) for column in p_values.T])).mean()
        for _ in range(200)
    ]
    print(f"  BH on independently shuffled columns: {np.mean(shuffled):.2%}")


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
    args = parser.parse_args()
    if args.command == "null-error":
        null_error(args.window, args.reference, args.draws, args.truth)
    else:
        monitor(args.window, args.trials, args.seed)


if __name__ == "__main__":
    main()
