"""Auto-instrumentation of LLM client libraries, one module per library.

Each integration patches the library's own methods to record every call through
:func:`glassbox.llm_call`; ``uninstrument_*`` puts the exact originals back. What the
application receives (return values, the library's own stream objects, exceptions) is
the same with and without instrumentation, and a failure inside Glassbox is counted,
never raised into the application.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from glassbox.instrumentation._anthropic import instrument_anthropic, uninstrument_anthropic
from glassbox.instrumentation._openai import instrument_openai, uninstrument_openai

__all__ = [
    "LIBRARIES",
    "Library",
    "installed",
    "instrument",
    "instrument_anthropic",
    "instrument_openai",
    "uninstrument",
    "uninstrument_anthropic",
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
    """

    name: str
    module: str
    instrument: Callable[[], None]
    uninstrument: Callable[[], None]

    def installed(self) -> bool:
        """Whether the instrumented library can be imported here."""
        return importlib.util.find_spec(self.module) is not None


#: Every integration by name.
LIBRARIES: dict[str, Library] = {
    library.name: library
    for library in (
        Library("anthropic", "anthropic", instrument_anthropic, uninstrument_anthropic),
        Library("openai", "openai", instrument_openai, uninstrument_openai),
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
