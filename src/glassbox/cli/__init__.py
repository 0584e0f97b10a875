"""The ``glassbox`` command line: a thin layer over the library.

Each command group lives in its own module and imports heavy dependencies inside its
commands, so ``glassbox --help`` stays fast. Errors follow one policy (see
:mod:`glassbox.cli._common` and ``docs/cli.md``): a :class:`~glassbox.GlassboxError` from any
command becomes one ``error: …`` line and exit status 1, 2 or 3, never a traceback.
"""

from __future__ import annotations

import typer

from glassbox._version import __version__
from glassbox.cli._common import GlassboxGroup

app = typer.Typer(
    name="glassbox",
    cls=GlassboxGroup,
    help="Observability for AI systems: metrics, traces and logs for LLM calls, agents and queues.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"glassbox {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version_callback,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """Glassbox command line."""


# --- Command groups (one line each) ---------------------------------------------------
from glassbox.cli import (  # noqa: E402,F401  (each module registers its commands)
    _console,
    _demo,
    _deploy,
    _drift,
    _eval,
    _mixin,
    _redact,
    _simulate,
    _stack,
    _top,
)


def main() -> None:
    """Entry point of the ``glassbox`` console script."""
    app()
