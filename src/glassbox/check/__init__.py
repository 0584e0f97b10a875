"""Checks of the generated files: ``promtool``, ``amtool`` and the contract check.

``glassbox mixin test`` runs :func:`run_checks`; :func:`check_contract` fails on any
metric or label a dashboard or rule names that the SDK does not expose (scraped from a
real exposition that :func:`exercise` produces), so a rename never leaves a silent
"No data" panel.
"""

from glassbox.check._contract import Violation, check_contract
from glassbox.check._exercise import exercise
from glassbox.check._runner import CheckResult, run_checks

__all__ = ["CheckResult", "Violation", "check_contract", "exercise", "run_checks"]
