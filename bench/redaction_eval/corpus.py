"""Assemble the evaluation corpus: documents from every generator, some JSON-escaped.

``build("dev")`` is for tuning: seed 1, and two thirds of the templates.
``build("heldout")`` is the figure that gets reported: seed 2, every template,
including the third that ``dev`` never contains. Do not tune on it.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable

from redaction_eval import gen_chat, gen_ops, gen_tools
from redaction_eval.doc import Doc, Segments, json_escape, render

TEMPLATES: dict[str, Callable[[random.Random], Segments]] = {
    **gen_ops.TEMPLATES,
    **gen_chat.TEMPLATES,
    **gen_tools.TEMPLATES,
}
SEEDS = {"dev": 1, "heldout": 2}


def heldout_only(template: str) -> bool:
    """A fixed third of the templates appear only in the held-back split."""
    return zlib.crc32(template.encode()) % 3 == 0


def build(split: str, n: int = 3000) -> list[Doc]:
    """``n`` labelled documents of ``split`` (``dev`` or ``heldout``)."""
    rng = random.Random(SEEDS[split])
    names = sorted(t for t in TEMPLATES if split == "heldout" or not heldout_only(t))
    docs: list[Doc] = []
    for _ in range(n):
        name = rng.choice(names)
        segments = TEMPLATES[name](rng)
        if not name.startswith("tools.") and rng.random() < 0.25:
            # As a log shipper stores it: the whole document inside a JSON string.
            doc = _in_json_string(segments)
        else:
            doc = render(segments)
        doc.template = name
        docs.append(doc)
    return docs


def _in_json_string(segments: Segments) -> Doc:
    """The document as the value of a JSON log line's ``message`` (escaped)."""
    doc = Doc()
    doc.add('{"message":"')
    for text, label in segments:
        doc.add(json_escape(text), label)
    doc.add('"}')
    return doc
