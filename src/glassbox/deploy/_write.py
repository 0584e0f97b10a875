"""Write a deployment bundle: its files, and its secrets once, locked down."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from glassbox.render import Bundle, write_files

__all__ = ["write_bundle"]


def _write_secret(path: Path, value: str, secrets_root: Path) -> None:
    """Write a secret file inside a directory tree only its owner can enter.

    The file itself is world-readable (0644) because it is bind-mounted into containers
    that run as their own unprivileged user (Grafana 472, Alertmanager 65534); on the
    host, the 0700 directories above it keep other users out.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    directory = path.parent
    while True:
        os.chmod(directory, 0o700)
        if directory == secrets_root or secrets_root not in directory.parents:
            break
        directory = directory.parent
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    os.chmod(path, 0o644)


def _root(out: Path, relative: str) -> Path:
    """The top directory of a secret (``out/secrets``), the one to lock down."""
    return out / Path(relative).parts[0]


def write_bundle(bundle: Bundle, out: Path) -> list[Path]:
    """Write ``bundle`` under ``out``; return every file written or kept.

    Generated secrets get 32 random bytes (URL-safe base64), only when missing or empty,
    so regenerating the files keeps existing passwords. External secrets are created
    empty for the operator to fill in. Secret directories are 0700.
    """
    written = write_files(bundle.files, out)
    for relative in bundle.generated_secrets:
        path = out / relative
        if not path.exists() or not path.read_text().strip():
            _write_secret(path, secrets.token_urlsafe(32) + "\n", _root(out, relative))
        written.append(path)
    for relative in bundle.external_secrets:
        path = out / relative
        if not path.exists():
            _write_secret(path, "", _root(out, relative))
        written.append(path)
    return written
