"""Power study of the drift monitors: false-alarm rate and power per kind, strength, window.

Runs every scenario of :mod:`scenarios` (built without Glassbox) through a fresh
:class:`glassbox.drift.Monitor` per trial: a new reference is drawn and profiled, a new
current window drawn and checked, and the monitor's overall verdict (``report.drift``)
is counted. For "none" scenarios that count is the false-alarm rate; otherwise it is
the power. A scalar monitor watches all five telemetry features at once while one of
them drifts, as in production.

    .venv/bin/python bench/drift_study/study.py                 # print the tables
    .venv/bin/python bench/drift_study/study.py --write         # also update docs/drift.md

The held-back scenarios were not used while choosing the tests; they come first.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

from scenarios import Scenario, development, held_back  # noqa: E402

from glassbox.drift import Monitor, Profile  # noqa: E402

WINDOWS = {"scalars": (50, 200, 1000, 5000), "embeddings": (50, 200, 1000, 2000)}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "drift.md"
BEGIN, END = "<!-- drift-study:begin -->", "<!-- drift-study:end -->"


def rate(scenario: Scenario, window: int, trials: int, seed: int) -> float:
    """Share of trials in which the monitor reported drift."""
    alarms = 0
    for trial in range(trials):
        rng = np.random.default_rng([seed, window, trial])
        profile = Profile.build(scenario.reference(rng, scenario.reference_rows), seed=trial)
        report = Monitor(profile, seed=trial).check(scenario.current(rng, window))
        alarms += report.drift is True
    return alarms / trials


def table(
    title: str, scenarios: list[Scenario], trials: int, null_trials: int, seed: int
) -> tuple[str, float, float]:
    """A markdown table of one scenario set and modality; returns (table, max FPR, mean power)."""
    windows = WINDOWS[scenarios[0].modality]
    lines = [
        f"**{title}** (false alarms over {null_trials} trials; power over {trials})",
        "",
        "| drift | strength | " + " | ".join(f"{w:,} rows" for w in windows) + " |",
        "|---|---|" + "---:|" * len(windows),
    ]
    fprs: list[float] = []
    powers: list[float] = []
    for scenario in scenarios:
        null = scenario.kind == "none"
        row = []
        for window in windows:
            start = time.perf_counter()
            value = rate(scenario, window, null_trials if null else trials, seed)
            (fprs if null else powers).append(value)
            row.append(f"{value:.2f}")
            print(
                f"  {scenario.modality} {scenario.kind} {scenario.strength} @{window}: "
                f"{value:.3f} ({time.perf_counter() - start:.0f}s)",
                file=sys.stderr,
            )
        label = "none (false-alarm rate)" if null else scenario.kind
        lines.append(f"| {label} | {scenario.strength if not null else '—'} | {' | '.join(row)} |")
    mean_power = float(np.mean(powers))
    lines += ["", f"Highest false-alarm rate {max(fprs):.3f}; mean power {mean_power:.2f}.", ""]
    return "\n".join(lines), max(fprs), mean_power


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="Update docs/drift.md.")
    parser.add_argument("--scalar-trials", type=int, default=60)
    parser.add_argument("--embedding-trials", type=int, default=10)
    parser.add_argument("--null-factor", type=int, default=3, help="Null trials per power trial.")
    parser.add_argument("--sets", default="held-back,development")
    parser.add_argument("--modalities", default="scalars,embeddings")
    args = parser.parse_args()
    sets = {"held-back": (held_back, 2), "development": (development, 1)}
    out: list[str] = []
    for set_name in args.sets.split(","):
        build, seed = sets[set_name]
        scenarios = build()
        for modality in args.modalities.split(","):
            chosen = [s for s in scenarios if s.modality == modality]
            trials = args.scalar_trials if modality == "scalars" else args.embedding_trials
            text, _, _ = table(
                f"{set_name}, {modality}", chosen, trials, trials * args.null_factor, seed
            )
            print(text)
            out.append(text)
    if args.write:
        docs = DOCS.read_text(encoding="utf-8")
        before, rest = docs.split(BEGIN)
        _, after = rest.split(END)
        DOCS.write_text(f"{before}{BEGIN}\n{chr(10).join(out)}\n{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    main()
