"""Power study of the drift monitors: false-alarm rate and power per kind, strength, window.

Runs every scenario of :mod:`scenarios` (built without Glassbox) through a detector per
trial: a new reference is drawn, a new current window drawn and checked, and the
detector's overall verdict is counted. For "none" scenarios that count is the
false-alarm rate; otherwise it is the power. A scalar monitor watches all five
telemetry features at once while one of them drifts, as in production.

The detector is Glassbox's :class:`~glassbox.drift.Monitor` or one of the baselines of
:mod:`baselines` (Evidently's data-drift preset, alibi-detect's ``MMDDrift``), each run
in its own virtual environment (``make drift-baselines``) on the very same draws: every
trial's data comes from a generator seeded by (set, scenario, window, trial) alone.

    .venv/bin/python bench/drift_study/study.py --out bench/drift_study/results/glassbox.json
    .venv/bin/python bench/drift_study/study.py --tables          # print the tables
    .venv/bin/python bench/drift_study/study.py --tables --write  # and update docs/drift.md

The held-back scenarios were not used while choosing the tests; they come first.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

from scenarios import Columns, Scenario, development, held_back  # noqa: E402

WINDOWS = {"scalars": (50, 200, 1000, 5000), "embeddings": (50, 200, 1000, 2000)}
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DOCS = HERE.parents[1] / "docs" / "drift.md"
BEGIN, END = "<!-- drift-study:begin -->", "<!-- drift-study:end -->"
SETS = {"held-back": (held_back, 2), "development": (development, 1)}
METHODS = {
    "glassbox": "Glassbox",
    "evidently": "Evidently",
    "alibi": "alibi-detect",
    "bound": "oracle bound",  # bounds.py: what no test can beat, not a detector
}

Detector = Callable[[Columns, Columns, int], bool]


def glassbox_detector(reference: Columns, current: Columns, trial: int) -> bool:
    """Glassbox's monitor with its defaults: does the report say drift?"""
    from glassbox.drift import Monitor, Profile

    profile = Profile.build(reference, seed=trial)
    return Monitor(profile, seed=trial).check(current).drift is True


def detector(method: str) -> Detector:
    """The detector called ``method``."""
    if method == "glassbox":
        return glassbox_detector
    import baselines

    chosen: Detector = getattr(baselines, f"{method}_detector")
    return chosen


