"""A local LLM simulator speaking the OpenAI and Anthropic HTTP APIs.

The real ``openai`` and ``anthropic`` client libraries work against it unchanged. Each
simulated model has a latency model (queue wait, time to first token, per-token decode,
jitter), token counts derived from the text and prompt caching of repeated prefixes;
everything is reproducible under a seed. Faults (error rates per status, latency,
outage, truncated streams, malformed bodies) change at runtime through
``/admin/faults``, :meth:`Simulator.set_faults` or ``glassbox simulate-llm faults``.
"""

from glassbox.simulator._engine import Engine, PromptCache
from glassbox.simulator._faults import Faults, FaultsError
from glassbox.simulator._models import DEFAULT_MODELS, ModelProfile, profile_for
from glassbox.simulator._server import Simulator, serve
from glassbox.simulator._text import count_tokens, tokenize

__all__ = [
    "DEFAULT_MODELS",
    "Engine",
    "Faults",
    "FaultsError",
    "ModelProfile",
    "PromptCache",
    "Simulator",
    "count_tokens",
    "profile_for",
    "serve",
    "tokenize",
]
