"""Start and stop Glassbox: the runtime first, then the integrations on top of it.

This module sits above both the core (:mod:`glassbox._runtime`) and its plug-ins
(:mod:`glassbox.instrumentation`), so that dependencies point one way: integrations
import the core, the core never imports them. ``glassbox.init()``/``shutdown()`` and
:func:`glassbox.testing.capture` come through here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from glassbox import _runtime

__all__ = ["AUTO", "start", "stop"]

#: ``init(instrument="auto")``: every integration whose library is installed.
AUTO = "auto"


def start(**settings: Any) -> _runtime.Runtime:
    """Initialise the runtime (once per process), then switch on its integrations."""
    runtime = _runtime.init(**settings)
    _switch(runtime, runtime.settings.instrument, on=True)
    return runtime


def stop() -> None:
    """Switch the integrations off, then flush and stop the runtime. Safe to call twice."""
    runtime = _runtime.current()
    if runtime is not None:
        _switch(runtime, runtime.settings.instrument, on=False)
    _runtime.shutdown()


def _switch(runtime: _runtime.Runtime, names: Iterable[str], *, on: bool) -> None:
    """(Un)instrument the named libraries; a failure is counted, never raised.

    ``"auto"`` stands for every integration whose library is installed.
    """
    names = tuple(names)
    if not names:
        return
    from glassbox import instrumentation

    if AUTO in names:
        names = tuple(dict.fromkeys([*instrumentation.installed(), *names]))
        names = tuple(name for name in names if name != AUTO)
    for name in names:
        try:
            (instrumentation.instrument if on else instrumentation.uninstrument)(name)
        except Exception as exc:
            runtime.report_error(f"{'' if on else 'un'}instrument_{name}", exc)
