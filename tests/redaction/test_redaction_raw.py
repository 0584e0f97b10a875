"""The optional raw stream: authenticated encryption and retention."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from glassbox.redaction import RawStream, read_raw


def test_round_trip_and_owner_only_files(tmp_path: Path) -> None:
    key = b"k" * 32
    stream = RawStream(tmp_path, key=key)
    stream.write("first a@example.com")
    stream.write("second")
    stream.close()
    (path,) = tmp_path.glob("raw-*.jsonl.enc")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(read_raw(path, key)) == ["first a@example.com", "second"]


def test_wrong_key_or_renamed_file_fails_authentication(tmp_path: Path) -> None:
    stream = RawStream(tmp_path, key=b"k" * 32)
    stream.write("secret")
    stream.close()
    (path,) = tmp_path.glob("raw-*.jsonl.enc")
    with pytest.raises(InvalidTag):
        list(read_raw(path, b"x" * 32))
    moved = path.with_name("raw-2000010100.jsonl.enc")
    path.rename(moved)
    with pytest.raises(InvalidTag):  # records are bound to their file name
        list(read_raw(moved, b"k" * 32))


def test_retention_deletes_old_hourly_files(tmp_path: Path) -> None:
    now = time.time()
    stream = RawStream(tmp_path, key=b"k" * 32, retention_hours=2)
    stream.write("old", now=now - 5 * 3600)
    stream.close()
    stream = RawStream(tmp_path, key=b"k" * 32, retention_hours=2)
    stream.write("recent", now=now - 3600)  # opening a new hour prunes expired files
    stream.write("now", now=now)
    stream.close()
    names = sorted(p.name for p in tmp_path.glob("raw-*"))
    hours = [time.strftime("%Y%m%d%H", time.gmtime(t)) for t in (now - 3600, now)]
    assert names == [f"raw-{h}.jsonl.enc" for h in hours]
    assert stream.prune(now=now + 10 * 3600) != []
    assert list(tmp_path.glob("raw-*")) == []


def test_generates_its_own_key_file(tmp_path: Path) -> None:
    RawStream(tmp_path / "raw", key_file=tmp_path / "raw.key")
    assert stat.S_IMODE((tmp_path / "raw.key").stat().st_mode) == 0o600


def test_rejects_bad_configuration(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        RawStream(tmp_path, key=b"short")
    with pytest.raises(ValueError, match="retention_hours"):
        RawStream(tmp_path, key=b"k" * 32, retention_hours=0)
