"""Simulated models: what each one answers as and how fast it is."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

__all__ = ["DEFAULT_MODELS", "ModelProfile", "profile_for"]


@dataclass(frozen=True)
class ModelProfile:
    """The behaviour of one simulated model.

    All times are in seconds of real time at ``time_scale=1``; the simulator multiplies
    them by its time scale and by the fault latency multiplier.

    Attributes:
        name: The model name clients send.
        provider: ``openai`` or ``anthropic`` (decides defaults for unknown names).
        response_model: The (versioned) model name reported in responses.
        kind: ``chat`` or ``embedding``.
        queue_wait: Mean of the exponential wait before a request is admitted.
        ttft: Base time to first token (prefill of a tiny prompt).
        prefill_per_token: Additional time to first token per *uncached* input token.
        decode_per_token: Mean time between output tokens.
        jitter: Sigma of the mean-one log-normal factor applied to queue wait and TTFT
            (per-token decode jitter is a third of it).
        concurrency: Requests served at once; more wait in a real queue.
        output_tokens: Mean answer length in tokens when ``max_tokens`` does not cap it.
        reasoning_tokens: Mean hidden reasoning tokens per answer (reasoning models).
    """

    name: str
    provider: Literal["openai", "anthropic"]
    response_model: str
    kind: Literal["chat", "embedding"] = "chat"
    queue_wait: float = 0.01
    ttft: float = 0.3
    prefill_per_token: float = 0.00003
    decode_per_token: float = 0.01
    jitter: float = 0.3
    concurrency: int = 64
    output_tokens: int = 60
    reasoning_tokens: int = 0


def _models() -> dict[str, ModelProfile]:
    profiles = [
        ModelProfile(
            "gpt-4o-mini", "openai", "gpt-4o-mini-2024-07-18", ttft=0.25, decode_per_token=0.007
        ),
        ModelProfile("gpt-4o", "openai", "gpt-4o-2024-08-06", ttft=0.45, decode_per_token=0.012),
        ModelProfile(
            "gpt-4.1-mini", "openai", "gpt-4.1-mini-2025-04-14", ttft=0.3, decode_per_token=0.008
        ),
        ModelProfile("gpt-4.1", "openai", "gpt-4.1-2025-04-14", ttft=0.5, decode_per_token=0.013),
        ModelProfile(
            "o3-mini",
            "openai",
            "o3-mini-2025-01-31",
            ttft=0.6,
            decode_per_token=0.008,
            reasoning_tokens=200,
        ),
        ModelProfile(
            "text-embedding-3-small",
            "openai",
            "text-embedding-3-small",
            kind="embedding",
            ttft=0.04,
            prefill_per_token=0.000005,
            concurrency=128,
        ),
        ModelProfile(
            "text-embedding-3-large",
            "openai",
            "text-embedding-3-large",
            kind="embedding",
            ttft=0.07,
            prefill_per_token=0.00001,
            concurrency=128,
        ),
        ModelProfile(
            "claude-haiku-4-5",
            "anthropic",
            "claude-haiku-4-5-20251001",
            ttft=0.35,
            decode_per_token=0.008,
        ),
        ModelProfile(
            "claude-sonnet-4-6", "anthropic", "claude-sonnet-4-6", ttft=0.6, decode_per_token=0.013
        ),
        ModelProfile(
            "claude-opus-4-5",
            "anthropic",
            "claude-opus-4-5-20251101",
            ttft=0.9,
            decode_per_token=0.02,
        ),
    ]
    by_name = {p.name: p for p in profiles}
    # Dated names answer as themselves.
    for p in profiles:
        by_name.setdefault(p.response_model, replace(p, name=p.response_model))
    return by_name


#: The built-in simulated models, by the names clients may send.
DEFAULT_MODELS: dict[str, ModelProfile] = _models()


def profile_for(
    model: str,
    provider: Literal["openai", "anthropic"],
    kind: Literal["chat", "embedding"] = "chat",
) -> ModelProfile:
    """The profile for ``model``; unknown names get provider defaults and answer as themselves.

    Args:
        model: The model named in the request.
        provider: Which API the request came through.
        kind: ``chat`` or ``embedding`` (the endpoint's kind, used for unknown names).

    Returns:
        A known profile or a default one named ``model``.
    """
    known = DEFAULT_MODELS.get(model)
    if known is not None:
        return known
    if kind == "embedding":
        return ModelProfile(
            model, provider, model, kind="embedding", ttft=0.05, prefill_per_token=0.000005
        )
    return ModelProfile(model, provider, model)
