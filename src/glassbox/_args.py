"""Checks for values handed to the instrumentation API by user code or provider responses.

Token counts come from provider responses and counts from application code; either can be
``None``, ``nan``, a string or a dict. The API never raises because of such a value: the
caller gets a ``None`` back, reports it (counted in
``glassbox_instrumentation_errors_total``, logged once naming the value) and skips it.
"""

from __future__ import annotations

import math
from typing import Any

from glassbox.exceptions import InputError

__all__ = ["MAX_COUNT", "BadValueError", "as_amount", "as_count", "as_flag", "as_text"]

#: Larger counts are refused: beyond any real count; keeps float conversion exact enough and
#: finite.
MAX_COUNT = 2**63


class BadValueError(InputError):
    """A value the API skipped; the message names it and what would have been accepted.

    Never raised to the caller: it is what ``glassbox_instrumentation_errors_total``
    counts and the once-per-component log line shows.
    """

    def __init__(self, what: str, value: Any, expected: str) -> None:
        try:
            shown = repr(value)[:80]
        except Exception:
            shown = f"<{type(value).__name__}>"
        super().__init__(f"{what}={shown}: expected {expected}; the value was skipped")


def as_count(value: Any) -> int | None:
    """``value`` as a whole number of zero or more, or ``None`` if it is not one.

    Accepts ints, integral finite floats and decimal strings (``"12"``); not booleans.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < MAX_COUNT else None
    if isinstance(value, float):
        ok = math.isfinite(value) and 0 <= value < MAX_COUNT and value.is_integer()
        return int(value) if ok else None
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 18:
        return int(value.strip())
    return None


def as_amount(value: Any) -> float | None:
    """``value`` as a finite number of zero or more (a queue depth), or ``None``."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


def as_text(value: Any) -> str:
    """``value`` as a string for a label or an attribute; never raises.

    ``str()`` of an arbitrary object can raise (a broken ``__str__``); such a value
    becomes ``<TypeName>``.
    """
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:
        return f"<{type(value).__name__}>"


def as_flag(value: Any) -> bool:
    """``value`` as a boolean; a value whose truth cannot be decided is ``False``."""
    try:
        return bool(value)
    except Exception:
        return False
