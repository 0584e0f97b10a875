"""Ambient attributes (tenant, team, …) and the request id, carried in ``contextvars``.

``contextvars`` flow into asyncio tasks automatically and into threads started through
``contextvars.copy_context().run`` (or executors that copy context), so attribution follows
the work wherever it goes.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType

from glassbox._args import as_text

__all__ = ["attributes", "current_attributes", "current_request_id", "request_id"]

_EMPTY: Mapping[str, str] = MappingProxyType({})
_ATTRIBUTES: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "glassbox_attributes", default=_EMPTY
)
_REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "glassbox_request_id", default=None
)


@contextmanager
def attributes(**values: object) -> Iterator[Mapping[str, str]]:
    """Attach attributes to everything recorded inside the block.

    Attributes go onto spans (as ``glassbox.<name>``) and log lines; ``team`` and
    ``tenant`` also become the cost attribution labels when allow-listed in ``init()``.
    Nested blocks add to and override the outer ones. Values are converted to ``str``;
    ``None`` removes an inherited attribute.

    Example::

        with glassbox.attributes(tenant="acme", team="search"):
            answer = client.chat.completions.create(...)
    """
    merged = dict(_ATTRIBUTES.get())
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = as_text(value)
    token = _ATTRIBUTES.set(MappingProxyType(merged))
    try:
        yield _ATTRIBUTES.get()
    finally:
        _ATTRIBUTES.reset(token)


def current_attributes() -> Mapping[str, str]:
    """The attributes in effect here (read-only)."""
    return _ATTRIBUTES.get()


@contextmanager
def request_id(value: str) -> Iterator[str]:
    """Set the request id that every log line inside the block carries."""
    text = as_text(value)
    token = _REQUEST_ID.set(text)
    try:
        yield text
    finally:
        _REQUEST_ID.reset(token)


def current_request_id() -> str | None:
    """The request id in effect here, if any."""
    return _REQUEST_ID.get()