def rate(
    scenario: Scenario, window: int, trials: int, seed: int, detect: Detector
) -> tuple[int, int]:
    """(alarms, trials) of one cell."""
    alarms = 0
    for trial in range(trials):
        rng = np.random.default_rng([seed, window, trial])
        reference = scenario.reference(rng, scenario.reference_rows)
        alarms += bool(detect(reference, scenario.current(rng, window), trial))
    return alarms, trials


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every cell of the chosen sets and modalities for one method."""
    detect = detector(args.method)
    cells: dict[str, Any] = {}
    for set_name in args.sets.split(","):
        build, seed = SETS[set_name]
        seed = seed if args.seed is None else args.seed
        for scenario in build():
            if scenario.modality not in args.modalities.split(","):
                continue
            if args.null_only and scenario.kind != "none":
                continue
            null = scenario.kind == "none"
            scalars = scenario.modality == "scalars"
            if scalars:
                trials = args.scalar_null_trials if null else args.scalar_trials
            else:
                trials = args.embedding_null_trials if null else args.embedding_trials
            for window in WINDOWS[scenario.modality]:
                if args.windows and str(window) not in args.windows.split(","):
                    continue
                start = time.perf_counter()
                alarms, count = rate(scenario, window, trials, seed, detect)
                key = f"{set_name}|{scenario.modality}|{scenario.kind}|{scenario.strength}|{window}"
                cells[key] = [alarms, count]
                print(
                    f"  {args.method} {key}: {alarms}/{count} ({time.perf_counter() - start:.0f}s)",
                    file=sys.stderr,
                    flush=True,
                )
    return cells


def tables() -> str:
    """Markdown tables of every set and modality from ``results/*.json``."""
    results = {
        method: json.loads((RESULTS / f"{method}.json").read_text(encoding="utf-8"))
        for method in METHODS
        if (RESULTS / f"{method}.json").exists()
    }
    ours = results["glassbox"]["cells"]
    others = [m for m in results if m != "glassbox"]
    out: list[str] = []
    for set_name in SETS:
        build, _ = SETS[set_name]
        for modality in ("scalars", "embeddings"):
            scenarios = [s for s in build() if s.modality == modality]
            windows = WINDOWS[modality]
            if f"{set_name}|{modality}|none|none|{windows[0]}" not in ours:
                continue
            shown = [
                m
                for m in others
                if any(
                    f"{set_name}|{modality}|none|none|{w}" in results[m]["cells"] for w in windows
                )
            ]
            names = " · ".join(METHODS[m] for m in ["glassbox", *shown])
            counts = _trial_counts(ours, set_name, modality, scenarios, windows)
            out += [
                f"**{set_name}, {modality}** ({names}; false alarms over {counts[0]} trials, "
                f"power over {counts[1]})",
                "",
                "| drift | strength | " + " | ".join(f"{w:,} rows" for w in windows) + " |",
                "|---|---|" + "---:|" * len(windows),
            ]
            summary: dict[str, tuple[list[float], list[float]]] = {
                m: ([], []) for m in ["glassbox", *shown]
            }
            for scenario in scenarios:
                null = scenario.kind == "none"
                row = []
                for window in windows:
                    key = f"{set_name}|{modality}|{scenario.kind}|{scenario.strength}|{window}"
                    values = []
                    for method in ["glassbox", *shown]:
                        if key not in results[method]["cells"]:
                            values.append("—")  # a baseline not run at this window
                            continue
                        alarms, count = results[method]["cells"][key]
                        value = alarms / count
                        summary[method][0 if null else 1].append(value)
                        values.append(f"{value:.2f}")
                    row.append(" · ".join(values))
                label = "none (false-alarm rate)" if null else scenario.kind
                strength = "—" if null else scenario.strength
                out.append(f"| {label} | {strength} | {' | '.join(row)} |")
            out.append("")
            for method, (fprs, powers) in summary.items():
                line = (
                    f"{METHODS[method]}: highest false-alarm rate {max(fprs):.3f}, "
                    f"mean power {float(np.mean(powers)):.2f}"
                )
                cells = results[method]["cells"]
                keys = [
                    k
                    for k in cells
                    if k.startswith(f"{set_name}|{modality}|") and "|none|none|" not in k
                ]
                if method != "glassbox" and len(keys) < len(powers_of(ours, set_name, modality)):
                    same = np.mean([ours[k][0] / ours[k][1] for k in keys])
                    line += f" (Glassbox on the same {len(keys)} cells: {same:.2f})"
                out.append(line + ".  ")
            out.append("")
    return "\n".join(out)


def powers_of(cells: dict[str, Any], set_name: str, modality: str) -> list[str]:
    """Keys of the drift (not null) cells of one set and modality."""
    return [k for k in cells if k.startswith(f"{set_name}|{modality}|") and "|none|none|" not in k]


def _trial_counts(
    cells: dict[str, Any], set_name: str, modality: str, scenarios: list[Scenario], windows: Any
) -> tuple[str, str]:
    null = {cells[f"{set_name}|{modality}|none|none|{w}"][1] for w in windows}
    power = {
        cells[f"{set_name}|{modality}|{s.kind}|{s.strength}|{w}"][1]
        for s in scenarios
        if s.kind != "none"
        for w in windows
    }
    return "/".join(str(v) for v in sorted(null)), "/".join(str(v) for v in sorted(power))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="glassbox", choices=sorted(set(METHODS) - {"bound"}))
    parser.add_argument("--out", type=Path, help="Write the cells to this JSON file.")
    parser.add_argument("--tables", action="store_true", help="Print tables from results/.")
    parser.add_argument("--write", action="store_true", help="With --tables: update the docs.")
    parser.add_argument("--scalar-trials", type=int, default=60)
    parser.add_argument("--scalar-null-trials", type=int, default=400)
    parser.add_argument("--embedding-trials", type=int, default=20)
    parser.add_argument("--embedding-null-trials", type=int, default=200)
    parser.add_argument("--sets", default="held-back,development")
    parser.add_argument(
        "--seed", type=int, help="Replace the set's seed (a re-check on other draws)."
    )
    parser.add_argument("--null-only", action="store_true", help="Only the no-drift cells.")
    parser.add_argument("--windows", default="", help="Only these windows (comma-separated).")
    parser.add_argument("--modalities", default="scalars,embeddings")
    args = parser.parse_args()
    if args.tables:
        text = tables()
        print(text)
        if args.write:
            docs = DOCS.read_text(encoding="utf-8")
            before, rest = docs.split(BEGIN)
            _, after = rest.split(END)
            DOCS.write_text(f"{before}{BEGIN}\n{text}\n{END}{after}", encoding="utf-8")
        return
    started = time.time()
    cells = run(args)
    record = {"method": args.method, "args": vars(args) | {"out": str(args.out)},
              "seconds": round(time.time() - started), "cells": cells}  # fmt: skip
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        previous = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
        record["cells"] = previous.get("cells", {}) | cells
        args.out.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    main()
