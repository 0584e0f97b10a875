"""One redaction policy for every exit: log fields, span attributes and events, error texts.

The redactor (:mod:`glassbox.redaction`) finds personal data in *text*. What leaves the
process is structured: log events with nested dicts and numbers, span attributes, span
events, exception messages. :class:`Scrubber` is the one place that decides how such a
value becomes text for the redactor, so that no exit has its own, weaker rules:

- strings go through ``redact_field(field, text)`` (the field name is context);
- dict *keys* are text too (``{"alice@example.com": 3}``) and are redacted;
- integers and integral floats of seven digits or more may be phone or card numbers:
  their decimal text is redacted and, if anything was found, the value becomes the
  redacted string;
- a field named like a key (``redaction_key``, ``hmac_key``) holding one opaque token of
  16 characters or more is a secret, whatever the detectors think of its value;
- anything else is redacted as its ``repr()``; nesting past :data:`MAX_DEPTH` is cut.

Every method fails closed: if the redactor raises, the value becomes :data:`MARKER`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

__all__ = ["MARKER", "MAX_DEPTH", "Redactor", "Scrubber"]

MARKER = "<REDACTED:error>"
MAX_DEPTH = 32
_NUMBER_MIN = 1_000_000  # below seven digits no phone or card number fits
_KEY_FIELD = re.compile(r"(?:^|[ _.\-])key$", re.IGNORECASE)
_OPAQUE = re.compile(r"\S{16,}")


class Redactor(Protocol):
    """What the scrubber needs: text in, redacted text out, never raising.

    A redactor may also offer ``redact_field(field, value)`` (the field name as
    context) and ``token(entity_type, value)`` (the keyed replacement of one value); the
    scrubber uses them when present.
    """

    def redact(self, text: str) -> str: ...


class Scrubber:
    """Redacts structured values with one redactor; see the module docstring.

    Args:
        redactor: The engine.
        on_error: Called with ``("redaction", exc)`` when the redactor fails.
    """

    def __init__(
        self, redactor: Redactor, on_error: Callable[[str, BaseException], None] | None = None
    ) -> None:
        self.redactor = redactor
        self._by_field: Callable[[str, str], str] | None = getattr(redactor, "redact_field", None)
        self._token: Callable[[str, str], str] | None = getattr(redactor, "token", None)
        self._on_error = on_error

    def text(self, text: str, field: str = "") -> str:
        """``text`` redacted, with ``field`` (a key or attribute name) as context."""
        try:
            if field and _KEY_FIELD.search(field) and _OPAQUE.fullmatch(text.strip()):
                token = self._token
                return token("SECRET", text.strip()) if token is not None else MARKER
            by_field = self._by_field
            if by_field is not None and field:
                return by_field(field, text)
            return self.redactor.redact(text)
        except Exception as exc:
            self._failed(exc)
            return MARKER

    def value(self, value: Any, field: str = "", depth: int = 0) -> Any:
        """``value`` with every text inside it redacted; containers become dicts/lists."""
        if isinstance(value, str):
            return self.text(value, field)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return self._number(value, field)
        if depth >= MAX_DEPTH:
            return MARKER
        if isinstance(value, Mapping):
            return {
                self.text(k if isinstance(k, str) else _repr(k)): self.value(v, _name(k), depth + 1)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple | set | frozenset):
            return [self.value(v, field, depth + 1) for v in value]
        return self.text(_repr(value), field)

    def _number(self, value: int | float, field: str) -> Any:
        try:
            if not abs(value) >= _NUMBER_MIN:  # also false for nan
                return value
            if isinstance(value, float):
                if not value.is_integer():
                    return value
                digits = str(int(value))
            else:
                digits = str(value)
        except (OverflowError, ValueError):  # inf
            return value
        redacted = self.text(digits, field)
        return value if redacted == digits else redacted

    def _failed(self, exc: BaseException) -> None:
        if self._on_error is not None:
            with contextlib.suppress(Exception):  # a reporter must not break redaction
                self._on_error("redaction", exc)


def _name(key: Any) -> str:
    return key if isinstance(key, str) else ""


def _repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception:
        return f"<unrepresentable {type(value).__name__}>"
