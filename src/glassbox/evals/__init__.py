"""Eval scorecards: suites in YAML, scorers, confidence intervals, regressions as metrics.

Load a suite with :func:`load_suite`, run it with :func:`run_suite` and publish the
:class:`Scorecard` in-process (:func:`publish`) or to a Pushgateway (:func:`push`).
See ``docs/evals.md``.
"""

from glassbox.evals._intervals import (
    is_regression,
    mean_interval,
    newcombe_interval,
    wilson_interval,
)
from glassbox.evals._publish import JOB, PushError, publish, push, registry_for
from glassbox.evals._runner import MetricScore, Scorecard, load_scorecard, run_suite
from glassbox.evals._scorers import accuracy, exact_match, f1, normalize, recall_at_k
from glassbox.evals._suite import ScorerSpec, Suite, SuiteError, load_callable, load_suite

__all__ = [
    "JOB",
    "MetricScore",
    "PushError",
    "Scorecard",
    "ScorerSpec",
    "Suite",
    "SuiteError",
    "accuracy",
    "exact_match",
    "f1",
    "is_regression",
    "load_callable",
    "load_scorecard",
    "load_suite",
    "mean_interval",
    "newcombe_interval",
    "normalize",
    "publish",
    "push",
    "recall_at_k",
    "registry_for",
    "run_suite",
    "wilson_interval",
]
