"""What the newsroom counts about itself while it runs (for the live view and summary)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["STAGES", "NewsroomStats", "SpanRow", "percentile"]

#: Pipeline stages, in order.
STAGES = ("ingest", "embed", "rank", "editor", "publish")


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..1) of ``values``; ``None`` when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class SpanRow:
    """One span of the slowest editor run, flattened for rendering.

    Attributes:
        depth: Nesting level below the run's root span.
        name: The span name.
        duration: Seconds.
        model: The request model of an LLM call, else ``""``.
        input_tokens: Input tokens of an LLM call.
        output_tokens: Output tokens of an LLM call.
        cost: Estimated US dollars of an LLM call, ``None`` when unpriced or not a call.
        error: The ``error.type`` attribute, ``""`` when the span succeeded.
    """

    depth: int
    name: str
    duration: float
    model: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None
    error: str = ""


@dataclass
class NewsroomStats:
    """Counters and stage latencies, updated from the event loop only.

    Attributes:
        items: Items per stage and outcome (``("embed", "failure")``).
        durations: Seconds per stage, every item (exact percentiles, not buckets).
        queue_depth: Items waiting for a worker.
        editor_runs: Finished editor runs.
        slowest_run: Seconds of the slowest editor run so far.
        slowest_trace: Its trace id.
        slowest_spans: Its span tree.
        drift_checks: Drift checks run; ``drift_detected`` those that found drift.
    """

    items: Counter[tuple[str, str]] = field(default_factory=Counter)
    durations: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STAGES})
    queue_depth: int = 0
    editor_runs: int = 0
    slowest_run: float = 0.0
    slowest_trace: str = ""
    slowest_spans: list[SpanRow] = field(default_factory=list)
    drift_checks: int = 0
    drift_detected: int = 0
    last_story: str = ""

    def record(self, stage: str, seconds: float, outcome: str = "success") -> None:
        """Count one item leaving ``stage`` after ``seconds``."""
        self.items[(stage, outcome)] += 1
        self.durations[stage].append(seconds)

    def count(self, stage: str, outcome: str = "success") -> int:
        return self.items[(stage, outcome)]

    def p95(self) -> dict[str, float | None]:
        """p95 seconds per stage."""
        return {stage: percentile(self.durations[stage], 0.95) for stage in STAGES}

    def to_json(self) -> dict[str, Any]:
        return {
            "items": {f"{s}:{o}": n for (s, o), n in sorted(self.items.items())},
            "p95_seconds": self.p95(),
            "editor_runs": self.editor_runs,
            "drift_checks": self.drift_checks,
        }
