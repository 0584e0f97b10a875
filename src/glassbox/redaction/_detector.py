"""The :class:`Detector` record and the per-input scan context.

A detector is a compiled pattern, a cheap gate that decides whether the pattern is worth
running on an input at all, and a check that validates each candidate (checksum, issuer
range, context word) and returns the normalised value that goes into the token.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from time import perf_counter

from glassbox.redaction._clock import overdue
from glassbox.redaction._types import Finding

__all__ = ["Context", "Detector", "context_near", "words_re", "words_trigger"]


class Context:
    """One input being scanned: its text, a lazily lowered copy and an optional field name.

    Args:
        text: The text the patterns scan (the escape view of ``source``, same length).
        field: The structured-log key or JSON field the text came from (lowercase), or
            ``""``. A field such as ``phone`` or ``ssn`` counts as a context word for
            every value it holds; it is stored lowercased with ``_``/``-`` as spaces.
        source: The original input when ``text`` is a view of it with JSON escapes
            blanked out; findings report their value from ``source``.
    """

    __slots__ = ("_lower", "field", "memo", "source", "text")

    def __init__(self, text: str, field: str = "", source: str | None = None) -> None:
        self.text = text
        self.source = text if source is None else source
        self.field = field.lower().replace("_", " ").replace("-", " ") if field else ""
        self._lower: str | None = None
        self.memo: dict[str, object] = {}
        """Per-input values a detector computes once (e.g. the phone regions hinted)."""

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
    """A pattern for one entity type, with its prefilter trigger and its validator.

    Attributes:
        entity_type: The type reported for accepted candidates.
        pattern: Compiled pattern; if it has a group named ``v`` that took part in the
            match, only that group is replaced, otherwise the whole match.
        check: Validates a candidate and returns its normalised value, or ``None``.
        trigger: RE2-compatible pattern (no look-arounds, no back-references) that
            matches somewhere in every text in which ``pattern`` can produce a finding.
            The prefilter runs all triggers in one pass and only the detectors whose
            trigger fired scan the text, so clean text costs one pass.
        anchor: Optional pattern of a literal that every match contains (``@`` for
            e-mails); candidates are then searched only around its occurrences, with
            ``pattern.match`` from the start of the run of ``anchor_back`` characters
            that ends at the anchor. Gives the same matches as ``finditer`` when no
            match can start earlier than that run.
        anchor_back: Characters a match may have before its anchor (a character class).
        anchor_reach: The most characters a match may have before its anchor.
    """

    entity_type: str
    pattern: re.Pattern[str]
    check: Check
    trigger: str
    anchor: re.Pattern[str] | None = None
    anchor_back: str = ""
    anchor_reach: int = 0

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        """Candidate matches in ``text``, left to right, non-overlapping."""
        if self.anchor is None:
            yield from self.pattern.finditer(text)
            return
        back = _run_before(self.anchor_back)
        match = self.pattern.match
        done = 0
        for a in self.anchor.finditer(text):
            at = a.start()
            if at < done:
                continue
            run = back.search(text, max(done, at - self.anchor_reach - 1), at)
            if run is None:
                continue
            m = match(text, run.start())
            if m is not None:
                done = m.end()
                yield m

    def find(
        self, ctx: Context, deadline: float = math.inf, paused_at_start: float = 0.0
    ) -> list[Finding]:
        """Every validated candidate in ``ctx``, in text order.

        Raises:
            TimeoutError: ``perf_counter()`` passed ``deadline``, garbage collection
                since ``paused_at_start`` not counted (checked every few candidates,
                so a text full of near-misses cannot run unbounded).
        """
        out: list[Finding] = []
        text = ctx.source
        check = self.check
        for n, m in enumerate(self.matches(ctx.text), 1):
            if not n & 63 and perf_counter() > deadline and overdue(deadline, paused_at_start):
                raise TimeoutError("redaction exceeded its time budget")
            normalised = check(m, ctx)
            if normalised is None:
                continue
            start, end = m.span("v") if self.has_value_group else (-1, -1)
            if start < 0:
                start, end = m.span()
            if start != end:
                out.append(Finding(self.entity_type, start, end, text[start:end], normalised))
        return out

    @property
    def has_value_group(self) -> bool:
        """Whether the pattern names the replaced part with a group ``v``."""
        return "v" in self.pattern.groupindex


@lru_cache(maxsize=32)
def _run_before(char_class: str) -> re.Pattern[str]:
    """A run of ``char_class`` characters ending where the search window ends."""
    return re.compile(f"{char_class}+\\Z")


def words_re(words: tuple[str, ...]) -> re.Pattern[str]:
    """A case-insensitive pattern matching any of ``words`` as whole words."""
    alternation = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternation})(?![a-z0-9])", re.IGNORECASE)


def words_trigger(words: tuple[str, ...]) -> str:
    """An RE2-compatible trigger that fires wherever :func:`words_re` could match."""
    alternation = "|".join(re.escape(w) for w in words)
    return rf"(?i:(?:^|[^a-z0-9])(?:{alternation})(?:[^a-z0-9]|$))"


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
