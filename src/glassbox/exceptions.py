"""Every exception Glassbox raises, in one tree.

Exception hierarchy (exit status of the ``glassbox`` command on the right)::

    GlassboxError                   1  the operation could not complete; the message says why
     ├── InputError (ValueError)    2  bad input: a value, an option or a file
     │    ├── ConfigError              a setting or option has an invalid value
     │    ├── DecisionsError           the decisions file (mixin, deploy, stack)
     │    ├── DataError                a drift data file
     │    ├── ProfileError             a drift profile, or data that does not match it
     │    ├── SuiteError               an eval suite, its dataset or one of its callables
     │    ├── ScenarioError            a demo scenario, or a demo too short for its schedule
     │    ├── DurationError            a demo duration
     │    └── FaultsError              a fault setting of the LLM simulator
     ├── MissingBinaryError (RuntimeError)   2  a required program is not installed
     ├── ServiceError (RuntimeError)         3  a service could not be reached or refused
     │    ├── PrometheusAPIError       the Prometheus (or Alertmanager) HTTP API
     │    └── PushError                the Pushgateway
     ├── StackError (RuntimeError)      the local stack could not reach the requested state
     ├── DemoError (RuntimeError)       the demo cannot run
     └── BudgetExceededError            an enforced budget refused an LLM call (opt-in)

The SDK raises only where the user asked for it: :class:`ConfigError` from ``init()``
(bad configuration must not start silently) and :class:`BudgetExceededError` from an LLM
call under an enforced budget; instrumentation never raises because of its own failure.
The toolkit (mixin, stack, deploy, drift, evals, demo, simulator) raises the others.
The simulator's private ``BadRequest`` and ``StreamTruncated``, which never leave its
HTTP server (they become a 400 and a dropped stream), derive from :class:`GlassboxError`
directly.

Every message names the value that was wrong and what to do. :attr:`GlassboxError.exit_code`
is the one table of exit statuses: the command line catches :class:`GlassboxError` in one
place, prints ``error: <message>`` on one line and exits with it (0 ok, 1 a condition was
found or the operation failed, 2 bad input or usage, 3 a service could not be reached).

Classes that were ``ValueError``/``RuntimeError`` before they joined the tree still are, so
``except ValueError`` in existing callers keeps working. This module imports nothing, so
every layer, even the leaf subpackages ``simulator`` and ``redaction``, may use it.
"""

from __future__ import annotations

__all__ = [
    "BudgetExceededError",
    "ConfigError",
    "DataError",
    "DecisionsError",
    "DemoError",
    "DurationError",
    "FaultsError",
    "GlassboxError",
    "InputError",
    "MissingBinaryError",
    "ProfileError",
    "PrometheusAPIError",
    "PushError",
    "ScenarioError",
    "ServiceError",
    "StackError",
    "SuiteError",
]


class GlassboxError(Exception):
    """Base class of every exception Glassbox raises.

    Attributes:
        exit_code: The exit status of the ``glassbox`` command when this error ends it.
    """

    exit_code: int = 1


# --- Bad input (exit 2) ---------------------------------------------------------------


class InputError(GlassboxError, ValueError):
    """Bad input: a value, an option or a file; the message names it and the fix."""

    exit_code = 2


class ConfigError(InputError):
    """A setting or command-line option has an invalid value.

    Attributes:
        setting: The argument, option or environment variable, e.g.
            ``GLASSBOX_METRICS_PORT`` or ``--prometheus``.
        value: The value as given.
        expected: What would have been accepted.
    """

    def __init__(self, setting: str, value: object, expected: str) -> None:
        self.setting = setting
        self.value = value
        self.expected = expected
        super().__init__(f"invalid {setting}={value!s}: expected {expected}")


class DecisionsError(InputError):
    """The decisions file is invalid; the message names the key, the value and the fix."""


class DataError(InputError):
    """A data file could not be read as drift data; the message names the file."""


class ProfileError(InputError):
    """A profile could not be built, read or matched with the current data."""


class SuiteError(InputError):
    """A suite file, its dataset or one of its callables is invalid; names what and where."""


class ScenarioError(InputError):
    """An unknown scenario or a duration too short for the schedule."""


class DurationError(InputError):
    """A duration could not be parsed; the message names the value and the accepted forms."""


class FaultsError(InputError):
    """A fault setting is invalid; the message names the field and the value."""


class MissingBinaryError(GlassboxError, RuntimeError):
    """A required binary is not on ``PATH``; the message names the package to install."""

    exit_code = 2


# --- A service could not be reached (exit 3) ------------------------------------------


class ServiceError(GlassboxError, RuntimeError):
    """A service could not be reached or refused the request; the message names its URL."""

    exit_code = 3


class PrometheusAPIError(ServiceError):
    """The Prometheus (or Alertmanager) API answered with an error or could not be reached."""


class PushError(ServiceError):
    """The Pushgateway could not be reached or refused the push; names the URL."""


# --- The operation could not complete (exit 1) ----------------------------------------


class StackError(GlassboxError, RuntimeError):
    """The stack could not reach the requested state; the message says why and what to do."""


class DemoError(GlassboxError, RuntimeError):
    """The demo cannot run; the message says why and what to do."""


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
