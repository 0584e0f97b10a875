"""The :class:`Detector` record and the per-input scan context.

A detector is a compiled pattern, a cheap gate that decides whether the pattern is worth
running on an input at all, and a check that validates each candidate (checksum, issuer
range, context word) and returns the normalised value that goes into the token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from glassbox.redaction._types import Finding

__all__ = ["Context", "Detector", "context_near", "words_re"]


class Context:
    """One input being scanned: its text, a lazily lowered copy and an optional field name.

    Args:
        text: The text to scan.
        field: The structured-log key or JSON field the text came from (lowercase), or
            ``""``. A field such as ``phone`` or ``ssn`` counts as a context word for
            every value it holds; it is stored lowercased with ``_``/``-`` as spaces.
    """

    __slots__ = ("_lower", "field", "text")

    def __init__(self, text: str, field: str = "") -> None:
        self.text = text
        self.field = field.lower().replace("_", " ").replace("-", " ") if field else ""
        self._lower: str | None = None

    @property
    def lower(self) -> str:
        """``text.lower()``, computed at most once."""
        if self._lower is None:
            self._lower = self.text.lower()
        return self._lower


#: Returns the normalised value of a candidate, or ``None`` to reject it.
Check = Callable[[re.Match[str], Context], "str | None"]


@dataclass(frozen=True, slots=True)
class Detector:
    """A pattern for one entity type, with its gate and its validator.

    Attributes:
        entity_type: The type reported for accepted candidates.
        pattern: Compiled pattern; if it has a group named ``v``, only that group is
            replaced, otherwise the whole match.
        check: Validates a candidate and returns its normalised value, or ``None``.
        needles: Substrings of which at least one must occur in the text for the
            pattern to run at all (empty: always run).
        lower_needles: As ``needles``, but tested against the lowercased text.
        field_words: Field names that enable this detector even without a needle.
    """

    entity_type: str
    pattern: re.Pattern[str]
    check: Check
    needles: tuple[str, ...] = ()
    lower_needles: tuple[str, ...] = ()
    field_words: tuple[str, ...] = ()

    def gate(self, ctx: Context) -> bool:
        """Whether the pattern could match ``ctx`` (cheap substring tests only)."""
        if self.needles:
            text = ctx.text
            if any(n in text for n in self.needles):
                return True
            return bool(self.lower_needles) and self._lower_gate(ctx)
        if self.lower_needles:
            return self._lower_gate(ctx)
        return True

    def _lower_gate(self, ctx: Context) -> bool:
        if ctx.field and any(w in ctx.field for w in self.field_words):
            return True
        lower = ctx.lower
        return any(n in lower for n in self.lower_needles)

    def find(self, ctx: Context) -> Iterator[Finding]:
        """Yield every validated candidate in ``ctx``."""
        has_v = "v" in self.pattern.groupindex
        for m in self.pattern.finditer(ctx.text):
            normalised = self.check(m, ctx)
            if normalised is None:
                continue
            start, end = m.span("v") if has_v else (-1, -1)
            if start < 0:
                start, end = m.span()
            if start == end:
                continue
            yield Finding(self.entity_type, start, end, ctx.text[start:end], normalised)


def words_re(words: tuple[str, ...]) -> re.Pattern[str]:
    """A case-insensitive pattern matching any of ``words`` as whole words."""
    alternation = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternation})(?![a-z0-9])", re.IGNORECASE)


def context_near(
    ctx: Context, start: int, words: re.Pattern[str], *, before: int = 48, after: int = 0
) -> bool:
    """Whether a context word occurs within ``before`` characters ahead of ``start``.

    The field name of a structured value counts as context too.

    Args:
        ctx: The scan context.
        start: Offset of the candidate.
        words: Pattern from :func:`words_re`.
        before: Window size ahead of the candidate.
        after: Window size after the candidate's start (for trailing context).

    Returns:
        ``True`` if a context word was found.
    """
    if ctx.field and words.search(ctx.field):
        return True
    lo = max(0, start - before)
    return words.search(ctx.text, lo, start + after) is not None
