"""Built-in scorers: each maps (output, example) to a score in ``[0, 1]``.

=============== ==========================================================================
``exact_match``  1 when the output equals the expected answer after normalisation
                 (lower case, punctuation, articles and extra whitespace removed)
``accuracy``     1 when the output equals the expected label exactly (classification)
``f1``           token-level F1 between the normalised output and expected answer
``recall_at_k``  share of the expected relevant ids found in the first ``k`` retrieved ids
``custom``       any callable ``(output, example) -> float | bool``
=============== ==========================================================================
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["BUILTIN_SCORERS", "Scorer", "accuracy", "exact_match", "f1", "normalize", "recall_at_k"]

#: A scorer: ``(output, example) -> score``.
Scorer = Callable[[Any, dict[str, Any]], float]

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)


def normalize(text: Any) -> str:
    """SQuAD-style normalisation: lower case, no punctuation, no articles, single spaces."""
    lowered = str(text).lower().translate(_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", lowered).split())


def exact_match(output: Any, expected: Any) -> float:
    """1.0 when ``output`` matches ``expected`` (or any of a list of answers) after normalising."""
    answers = expected if isinstance(expected, list) else [expected]
    return float(any(normalize(output) == normalize(answer) for answer in answers))


def accuracy(output: Any, expected: Any) -> float:
    """1.0 when ``output == expected`` (strings compared after stripping whitespace)."""
    if isinstance(output, str) and isinstance(expected, str):
        return float(output.strip() == expected.strip())
    return float(output == expected)


def _token_f1(output: Any, answer: Any) -> float:
    predicted, gold = normalize(output).split(), normalize(answer).split()
    if not predicted or not gold:
        return float(predicted == gold)
    common = sum((Counter(predicted) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def f1(output: Any, expected: Any) -> float:
    """Token F1 of ``output`` against ``expected`` (the best over a list of answers)."""
    answers = expected if isinstance(expected, list) else [expected]
    return max(_token_f1(output, answer) for answer in answers)


def recall_at_k(retrieved: Iterable[Any], relevant: Iterable[Any], k: int) -> float:
    """Share of ``relevant`` ids among the first ``k`` of ``retrieved`` (1.0 if none relevant)."""
    wanted = set(relevant)
    if not wanted:
        return 1.0
    return len(wanted & set(list(retrieved)[:k])) / len(wanted)


#: Built-in scorer types by their YAML ``type``.
BUILTIN_SCORERS = ("exact_match", "accuracy", "f1", "recall_at_k")
