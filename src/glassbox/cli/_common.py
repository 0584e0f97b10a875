"""Helpers shared by command modules."""

from __future__ import annotations

from typing import Any

import typer

__all__ = ["fail", "results_console"]


def results_console() -> Any:
    """A rich console for results; wide when piped, so names are not cut."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console.width = 160
    return console


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` in red on stderr; return the ``Exit`` to raise."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)
