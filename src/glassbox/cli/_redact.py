"""``glassbox redact``: redact personal data and secrets from existing log files."""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from glassbox.cli import app
from glassbox.cli._common import fail


class _Format(StrEnum):
    text = "text"
    jsonl = "jsonl"


_HELP = (
    "Redact PII and secrets from log files (or stdin) to standard output.\n\n"
    "Streams line by line in constant memory. Every value found becomes <TYPE:KID.TOKEN>, "
    "a keyed hash, so equal values stay joinable. A summary of what was redacted goes to "
    "standard error."
)


@app.command("redact", help=_HELP)
def redact(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Log files to redact, in order. Reads standard input when none are given.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        _Format,
        typer.Option(
            "--format",
            "-f",
            help="text: redact each line as free text. jsonl: redact the string values inside "
            "each JSON object (keys count as context); non-JSON lines are redacted as text.",
            case_sensitive=False,
        ),
    ] = _Format.text,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            help="Hex HMAC key file. Default: $GLASSBOX_REDACTION_KEY, else "
            "$GLASSBOX_REDACTION_KEY_FILE, else .glassbox/redaction.key (created if missing). "
            "Use the deployment's key so tokens match the ones in live logs.",
            show_default=False,
        ),
    ] = None,
    key_id: Annotated[
        str | None,
        typer.Option(
            "--key-id", help="Key id written into tokens (default: the key's fingerprint)."
        ),
    ] = None,
    time_budget: Annotated[
        float,
        typer.Option(
            "--time-budget",
            min=0.01,
            help="Seconds one line may take before it is replaced by <REDACTED:timeout> "
            "(the engine is linear: a 1 MB line of dense personal data needs about 1 s).",
        ),
    ] = 5.0,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No summary on standard error.")
    ] = False,
) -> None:
    """Redact PII and secrets from log files (or stdin) to standard output."""

    from glassbox.redaction import (
        KEY_ENV,
        build_redactor,
        iter_lines,
        redact_jsonl_lines,
        redact_text_lines,
        resolve_key_file,
    )

    for path in files or []:
        if not path.is_file():
            raise fail(
                f"cannot read {path}: no such file (pass existing log files, or pipe to stdin)"
            )
    counts: Counter[str] = Counter()
    created = None
    if key_file is not None or not os.environ.get(KEY_ENV):
        resolved = resolve_key_file(key_file)
        if not resolved.exists():
            created = resolved
    try:
        redactor = build_redactor(
            key_file=key_file,
            key_id=key_id,
            on_redaction=lambda t: counts.update((t,)),
            time_budget=time_budget,
        )
    except (ValueError, OSError) as exc:
        raise fail(f"redaction key: {exc}") from None
    if created is not None and not quiet:
        typer.echo(f"glassbox redact: created a new key at {created} (mode 0600)", err=True)
    stage = redact_jsonl_lines if fmt is _Format.jsonl else redact_text_lines
    out = sys.stdout.buffer
    start = time.perf_counter()
    lines = 0
    nbytes = 0
    name = "<stdin>"
    try:
        for stream, source in _inputs(files):
            name = source
            with stream:
                for line in stage(redactor, iter_lines(stream)):
                    data = _encode(line)
                    out.write(data)
                    lines += 1
                    nbytes += len(data)
        out.flush()
    except BrokenPipeError:
        sys.stderr.close()  # downstream closed (e.g. `| head`): stop quietly
        raise typer.Exit(0) from None
    except OSError as exc:
        raise fail(f"reading {name}: {exc}") from None
    if not quiet:
        elapsed = time.perf_counter() - start
        by_type = ", ".join(f"{t}={n}" for t, n in counts.most_common()) or "nothing found"
        typer.echo(
            f"glassbox redact: {lines} lines, {nbytes / 1e6:.1f} MB in {elapsed:.1f}s; "
            f"redacted {sum(counts.values())} values ({by_type})",
            err=True,
        )


def _inputs(files: list[Path] | None) -> Iterator[tuple[BinaryIO, str]]:
    """Open the inputs one at a time, in order."""
    if not files:
        yield sys.stdin.buffer, "<stdin>"
        return
    for path in files:
        yield path.open("rb"), str(path)


def _encode(line: str) -> bytes:
    try:
        return line.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return line.encode("utf-8", "replace")
