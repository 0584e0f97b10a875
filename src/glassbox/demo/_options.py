"""What a demo run is asked to do: its duration, scenarios, seed and where the stack lives."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from glassbox.exceptions import DurationError

__all__ = ["DemoOptions", "DurationError", "format_duration", "parse_duration"]

_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*m)?\s*(?:(\d+(?:\.\d+)?)\s*s?)?\s*$")


def parse_duration(text: str) -> float:
    """Seconds in ``text``: ``90``, ``90s``, ``4m``, ``1m30s`` or ``2.5m``.

    Args:
        text: The duration as given on the command line.

    Returns:
        The duration in seconds (positive).

    Raises:
        DurationError: Not one of the accepted forms, or not positive.
    """
    match = _DURATION.match(text)
    if not text.strip() or match is None or not any(match.groups()):
        raise DurationError(
            f"--duration {text!r} is not understood: use seconds (90), seconds with a unit "
            "(90s) or minutes (4m, 1m30s)"
        )
    minutes, seconds = match.groups()
    total = float(minutes or 0) * 60 + float(seconds or 0)
    if total <= 0:
        raise DurationError(f"--duration {text!r} must be longer than zero")
    return total


def format_duration(seconds: float) -> str:
    """``95`` → ``1m35s``; under a minute ``42s`` (or ``4.2s`` below ten seconds)."""
    if seconds < 10:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    minutes, rest = divmod(whole, 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{rest}s"


@dataclass(frozen=True)
class DemoOptions:
    """One demo run.

    Attributes:
        duration: Seconds to run; ``None`` picks the shortest that gives every scheduled
            fault a full detection window.
        scenarios: Scenario names in the order given (see :data:`SCENARIOS`).
        seed: Makes articles, the simulator and the fault draws reproducible.
        state_dir: Where the local stack lives (started here when it is not running).
        env: The decisions-file environment of the stack.
        config: The decisions file (default: the one shipped with Glassbox).
        warmup: Seconds of clean traffic before the first fault.
        stop_when_detected: End as soon as every injected fault was detected and cleared.
        keep_stack: Leave a stack the demo started running afterwards.
        live: Show the live terminal view (``None``: only on a terminal).
    """

    duration: float | None = None
    scenarios: tuple[str, ...] = ()
    seed: int = 7
    state_dir: Path = field(default_factory=lambda: Path(".glassbox"))
    env: str = "local"
    config: Path | None = None
    warmup: float = 15.0
    stop_when_detected: bool = False
    keep_stack: bool = False
    live: bool | None = None
