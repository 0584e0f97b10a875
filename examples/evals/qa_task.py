"""The task and a custom scorer of the example suite ``qa.yaml``.

``answer`` is a deterministic stand-in for a retrieval-augmented LLM: it retrieves the
documents sharing the most words with the question and answers from the best one, so the
suite runs anywhere without network access. ``answer_with_llm`` shows the real shape of a
task: the same retrieval, then a chat completion through the (instrumented) OpenAI
client, which ``glassbox.init()`` turns into metrics and spans; point
``OPENAI_BASE_URL`` at the Glassbox LLM simulator to run it locally.
"""

from __future__ import annotations

import re
from typing import Any

DOCUMENTS = {
    "d1": "Prometheus stores time series and evaluates alerting rules written in PromQL.",
    "d2": "Alertmanager groups, silences and routes alerts to receivers such as email.",
    "d3": "The Pushgateway keeps metrics pushed by batch jobs until Prometheus scrapes them.",
    "d4": "Grafana draws dashboards from Prometheus, Loki and Tempo data sources.",
    "d5": "Loki stores logs and indexes only their labels, never the log lines.",
    "d6": "Tempo stores traces; exemplars link a metric sample to its trace.",
    "d7": "OpenTelemetry defines the GenAI semantic conventions for LLM calls.",
    "d8": "PSI compares binned distributions; MMD compares embeddings with a kernel.",
}

#: What the stand-in "model" answers, by the document it retrieved first.
_ANSWERS = {
    "d1": "Prometheus",
    "d2": "Alertmanager",
    "d3": "the Pushgateway",
    "d4": "Grafana",
    "d5": "Loki",
    "d6": "Tempo",
    "d7": "OpenTelemetry",
    "d8": "MMD",
}

_WORD = re.compile(r"[a-z]+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower())) - {"the", "a", "an", "and", "of", "to", "which", "what"}


def retrieve(question: str, k: int = 3) -> list[str]:
    """Document ids ranked by words shared with ``question`` (ties by id)."""
    query = _words(question)
    ranked = sorted(DOCUMENTS, key=lambda doc: (-len(query & _words(DOCUMENTS[doc])), doc))
    return ranked[:k]


def answer(example: dict[str, Any]) -> dict[str, Any]:
    """Retrieve, then answer from the top document."""
    retrieved = retrieve(example["question"])
    return {"answer": _ANSWERS[retrieved[0]], "retrieved": retrieved}


def answer_with_llm(example: dict[str, Any]) -> dict[str, Any]:
    """The same task through a real chat completion (needs ``openai`` and an endpoint)."""
    from openai import OpenAI

    retrieved = retrieve(example["question"])
    context = "\n".join(DOCUMENTS[doc] for doc in retrieved)
    response = OpenAI().chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "Answer with the name only, using the context."},
            {"role": "user", "content": f"Context:\n{context}\n\nQuestion: {example['question']}"},
        ],
    )
    return {"answer": response.choices[0].message.content or "", "retrieved": retrieved}


def concise(output: str, example: dict[str, Any]) -> float:
    """Custom scorer: 1.0 for answers of at most three words."""
    return float(len(output.split()) <= 3)
