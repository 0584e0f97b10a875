"""Per-deployment keys: loaded from configuration or generated once with owner-only access."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

__all__ = [
    "DEFAULT_KEY_FILE",
    "KEY_ENV",
    "KEY_FILE_ENV",
    "check_key_id",
    "default_key_id",
    "key_from_env",
    "load_or_create_key",
    "resolve_key_file",
]

#: Environment variable holding the HMAC key itself, hex-encoded (for containers/secrets).
KEY_ENV = "GLASSBOX_REDACTION_KEY"
#: Environment variable naming the key file.
KEY_FILE_ENV = "GLASSBOX_REDACTION_KEY_FILE"
#: Key file used when neither a key nor a key file is configured (relative to the cwd).
DEFAULT_KEY_FILE = Path(".glassbox") / "redaction.key"

_KEY_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9_\-]{1,16}$")


def resolve_key_file(
    key_file: str | os.PathLike[str] | None,
    env: str = KEY_FILE_ENV,
    default: Path = DEFAULT_KEY_FILE,
) -> Path:
    """The key file to use: the argument, else ``$GLASSBOX_REDACTION_KEY_FILE``, else the default.

    Args:
        key_file: Explicitly configured path, or ``None``.
        env: Environment variable consulted when ``key_file`` is ``None``.
        default: Path used when neither is set.

    Returns:
        The path (which may not exist yet).
    """
    if key_file is not None:
        return Path(key_file)
    from_env = os.environ.get(env)
    return Path(from_env) if from_env else default


def _parse_key(text: str, origin: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise ValueError(f"{origin} must hold a hex-encoded key; fix or delete it") from None
    if len(key) < 16:
        raise ValueError(f"{origin} holds a {len(key)}-byte key; use at least 16 bytes (32 hex)")
    return key


def load_or_create_key(path: Path, *, nbytes: int = _KEY_BYTES) -> bytes:
    """Read a hex-encoded key from ``path``, or create it with mode 0600 if it is missing.

    Creation uses ``O_EXCL``, so concurrent processes starting together agree on one key.

    Args:
        path: Key file location; missing parent directories are created with mode 0700.
        nbytes: Size of a newly generated key.

    Returns:
        The key bytes.

    Raises:
        ValueError: The file exists but does not hold a usable key.
        OSError: The file can neither be read nor created.
    """
    try:
        return _parse_key(path.read_text(encoding="ascii"), f"key file {path}")
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_bytes(nbytes)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _parse_key(path.read_text(encoding="ascii"), f"key file {path}")
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


def key_from_env() -> bytes | None:
    """The key from ``$GLASSBOX_REDACTION_KEY``, or ``None`` when unset."""
    raw = os.environ.get(KEY_ENV)
    return _parse_key(raw, f"${KEY_ENV}") if raw else None


def default_key_id(key: bytes) -> str:
    """A short public fingerprint of ``key`` (4 hex characters) used as its key id."""
    return hashlib.sha256(b"glassbox-redaction-key-id\x00" + key).hexdigest()[:4]


def check_key_id(key_id: str) -> str:
    """Validate a configured key id (1-16 characters of ``[A-Za-z0-9_-]``)."""
    if not _KEY_ID.match(key_id):
        raise ValueError(
            f"key_id {key_id!r} is invalid: use 1-16 letters, digits, '_' or '-' (e.g. 'k2')"
        )
    return key_id
