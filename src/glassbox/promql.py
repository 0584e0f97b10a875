"""Small PromQL builders and the labels Prometheus targets carry.

Every metric and label name comes from the contract (:mod:`glassbox.semconv`) or from
here: the target labels the scrape configuration attaches to every series. The mixin,
the local stack's ``glassbox top`` and the demo build their queries with these, and
nothing here imports anything heavier than the standard library.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = [
    "ENV",
    "INSTANCE",
    "JOB",
    "SERVICE",
    "TARGET_LABELS",
    "by",
    "dashboard_scope",
    "eq",
    "group_on",
    "ne",
    "re_",
    "rule_scope",
    "sel",
    "substitute",
    "window_suffix",
]

#: Target label: the environment, from the decisions file's environment name.
ENV = "env"
#: Target label: the service, from the key of ``targets`` in the decisions file.
SERVICE = "service"
#: Target labels Prometheus attaches itself.
JOB = "job"
INSTANCE = "instance"
#: Labels every scraped series carries in addition to its own.
TARGET_LABELS = frozenset({ENV, SERVICE, JOB, INSTANCE})


def sel(series: str, *matchers: str) -> str:
    """A vector selector: ``series{m1,m2}`` (empty matchers are skipped)."""
    body = ",".join(m for m in matchers if m)
    return f"{series}{{{body}}}" if body else series


def by(labels: Iterable[str]) -> str:
    """A ``by (...)`` clause."""
    return f"by ({', '.join(labels)})"


def rule_scope(env_name: str, selector: dict[str, str]) -> str:
    """Matchers that pin rules to one environment (plus the decisions' extra selector)."""
    matchers = {ENV: env_name, **selector}
    return ",".join(f'{k}="{v}"' for k, v in matchers.items())


def dashboard_scope() -> str:
    """Matchers that follow the dashboards' environment and service variables."""
    return f'{ENV}=~"${ENV}",{SERVICE}=~"${SERVICE}"'


def window_suffix(window: str) -> str:
    """``rate5m`` style operation suffix for a window."""
    return f"rate{window}"


def eq(label: str, value: str) -> str:
    """An equality matcher."""
    return f'{label}="{value}"'


def ne(label: str, value: str) -> str:
    """An inequality matcher."""
    return f'{label}!="{value}"'


def re_(label: str, pattern: str) -> str:
    """A regular-expression matcher."""
    return f'{label}=~"{pattern}"'


def group_on(labels: Iterable[str], vector: str) -> str:
    """``group by (labels) (vector)``: one series per label set, for ``unless``/``and`` joins."""
    return f"group {by(labels)} ({vector})"


def substitute(expr: str, variables: Mapping[str, str]) -> str:
    """Replace Grafana variables (``$__rate_interval``, ``$env``, ``${env}``…) in ``expr``.

    Longest names first, so ``$__range_s`` is not read as ``$__range`` followed by ``_s``.
    """
    if not variables:
        return expr
    names = sorted(variables, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(name) for name in names))
    return pattern.sub(lambda m: variables[m.group(0)], expr)
