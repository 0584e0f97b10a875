"""One-pass prefilter: which detectors could match a text at all.

Every detector carries a *trigger*, an RE2-compatible pattern that matches somewhere in
any text where the detector can find something. With ``google-re2`` installed all
triggers run as one ``re2.Set`` (a single DFA pass over the text); without it each
trigger is a separate ``re`` search, which gives identical results more slowly.
Clean text therefore costs one pass, and text with personal data is scanned only by
the detectors that can match it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

__all__ = ["PrefilterEngine", "build_prefilter"]

#: ``auto`` picks ``re2`` when importable; ``none`` runs every detector on every text.
PrefilterEngine = Literal["auto", "re2", "re", "none"]


def build_prefilter(
    triggers: Sequence[str], engine: PrefilterEngine = "auto"
) -> tuple[Callable[[str], Sequence[int]], str]:
    """Compile ``triggers`` into a function returning the sorted indices that match.

    Args:
        triggers: One RE2-compatible pattern per detector.
        engine: Which regex engine runs the triggers.

    Returns:
        The matching function and the name of the engine in use.

    Raises:
        ImportError: ``engine="re2"`` but ``google-re2`` is not installed.
        ValueError: A trigger does not compile.
    """
    if engine == "none":
        everything = tuple(range(len(triggers)))
        return (lambda _text: everything), "none"
    if engine in ("auto", "re2"):
        try:
            import re2
        except ImportError:
            if engine == "re2":
                raise ImportError(
                    "prefilter engine 're2' needs google-re2: pip install 'glassbox[redaction]'"
                ) from None
        else:
            return _re2_set(re2, triggers), "re2"
    compiled = [re.compile(t) for t in triggers]

    def match_re(text: str) -> list[int]:
        return [i for i, p in enumerate(compiled) if p.search(text)]

    return match_re, "re"


def _re2_set(re2: object, triggers: Sequence[str]) -> Callable[[str], Sequence[int]]:
    options = re2.Options()  # type: ignore[attr-defined]
    options.max_mem = 64 << 20
    rset = re2.Set.SearchSet(options)  # type: ignore[attr-defined]
    for trigger in triggers:
        if rset.Add(trigger) < 0:
            raise ValueError(f"redaction trigger does not compile under RE2: {trigger!r}")
    rset.Compile()
    # The raw RE2::Set binding, skipping the wrapper's per-call isinstance/encode.
    raw = getattr(rset, "_set", None)
    set_match = raw.Match if raw is not None else rset.Match
    empty: tuple[int, ...] = ()

    def match_re2(text: str) -> Sequence[int]:
        hits = set_match(text.encode("utf-8", "surrogatepass"))
        if not hits:
            return empty
        hits.sort()
        return hits  # type: ignore[no-any-return]

    return match_re2
