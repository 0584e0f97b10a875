"""The baselines the issue compares against, called through their own public APIs.

* ``evidently_detector``: Evidently 0.7's ``DataDriftPreset`` with its defaults (column
  types inferred; per column KS when the reference has at most 1,000 rows, else the
  normed Wasserstein distance > 0.1 for numbers and the Jensen–Shannon distance > 0.1
  for categories). The verdict counted is "some column drifted" (``DriftedColumnsCount``
  > 0), the same question Glassbox's ``report.drift`` answers; Evidently's own
  dataset-level flag needs half of the columns, which one drifting feature of five
  never reaches.
* ``alibi_detector``: alibi-detect 0.13's ``MMDDrift`` (PyTorch backend on the CPU,
  Gaussian RBF kernel with its default median-heuristic bandwidth, 100 permutations,
  ``p_val = 0.05``).

Each runs in its own virtual environment (``make drift-baselines``); neither is a
dependency of Glassbox or of its tests.
"""

from __future__ import annotations

from typing import Any

Columns = dict[str, Any]


def evidently_detector(reference: Columns, current: Columns, trial: int) -> bool:
    """Evidently's data-drift preset: did any column drift?"""
    import pandas as pd
    from evidently import Dataset, Report
    from evidently.presets import DataDriftPreset

    snapshot = Report([DataDriftPreset()]).run(
        Dataset.from_pandas(pd.DataFrame(current)), Dataset.from_pandas(pd.DataFrame(reference))
    )
    for metric in snapshot.dict()["metrics"]:
        if metric["config"]["type"].endswith("DriftedColumnsCount"):
            return bool(metric["value"]["count"] > 0)
    raise RuntimeError("Evidently's report has no DriftedColumnsCount metric")


def alibi_detector(reference: Columns, current: Columns, trial: int) -> bool:
    """alibi-detect's MMD drift detector with its defaults."""
    import torch
    from alibi_detect.cd import MMDDrift

    torch.set_num_threads(1)
    torch.manual_seed(trial)
    detector = MMDDrift(reference["embedding"], backend="pytorch", p_val=0.05, device="cpu")
    result = detector.predict(current["embedding"])
    return bool(result["data"]["is_drift"])
