"""Auto-instrumentation, one module per library.

Provider SDKs (``openai``, ``anthropic``) are patched to record every call through
:func:`glassbox.llm_call`; ``uninstrument_*`` puts the exact originals back. HTTP clients
(``httpx``, ``requests``, ``aiohttp``) go through the official OpenTelemetry
instrumentations; ``mcp`` and ``celery`` carry one trace across processes and add their
metrics. What the application receives (return values, the library's own stream
objects, exceptions) is the same with and without instrumentation, and a failure inside
Glassbox is counted, never raised into the application.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from glassbox.instrumentation._anthropic import instrument_anthropic, uninstrument_anthropic
from glassbox.instrumentation._celery import instrument_celery, uninstrument_celery
from glassbox.instrumentation._http import (
    HTTP_CLIENTS,
    instrument_http_client,
    uninstrument_http_client,
)
from glassbox.instrumentation._langchain import instrument_langchain, uninstrument_langchain
from glassbox.instrumentation._litellm import instrument_litellm, uninstrument_litellm
from glassbox.instrumentation._mcp import instrument_mcp, uninstrument_mcp
from glassbox.instrumentation._openai import instrument_openai, uninstrument_openai

__all__ = [
    "LIBRARIES",
    "Library",
    "installed",
    "instrument",
    "instrument_anthropic",
    "instrument_celery",
    "instrument_langchain",
    "instrument_litellm",
    "instrument_mcp",
    "instrument_openai",
    "uninstrument",
    "uninstrument_anthropic",
    "uninstrument_celery",
    "uninstrument_langchain",
    "uninstrument_litellm",
    "uninstrument_mcp",
    "uninstrument_openai",
]


@dataclass(frozen=True)
class Library:
    """One auto-instrumentation (a :class:`glassbox.typing.Integration`).

    Attributes:
        name: What ``init(instrument=[...])`` calls it.
        module: The importable module it patches (tells whether it is installed).
        instrument: Patches the library; idempotent.
        uninstrument: Restores the library's own methods; idempotent.
        requires: Further modules the integration needs (an OpenTelemetry
            instrumentation package), so that ``"auto"`` picks it only when all are there.
    """

    name: str
    module: str
    instrument: Callable[[], None]
    uninstrument: Callable[[], None]
    requires: tuple[str, ...] = field(default=())

    def installed(self) -> bool:
        """Whether the instrumented library (and what the integration needs) can be imported."""
        return all(_importable(module) for module in (self.module, *self.requires))


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # a parent package is missing
        return False


def _http_library(name: str) -> Library:
    module, instrumentation, _ = HTTP_CLIENTS[name]
    return Library(
        name,
        module,
        partial(instrument_http_client, name),
        partial(uninstrument_http_client, name),
        requires=(instrumentation,),
    )


#: Every integration by name.
LIBRARIES: dict[str, Library] = {
    library.name: library
    for library in (
        Library("anthropic", "anthropic", instrument_anthropic, uninstrument_anthropic),
        Library("celery", "celery", instrument_celery, uninstrument_celery),
        Library("langchain", "langchain_core", instrument_langchain, uninstrument_langchain),
        Library("litellm", "litellm", instrument_litellm, uninstrument_litellm),
        Library("mcp", "mcp", instrument_mcp, uninstrument_mcp),
        Library("openai", "openai", instrument_openai, uninstrument_openai),
        *(_http_library(name) for name in HTTP_CLIENTS),
    )
}


def _lookup(name: str) -> Library:
    try:
        return LIBRARIES[name]
    except KeyError:
        raise ValueError(
            f"no instrumentation for {name!r}; known libraries: {', '.join(sorted(LIBRARIES))}"
        ) from None


def installed() -> list[str]:
    """Names of the integrations whose library is installed, sorted."""
    return sorted(name for name, library in LIBRARIES.items() if library.installed())


def instrument(name: str) -> None:
    """Instrument the library called ``name`` (see :data:`LIBRARIES`); idempotent.

    Raises:
        ValueError: Unknown library name.
        ImportError: The library is not installed.
    """
    _lookup(name).instrument()


def uninstrument(name: str) -> None:
    """Restore the original methods of the library called ``name``; idempotent.

    Raises:
        ValueError: Unknown library name.
    """
    _lookup(name).uninstrument()
