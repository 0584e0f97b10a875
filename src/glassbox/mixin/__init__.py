"""The Glassbox mixin: what to watch — rules, dashboards, routing — as data.

Built from code and a small decisions file per environment (:func:`load_decisions`,
:func:`build`). This package writes no files and starts no processes: the
:mod:`glassbox.render` layer turns a :class:`Mixin` into files, and
:mod:`glassbox.check` tests them with ``promtool``/``amtool`` and against the exposition
the SDK really produces, using the rule test cases defined here.
"""

from glassbox.mixin._alertmanager import RouteCase, route_cases
from glassbox.mixin._build import Mixin, build
from glassbox.mixin._decisions import Decisions, DecisionsError, Environment, load_decisions
from glassbox.mixin._external import EXTERNAL_METRICS
from glassbox.mixin._ruletests import rule_test_file, test_rule_groups

__all__ = [
    "EXTERNAL_METRICS",
    "Decisions",
    "DecisionsError",
    "Environment",
    "Mixin",
    "RouteCase",
    "build",
    "load_decisions",
    "route_cases",
    "rule_test_file",
    "test_rule_groups",
]
