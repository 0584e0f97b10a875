"""The optional raw stream: unredacted content, encrypted, with a retention limit.

Off by default. When a team explicitly enables it for debugging, each record is encrypted
with AES-256-GCM under a key separate from the redaction key and appended to an hourly
file (``raw-YYYYMMDDHH.jsonl.enc``); files older than the retention are deleted as new
ones are opened. Reading requires the key: :func:`read_raw`.
"""

from __future__ import annotations

import base64
import calendar
import contextlib
import json
import os
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from glassbox.redaction._keys import load_or_create_key, resolve_key_file

__all__ = ["RAW_KEY_FILE_ENV", "RawStream", "read_raw"]

#: Environment variable naming the raw-stream key file (default ``.glassbox/raw.key``).
RAW_KEY_FILE_ENV = "GLASSBOX_RAW_KEY_FILE"
_DEFAULT_RAW_KEY = Path(".glassbox") / "raw.key"
_PREFIX = "raw-"
_SUFFIX = ".jsonl.enc"
_NONCE = 12


def _aead(key: bytes) -> Any:
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the raw stream needs cryptography: pip install 'glassbox[redaction]'"
        ) from None
    return AESGCM(key)


class RawStream:
    """Append-only, encrypted, retention-limited store of unredacted log events.

    Args:
        directory: Where the hourly files go (created with mode 0700).
        key: 32-byte AES key; if ``None`` it is read from ``key_file`` (generated 0600
            when missing). Must differ from the redaction key.
        key_file: Key file; default ``$GLASSBOX_RAW_KEY_FILE`` or ``.glassbox/raw.key``.
        retention_hours: Files whose hour is older than this are deleted.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        key: bytes | None = None,
        key_file: str | os.PathLike[str] | None = None,
        retention_hours: float = 24.0,
    ) -> None:
        if retention_hours <= 0:
            raise ValueError(f"retention_hours must be positive, got {retention_hours}")
        if key is None:
            key = load_or_create_key(resolve_key_file(key_file, RAW_KEY_FILE_ENV, _DEFAULT_RAW_KEY))
        if len(key) != 32:
            raise ValueError(f"raw stream key must be 32 bytes (AES-256), got {len(key)}")
        self._aead = _aead(key)
        self.directory = Path(directory)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.retention_seconds = retention_hours * 3600
        self._lock = threading.Lock()
        self._hour = ""
        self._fh: Any = None

    def write(self, record: str, *, now: float | None = None) -> None:
        """Encrypt ``record`` and append it to the current hour's file."""
        ts = time.time() if now is None else now
        hour = time.strftime("%Y%m%d%H", time.gmtime(ts))
        nonce = secrets.token_bytes(_NONCE)
        name = f"{_PREFIX}{hour}{_SUFFIX}"
        sealed = self._aead.encrypt(nonce, record.encode("utf-8", "surrogatepass"), name.encode())
        line = base64.b64encode(nonce + sealed) + b"\n"
        with self._lock:
            if hour != self._hour:
                self._rotate(hour, name, ts)
            self._fh.write(line)
            self._fh.flush()

    def write_event(self, event_dict: Any) -> None:
        """Write a structlog event dict as one JSON record (non-JSON values via ``repr``)."""
        with contextlib.suppress(Exception):  # best-effort; never break logging
            self.write(json.dumps(event_dict, default=repr, ensure_ascii=False))

    def _rotate(self, hour: str, name: str, ts: float) -> None:
        if self._fh is not None:
            self._fh.close()
        fd = os.open(self.directory / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._fh = os.fdopen(fd, "ab")
        self._hour = hour
        self.prune(now=ts)

    def prune(self, *, now: float | None = None) -> list[Path]:
        """Delete files older than the retention; return the deleted paths."""
        cutoff = (time.time() if now is None else now) - self.retention_seconds
        removed = []
        for path in self.directory.glob(f"{_PREFIX}*{_SUFFIX}"):
            stamp = path.name[len(_PREFIX) : -len(_SUFFIX)]
            try:
                start = calendar.timegm(time.strptime(stamp, "%Y%m%d%H"))
            except ValueError:
                continue
            if start + 3600 <= cutoff:
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed

    def close(self) -> None:
        """Close the current file."""
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None
                self._hour = ""


def read_raw(path: str | os.PathLike[str], key: bytes) -> Iterator[str]:
    """Decrypt the records of one raw-stream file.

    Raises:
        cryptography.exceptions.InvalidTag: The key is wrong or the file was tampered
            with (records are authenticated, and bound to their file name).
    """
    p = Path(path)
    aead = _aead(key)
    with p.open("rb") as fh:
        for line in fh:
            blob = base64.b64decode(line.strip())
            yield aead.decrypt(blob[:_NONCE], blob[_NONCE:], p.name.encode()).decode(
                "utf-8", "surrogatepass"
            )
