"""Running a suite: task over every example, scorers over every output, a scorecard.

A task that raises on an example scores 0 on every scorer for that example (a failure
is a failure, not a missing sample) and is counted in :attr:`Scorecard.errors`.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import statistics
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from glassbox.evals._intervals import is_regression, mean_interval, wilson_interval
from glassbox.evals._suite import Suite, SuiteError

__all__ = ["MetricScore", "Scorecard", "load_scorecard", "run_suite"]

#: Called after each example with ``(done, total)``.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class MetricScore:
    """The score of one scorer over the suite.

    Attributes:
        name: The ``eval_metric`` label.
        score: Mean per-sample score in ``[0, 1]``.
        lower: Lower bound of the 95% interval.
        upper: Upper bound of the 95% interval.
        samples: Samples scored.
        std: Per-sample standard deviation (for later regression tests).
        binary: Every sample scored 0 or 1 (Wilson interval).
        baseline: The baseline's score, when a baseline was given.
        regression: The score fell below the baseline by more than sampling error.
    """

    name: str
    score: float
    lower: float
    upper: float
    samples: int
    std: float
    binary: bool
    baseline: float | None = None
    regression: bool = False


@dataclass(frozen=True)
class Scorecard:
    """The result of one suite run; its JSON form is the report.

    Attributes:
        suite: Suite name.
        started_at: Unix time the run started.
        finished_at: Unix time it finished (the ``last_run`` metric).
        metrics: One entry per scorer.
        errors: Examples whose task raised.
        error_messages: The first few task errors, for the report.
        example_scores: Per-example scores by scorer (no outputs: they may hold
            personal data).
    """

    suite: str
    started_at: float
    finished_at: float
    metrics: tuple[MetricScore, ...]
    errors: int = 0
    error_messages: tuple[str, ...] = ()
    example_scores: tuple[dict[str, float], ...] = field(default=(), repr=False)

    @property
    def regression(self) -> bool:
        """Whether any scorer regressed."""
        return any(metric.regression for metric in self.metrics)

    def metric(self, name: str) -> MetricScore:
        """The score of scorer ``name``."""
        for metric in self.metrics:
            if metric.name == name:
                return metric
        raise KeyError(f"suite {self.suite!r} has no scorer {name!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report."""
        return {
            "suite": self.suite,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "samples": len(self.example_scores),
            "errors": self.errors,
            "error_messages": list(self.error_messages),
            "regression": self.regression,
            "metrics": {
                m.name: {k: v for k, v in asdict(m).items() if k != "name"} for m in self.metrics
            },
            "examples": list(self.example_scores),
        }

    def save(self, path: str | Path) -> None:
        """Write the report as JSON (parent directories are created)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")


def load_scorecard(path: str | Path) -> dict[str, MetricScore]:
    """Read the per-scorer results of a saved report (a baseline).

    Raises:
        SuiteError: The file is missing or not a Glassbox eval report.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return {name: MetricScore(name=name, **values) for name, values in data["metrics"].items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SuiteError(f"baseline {path} is not a Glassbox eval report: {exc}") from exc


def _summarize(name: str, scores: list[float], baseline: MetricScore | None) -> MetricScore:
    n = len(scores)
    mean = statistics.fmean(scores) if scores else 0.0
    std = statistics.stdev(scores) if n > 1 else 0.0
    binary = all(s in (0.0, 1.0) for s in scores)
    lower, upper = wilson_interval(sum(scores), n) if binary else mean_interval(scores)
    regression = False
    if baseline is not None:
        regression = is_regression(
            baseline.score, baseline.samples, baseline.std, mean, n, std,
            binary=binary and baseline.binary,
        )  # fmt: skip
    return MetricScore(
        name, mean, lower, upper, n, std, binary,
        baseline.score if baseline is not None else None, regression,
    )  # fmt: skip


def _run_tasks(suite: Suite, on_progress: ProgressCallback | None) -> list[Any]:
    """Outputs per example (an exception instance where the task raised)."""
    total = len(suite.examples)
    outputs: list[Any] = [None] * total
    done = 0

    def finished() -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done, total)

    if inspect.iscoroutinefunction(suite.task):
        task = suite.task

        async def run_all() -> None:
            semaphore = asyncio.Semaphore(suite.concurrency)

            async def one(index: int) -> None:
                async with semaphore:
                    try:
                        outputs[index] = await task(suite.examples[index])
                    except Exception as exc:
                        outputs[index] = exc
                finished()

            await asyncio.gather(*(one(i) for i in range(total)))

        asyncio.run(run_all())
        return outputs

    def call(index: int) -> Any:
        try:
            return suite.task(suite.examples[index])
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=suite.concurrency) as pool:
        for index, output in enumerate(pool.map(call, range(total))):
            outputs[index] = output
            finished()
    return outputs


def run_suite(
    suite: Suite,
    *,
    baseline: Mapping[str, MetricScore] | None = None,
    on_progress: ProgressCallback | None = None,
) -> Scorecard:
    """Run ``suite``: the task on every example, then every scorer.

    Args:
        suite: The loaded suite.
        baseline: Earlier results to test for regressions; the suite's own
            ``baseline`` file when ``None``.
        on_progress: Called after each example with ``(done, total)``.

    Returns:
        The scorecard.

    Raises:
        SuiteError: A scorer failed or returned a value outside ``[0, 1]``.
    """
    if baseline is None and suite.baseline is not None:
        baseline = load_scorecard(suite.baseline)
    started = time.time()
    outputs = _run_tasks(suite, on_progress)
    per_scorer: dict[str, list[float]] = {spec.name: [] for spec in suite.scorers}
    example_scores: list[dict[str, float]] = []
    messages: list[str] = []
    for index, (example, output) in enumerate(zip(suite.examples, outputs, strict=True)):
        row: dict[str, float] = {}
        for spec in suite.scorers:
            if isinstance(output, Exception):
                value = 0.0
            else:
                try:
                    value = spec.score(output, example)
                except SuiteError:
                    raise
                except Exception as exc:
                    failure = f"{type(exc).__name__}: {exc}"
                    raise SuiteError(
                        f"scorer {spec.name!r} failed on example {index}: {failure}"
                    ) from exc
            per_scorer[spec.name].append(value)
            row[spec.name] = value
        if isinstance(output, Exception) and len(messages) < 5:
            messages.append(f"example {index}: {type(output).__name__}: {output}")
        example_scores.append(row)
    metrics = tuple(
        _summarize(name, scores, (baseline or {}).get(name)) for name, scores in per_scorer.items()
    )
    errors = sum(isinstance(output, Exception) for output in outputs)
    return Scorecard(
        suite.name, started, time.time(), metrics, errors, tuple(messages), tuple(example_scores)
    )
