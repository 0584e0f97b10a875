"""The newsroom demo: an instrumented AI pipeline, fault scenarios, and the alerts that catch them.

``glassbox demo`` runs it; :func:`run_demo` is the same from Python.
"""

from glassbox.demo._alerts import AlertWatcher, FiredAlert
from glassbox.demo._articles import Article, ArticleSource
from glassbox.demo._options import DemoOptions, DurationError, format_duration, parse_duration
from glassbox.demo._run import DemoError, run_demo
from glassbox.demo._scenarios import SCENARIOS, Controls, Injection, Scenario, ScenarioError, plan
from glassbox.demo._summary import Summary

__all__ = [
    "SCENARIOS",
    "AlertWatcher",
    "Article",
    "ArticleSource",
    "Controls",
    "DemoError",
    "DemoOptions",
    "DurationError",
    "FiredAlert",
    "Injection",
    "Scenario",
    "ScenarioError",
    "Summary",
    "format_duration",
    "parse_duration",
    "plan",
    "run_demo",
]
