"""Labelled documents built from segments, and the encodings applied to whole documents."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

#: Evaluation categories (the issue's kinds, not the engine's entity types).
STRUCTURED = (
    "aws_secret",
    "opaque_token",
    "provider_key",
    "url_credentials",
    "ip",
    "phone",
    "email",
    "us_ssn",
    "card",
    "iban",
    "dob",
)
SEPARATE = ("person", "address")
NEGATIVES = ("uuid", "hash", "version", "timestamp", "order_id", "trace_id", "number")


@dataclass
class Doc:
    """A document: text plus ``(start, end, category)`` spans, sensitive and negative."""

    text: str = ""
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    negatives: list[tuple[int, int, str]] = field(default_factory=list)
    source: str = ""
    template: str = ""

    def add(self, text: str, label: str | None = None) -> Doc:
        """Append ``text``; ``label`` is a sensitive category or ``neg:<category>``."""
        start = len(self.text)
        self.text += text
        if label is None or not text:
            return self
        if label.startswith("neg:"):
            self.negatives.append((start, len(self.text), label[4:]))
        else:
            self.spans.append((start, len(self.text), label))
        return self


Segments = list[tuple[str, str | None]]


def render(segments: Segments, encode: Callable[[str], str] = str) -> Doc:
    """Build a :class:`Doc`, encoding every segment the same way (spans follow)."""
    doc = Doc()
    for text, label in segments:
        doc.add(encode(text), label)
    return doc


def json_escape(text: str) -> str:
    """The body of a JSON string literal holding ``text`` (what a log shipper writes)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def url_encode(text: str) -> str:
    """``text`` percent-encoded as in a query string (``@`` → ``%40``, ``+`` → ``%2B``)."""
    return urllib.parse.quote(text, safe="-_.~ ")
