"""The live terminal view: a rich panel on a terminal, plain progress lines elsewhere (CI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from glassbox.demo._options import format_duration

__all__ = ["LiveView", "Snapshot"]


@dataclass(frozen=True)
class Snapshot:
    """What the view shows at one moment."""

    elapsed: float
    duration: float
    ingested: int
    embedded: int
    published: int
    failed: int
    queue_depth: int
    calls: int
    errors: int
    tokens: int
    cost: float
    faults: tuple[str, ...] = ()
    firing: tuple[str, ...] = ()
    last_story: str = ""
    drift_checks: int = 0
    extra: dict[str, str] = field(default_factory=dict)


class LiveView:
    """Shows snapshots and events while the demo runs.

    Args:
        console: Where to draw.
        live: Force the live panel on or off; ``None`` uses it only on a terminal.
        every: Seconds between progress lines when not live.
    """

    def __init__(self, console: Console, live: bool | None = None, every: float = 15.0) -> None:
        self.console = console
        self.live = console.is_terminal if live is None else live
        self._every = every
        self._last_line = -every
        self._live: Live | None = None

    def __enter__(self) -> LiveView:
        if self.live:
            self._live = Live(console=self.console, refresh_per_second=4, transient=True)
            self._live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.__exit__(exc_type, exc, tb)
            self._live = None

    def event(self, elapsed: float, message: str) -> None:
        """Print one timeline event (above the live panel when there is one)."""
        self.console.print(f"[dim]t+{format_duration(elapsed):>6}[/]  {message}")

    def update(self, snap: Snapshot) -> None:
        """Redraw the panel, or print a progress line every few seconds."""
        if self._live is not None:
            self._live.update(render(snap))
        elif snap.elapsed - self._last_line >= self._every:
            self._last_line = snap.elapsed
            self.console.print(
                f"[dim]t+{format_duration(snap.elapsed):>6}[/]  {snap.ingested} articles, "
                f"{snap.published} stories, queue {snap.queue_depth}, {snap.calls} LLM calls "
                f"({snap.errors} failed), ${snap.cost:.4f}, firing: "
                f"{', '.join(snap.firing) or 'none'}"
            )


def render(snap: Snapshot) -> RenderableType:
    """The live panel for ``snap``."""
    head = Table.grid(padding=(0, 2))
    head.add_row(
        Text(
            f"Newsroom demo  t+{format_duration(snap.elapsed)} / {format_duration(snap.duration)}"
        ),
        ProgressBar(total=snap.duration, completed=min(snap.elapsed, snap.duration), width=40),
    )
    body = Table(show_header=False, show_edge=False, pad_edge=False)
    body.add_column(style="bold")
    body.add_column()
    body.add_row(
        "articles", f"{snap.ingested} ingested, {snap.embedded} embedded, queue {snap.queue_depth}"
    )
    body.add_row("stories", f"{snap.published} published, {snap.failed} failed")
    body.add_row(
        "LLM", f"{snap.calls} calls, {snap.errors} failed, {snap.tokens:,} tokens, ${snap.cost:.4f}"
    )
    body.add_row("faults", ", ".join(snap.faults) or "[green]none")
    body.add_row("firing", "[red]" + ", ".join(snap.firing) if snap.firing else "[green]none")
    if snap.last_story:
        body.add_row("latest", snap.last_story[:90])
    for key, value in snap.extra.items():
        body.add_row(key, value)
    return Group(head, body)
