"""Auto-instrumentation of LLM client libraries, one module per library.

Each integration patches the library's own methods to record every call through
:func:`glassbox.llm_call`; ``uninstrument_*`` puts the exact originals back. What the
application receives (return values, the library's own stream objects, exceptions) is
the same with and without instrumentation, and a failure inside Glassbox is counted,
never raised into the application.
"""

from __future__ import annotations

from collections.abc import Callable

from glassbox.instrumentation._anthropic import instrument_anthropic, uninstrument_anthropic
from glassbox.instrumentation._openai import instrument_openai, uninstrument_openai

__all__ = [
    "LIBRARIES",
    "instrument",
    "instrument_anthropic",
    "instrument_openai",
    "uninstrument",
    "uninstrument_anthropic",
    "uninstrument_openai",
]

#: Library name -> (instrument, uninstrument).
LIBRARIES: dict[str, tuple[Callable[[], None], Callable[[], None]]] = {
    "anthropic": (instrument_anthropic, uninstrument_anthropic),
    "openai": (instrument_openai, uninstrument_openai),
}


def _lookup(name: str) -> tuple[Callable[[], None], Callable[[], None]]:
    try:
        return LIBRARIES[name]
    except KeyError:
        raise ValueError(
            f"no instrumentation for {name!r}; known libraries: {', '.join(sorted(LIBRARIES))}"
        ) from None


def instrument(name: str) -> None:
    """Instrument the library called ``name`` (``"openai"`` or ``"anthropic"``); idempotent.

    Raises:
        ValueError: Unknown library name.
        ImportError: The library is not installed.
    """
    _lookup(name)[0]()


def uninstrument(name: str) -> None:
    """Restore the original methods of the library called ``name``; idempotent.

    Raises:
        ValueError: Unknown library name.
    """
    _lookup(name)[1]()
