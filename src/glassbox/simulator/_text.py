"""Tokens and text for the simulator: counting, prompt flattening, deterministic output.

Token counts are derived from the text with a simple, stable rule that is close enough to
real BPE tokenizers for observability purposes: every run of word characters is one token
per started four characters beyond six (short words are one token), and every punctuation
character is one token. Generated output uses short words only, so the pieces streamed to
the client are exactly the tokens counted in ``usage``.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "count_tokens",
    "embedding_vector",
    "generate_pieces",
    "tokenize",
    "tool_arguments",
]

_TOKEN_RE = re.compile(r"\w+|[^\w\s]")

#: Short words (at most six characters) so each generated word is one token.
_VOCABULARY = (  # noqa: SIM905
    "the a an of to in on for with by from about after story report market city court vote "
    "editor source claims data shows said says new early late today week year rates price "
    "budget plan rises falls talks deal strike storm rain power grid team coach fans match "
    "goal final season policy health school study local state region border trade export "
    "energy solar wind water supply chain prices demand growth slow fast strong weak record "
    "level public office leader party bill law rules change impact costs jobs wages union"
).split()


#: Role names the prompt framing adds; never echoed into answers.
_FRAMING = frozenset({"system", "user", "assistant", "tool"})


def tokenize(text: str) -> list[str]:
    """Split text into the simulator's tokens.

    Args:
        text: Any text.

    Returns:
        The tokens, in order; words longer than six characters become chunks of four.
    """
    tokens: list[str] = []
    for match in _TOKEN_RE.finditer(text):
        word = match.group()
        if len(word) <= 6:
            tokens.append(word)
        else:
            tokens.extend(word[i : i + 4] for i in range(0, len(word), 4))
    return tokens


def count_tokens(text: str) -> int:
    """Number of simulator tokens in ``text`` (see :func:`tokenize`)."""
    return len(tokenize(text))


def generate_pieces(rng: random.Random, count: int, topic: Sequence[str] = ()) -> list[str]:
    """Generate ``count`` output tokens as text pieces that concatenate to the answer.

    Sentences of six to fourteen words end with a full stop (one token of its own).
    Short words taken from ``topic`` (the prompt) are mixed in so answers look related
    to what was asked.

    Args:
        rng: The per-request random source (deterministic under the simulator seed).
        count: Exact number of pieces (tokens) to produce.
        topic: Candidate words from the prompt.

    Returns:
        Text pieces; ``"".join(pieces)`` is the answer.
    """
    words = [w.lower() for w in topic if w.isalpha() and len(w) <= 6 and w not in _FRAMING][:64]
    pieces: list[str] = []
    sentence_left = rng.randint(6, 14)
    start = True
    while len(pieces) < count:
        if sentence_left == 0 and not start:
            pieces.append(".")
            sentence_left = rng.randint(6, 14)
            start = True
            continue
        pool = words if words and rng.random() < 0.25 else _VOCABULARY
        word = rng.choice(pool)
        if start:
            word = word.capitalize()
        pieces.append(word if not pieces else " " + word)
        sentence_left -= 1
        start = False
    return pieces


def embedding_vector(text: str, dimensions: int, seed: int) -> array[float]:
    """A deterministic unit vector for ``text``: equal texts get equal embeddings.

    Args:
        text: The input text.
        dimensions: Vector length.
        seed: The simulator seed (different seeds give different embedding spaces).

    Returns:
        A float array of unit L2 norm.
    """
    raw = hashlib.shake_256(f"{seed}\x00{text}".encode()).digest(2 * dimensions)
    ints = array("H")
    ints.frombytes(raw)
    values = array("f", ((v - 32767.5) for v in ints))
    norm = sum(v * v for v in values) ** 0.5 or 1.0
    return array("f", (v / norm for v in values))


def tool_arguments(rng: random.Random, parameters: Any) -> dict[str, Any]:
    """Arguments for a tool call that satisfy the tool's JSON schema (required fields).

    Args:
        rng: The per-request random source.
        parameters: The tool's JSON schema (``{"type": "object", "properties": …}``).

    Returns:
        A JSON-serialisable dict with one value per required (or, without ``required``,
        every) property.
    """
    if not isinstance(parameters, dict):
        return {}
    properties = parameters.get("properties")
    if not isinstance(properties, dict):
        return {}
    required = parameters.get("required")
    names: Iterable[str] = required if isinstance(required, list) else list(properties)
    result: dict[str, Any] = {}
    for name in names:
        schema = properties.get(name, {})
        result[str(name)] = _value_for(rng, schema if isinstance(schema, dict) else {})
    return result


def _value_for(rng: random.Random, schema: dict[str, Any]) -> Any:
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return rng.choice(schema["enum"])
    kind = schema.get("type")
    if kind == "integer":
        return rng.randint(1, 10)
    if kind == "number":
        return round(rng.uniform(0, 100), 2)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "array":
        return [_value_for(rng, schema.get("items") or {"type": "string"})]
    if kind == "object":
        return tool_arguments(rng, schema)
    return " ".join(rng.choice(_VOCABULARY) for _ in range(rng.randint(1, 3)))


def dumps(value: Any) -> str:
    """Compact JSON, as providers send it."""
    return json.dumps(value, separators=(",", ":"))
