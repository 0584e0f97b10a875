"""The command line's one error policy, and the checks of input at its edge.

Exit statuses (the table lives on the exceptions, :attr:`GlassboxError.exit_code`):
0 ok, 1 a condition was found (drift, a regression, a failed check) or the operation
failed, 2 bad input or usage, 3 a service could not be reached.

Commands do not report a :class:`~glassbox.exceptions.GlassboxError` themselves (at most
they re-raise it with a hint added): :class:`GlassboxGroup`, the class of the root
``glassbox`` group, catches it once for every command, prints ``error: <message>`` on one
line and exits with the error's code. Commands check their
options here, before any work starts (a demo that runs for minutes must not fail at the
end because its ``--summary-json`` directory does not exist), and raise
:class:`~glassbox.exceptions.ConfigError` naming the option, the value and what is expected.
"""

from __future__ import annotations

import math
import tempfile
import urllib.parse
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from glassbox.exceptions import ConfigError, GlassboxError

__all__ = [
    "EXIT_CONDITION",
    "GlassboxGroup",
    "fail",
    "finite",
    "http_url",
    "output_dir",
    "results_console",
    "state_dir",
    "tcp_port",
    "writable_file",
]

#: Exit status when a command found what it looks for (drift, a regression, a failed
#: check, an unhealthy stack). Errors carry their own (:attr:`GlassboxError.exit_code`).
EXIT_CONDITION = 1


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` on one line, red, on stderr; return the ``Exit`` to raise."""
    line = "; ".join(part.strip() for part in message.splitlines() if part.strip())
    typer.secho(f"error: {line}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


class GlassboxGroup(TyperGroup):
    """The root command group: turns any :class:`GlassboxError` into one line and its code.

    Sub-groups and commands run inside this group's :meth:`invoke`, so this is the one
    place that catches; it works the same under ``glassbox`` and typer's ``CliRunner``.
    """

    def invoke(self, ctx: Any) -> Any:  # typer's (vendored) click Context
        try:
            return super().invoke(ctx)
        except GlassboxError as exc:
            raise fail(str(exc), exc.exit_code) from None


def results_console() -> Any:
    """A rich console for results; wide when piped, so names are not cut."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console.width = 160
    return console


def http_url(value: str, option: str, example: str = "http://127.0.0.1:9090") -> str:
    """``value`` if it is an http(s) URL with a host (and a valid port, if any).

    Raises:
        ConfigError: Anything else; the message names ``option`` and shows ``example``.
    """
    expected = f"an http:// or https:// URL such as {example}"
    try:
        parts = urllib.parse.urlsplit(value)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018  (raises ValueError on a port out of range or not a number)
    except ValueError:
        valid = False
    if not valid:
        raise ConfigError(option, value, expected)
    return value


def tcp_port(value: int | None, option: str) -> int | None:
    """``value`` if it is ``None`` (not given) or a TCP port, 1-65535."""
    if value is not None and not 0 < value < 65536:
        raise ConfigError(option, value, "a TCP port, 1-65535")
    return value


def finite(value: float, option: str, *, minimum: float = 0.0) -> float:
    """``value`` if it is a finite number ``>= minimum`` (``nan`` and ``inf`` are not)."""
    if not math.isfinite(value) or value < minimum:
        raise ConfigError(option, value, f"a finite number >= {minimum:g}")
    return value


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()  # pragma: no cover  (a relative path's parents end at ".")


def _check_writable_dir(directory: Path, option: str, given: Path, what: str) -> None:
    """Raise unless a file can really be created in ``directory`` (also true for root)."""
    if not directory.is_dir():
        raise ConfigError(option, given, f"{what} ({directory} is not a directory)")
    try:
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(
            option, given, f"{what} (cannot create a file in {directory}: {reason})"
        ) from None


def writable_file(path: Path, option: str, *, create_parents: bool = False) -> Path:
    """``path`` if a file can be written there: not a directory, in a writable directory.

    Args:
        path: The file the command will write.
        option: The option that named it, for the message.
        create_parents: The command creates missing parent directories itself.
    """
    if path.is_dir():
        raise ConfigError(option, path, "a file path, not a directory")
    parent = _nearest_existing(path.parent) if create_parents else path.parent
    what = "a file in a writable directory"
    if not parent.exists():
        raise ConfigError(option, path, f"{what} ({parent} does not exist; create it first)")
    _check_writable_dir(parent, option, path, what)
    return path


def output_dir(path: Path, option: str) -> Path:
    """``path`` if it is a directory, or can be created, and files can be written in it."""
    if path.exists() and not path.is_dir():
        raise ConfigError(option, path, "a directory, not an existing file; choose another path")
    _check_writable_dir(_nearest_existing(path), option, path, "a writable directory")
    return path


def state_dir(path: Path, option: str = "--state-dir") -> Path:
    """``path`` if it is a directory or does not exist yet (then it will be created)."""
    if path.exists() and not path.is_dir():
        raise ConfigError(
            option, path, "a directory (this is a file); pass another --state-dir or move the file"
        )
    blocker = _nearest_existing(path)
    if not blocker.is_dir():
        raise ConfigError(option, path, f"a directory ({blocker} is a file)")
    return path
