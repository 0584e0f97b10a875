"""The Glassbox mixin: dashboards, alerting and recording rules, and Alertmanager routing.

Generated from code and a small decisions file per environment, and tested with
``promtool``/``amtool`` and against the exposition the SDK really produces.
"""

from glassbox.mixin._build import Format, Mixin, render, write
from glassbox.mixin._config import Decisions, DecisionsError, Environment, load_decisions
from glassbox.mixin._external import EXTERNAL_METRICS, TARGET_LABELS

__all__ = [
    "EXTERNAL_METRICS",
    "TARGET_LABELS",
    "Decisions",
    "DecisionsError",
    "Environment",
    "Format",
    "Mixin",
    "load_decisions",
    "render",
    "write",
]
