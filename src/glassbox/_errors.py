"""Glassbox's exceptions.

Exception hierarchy::

    GlassboxError
     ├── ConfigError           a setting has an invalid value (raised by init())
     └── BudgetExceededError   an enforced budget refused an LLM call (opt-in)

Glassbox raises only where the user asked for it: :class:`ConfigError` from ``init()``
(bad configuration must not start silently) and :class:`BudgetExceededError` from an LLM
call under an enforced budget. Instrumentation never raises because of its own failure.
"""

from __future__ import annotations

__all__ = ["BudgetExceededError", "ConfigError", "GlassboxError"]


class GlassboxError(Exception):
    """Base class of every exception Glassbox raises."""


class ConfigError(GlassboxError, ValueError):
    """A setting has an invalid value.

    Attributes:
        setting: The argument or environment variable, e.g. ``GLASSBOX_METRICS_PORT``.
        value: The value as given.
        expected: What would have been accepted.
    """

    def __init__(self, setting: str, value: object, expected: str) -> None:
        self.setting = setting
        self.value = value
        self.expected = expected
        super().__init__(f"invalid {setting}={value!s}: expected {expected}")


class BudgetExceededError(GlassboxError):
    """An enforced budget has no money left for this LLM call.

    Attributes:
        budget: The budget's name.
        limit_usd: Its limit for the current period.
        spend_usd: What was spent in the period so far.
    """

    def __init__(self, budget: str, limit_usd: float, spend_usd: float) -> None:
        self.budget = budget
        self.limit_usd = limit_usd
        self.spend_usd = spend_usd
        super().__init__(
            f"budget {budget!r} is exhausted: ${spend_usd:.4f} spent of ${limit_usd:.4f} "
            "this period; raise its limit or wait for the next period"
        )
