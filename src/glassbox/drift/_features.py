"""Cheap features of sampled model responses, for output drift.

Computed offline from a sample of responses (never on the request path):

============== =========== ==========================================================
feature        kind        meaning
============== =========== ==========================================================
``length``     scalar      characters in the response
``language``   categorical ISO 639-1 code from ``py3langid`` (``und`` when empty)
``refusal``    categorical ``true`` when the response matches :data:`REFUSAL_PHRASES`
``sentiment``  scalar      VADER compound score in ``[-1, 1]``
``json_valid`` categorical ``true`` when the whole response parses as JSON
============== =========== ==========================================================

The share of ``true`` in ``refusal`` is the refusal rate; its drift is tested like any
other category (chi-square with a Jensen–Shannon effect size).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

__all__ = ["OUTPUT_FEATURES", "REFUSAL_PHRASES", "is_refusal", "output_features"]

#: Output feature names, suffixed to the text field: ``response.length`` and so on.
OUTPUT_FEATURES = ("length", "language", "refusal", "sentiment", "json_valid")

#: Phrases that mark a refusal when they occur in the first 300 characters of a response
#: (case-insensitive; curly apostrophes are normalised first). Deliberately short and
#: literal: the point is a stable rate to compare over time, not a perfect classifier.
REFUSAL_PHRASES = (
    "i can't help with",
    "i cannot help with",
    "i can't assist with",
    "i cannot assist with",
    "i can't provide",
    "i cannot provide",
    "i can't do that",
    "i won't be able to",
    "i'm not able to",
    "i am not able to",
    "i'm unable to",
    "i am unable to",
    "i must decline",
    "i have to decline",
    "i'm sorry, but i can",
    "sorry, but i can't",
    "as an ai language model",
    "i can't comply",
    "i cannot comply",
    "against my guidelines",
)

_REFUSAL = re.compile("|".join(re.escape(phrase) for phrase in REFUSAL_PHRASES))
_REFUSAL_WINDOW = 300


def is_refusal(text: str) -> bool:
    """Whether ``text`` opens with one of :data:`REFUSAL_PHRASES`."""
    head = text[:_REFUSAL_WINDOW].lower().replace("\u2019", "'")
    return _REFUSAL.search(head) is not None


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=1)
def _sentiment_analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _language(text: str) -> str:
    import py3langid

    if not text.strip():
        return "und"
    return str(py3langid.classify(text)[0])


def output_features(
    texts: Iterable[str | None], *, prefix: str = "", features: Sequence[str] = OUTPUT_FEATURES
) -> dict[str, list[Any]]:
    """Compute output features for each response.

    Args:
        texts: The sampled responses; ``None`` counts as an empty response.
        prefix: Prepended to each feature name with a dot (``"response"`` gives
            ``response.length``); empty for bare names.
        features: Which of :data:`OUTPUT_FEATURES` to compute.

    Returns:
        Feature name → one value per response, ready for :meth:`Profile.build` or
        :meth:`Monitor.check`.
    """
    unknown = set(features) - set(OUTPUT_FEATURES)
    if unknown:
        raise ValueError(
            f"unknown output features {sorted(unknown)}; choose from {OUTPUT_FEATURES}"
        )
    items = ["" if text is None else str(text) for text in texts]
    name = (lambda feature: f"{prefix}.{feature}") if prefix else (lambda feature: feature)
    columns: dict[str, list[Any]] = {}
    for feature in features:
        if feature == "length":
            columns[name(feature)] = [float(len(text)) for text in items]
        elif feature == "language":
            columns[name(feature)] = [_language(text) for text in items]
        elif feature == "refusal":
            columns[name(feature)] = ["true" if is_refusal(text) else "false" for text in items]
        elif feature == "sentiment":
            analyzer = _sentiment_analyzer()
            columns[name(feature)] = [
                float(analyzer.polarity_scores(text)["compound"]) for text in items
            ]
        else:
            columns[name(feature)] = ["true" if _is_json(text) else "false" for text in items]
    return columns
