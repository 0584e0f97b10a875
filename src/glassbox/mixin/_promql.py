"""Small PromQL builders: every metric and label name comes from the contract."""

from __future__ import annotations

from collections.abc import Iterable

from glassbox.mixin._external import ENV, SERVICE

__all__ = ["by", "dashboard_scope", "eq", "ne", "re_", "rule_scope", "sel", "window_suffix"]


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
