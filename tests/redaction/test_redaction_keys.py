"""Key loading, generation with owner-only permissions, and configuration order."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from glassbox.redaction import KEY_ENV, KEY_FILE_ENV, build_redactor
from glassbox.redaction._keys import load_or_create_key


def test_missing_key_file_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "state" / "redaction.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_or_create_key(path) == key  # reused, not regenerated


def test_build_redactor_reads_and_reuses_the_key_file(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    a = build_redactor(key_file=path).redact("mail a@example.com")
    b = build_redactor(key_file=path).redact("mail a@example.com")
    assert a == b
    assert path.exists()


def test_environment_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(KEY_FILE_ENV, str(tmp_path / "from-env.key"))
    build_redactor()
    assert (tmp_path / "from-env.key").exists()
    monkeypatch.setenv(KEY_ENV, (b"e" * 32).hex())
    assert build_redactor().key_id == build_redactor(key=b"e" * 32).key_id
    assert not (tmp_path / ".glassbox").exists()


def test_default_location_is_project_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    build_redactor()
    assert (tmp_path / ".glassbox" / "redaction.key").is_file()


def test_unusable_key_file_is_an_actionable_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.key"
    path.write_text("not hex")
    with pytest.raises(ValueError, match=str(path)):
        build_redactor(key_file=path)
    path.write_text("abcd")
    with pytest.raises(ValueError, match="at least 16 bytes"):
        build_redactor(key_file=path)


def test_key_file_content_is_never_world_readable_after_creation(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        load_or_create_key(tmp_path / "k")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "k").stat().st_mode) == 0o600
