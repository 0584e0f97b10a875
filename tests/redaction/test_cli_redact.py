"""``glassbox redact``: stdin/stdout, files, formats, and actionable errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from glassbox.cli import app

runner = CliRunner()


def test_stdin_to_stdout_text(tmp_path: Path) -> None:
    key = tmp_path / "r.key"
    result = runner.invoke(
        app, ["redact", "--key-file", str(key)], input="hi a@example.com\nclean\n"
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("hi <EMAIL:")
    assert lines[1] == "clean"
    assert "redacted 1 values (EMAIL=1)" in result.stderr
    assert key.exists()


def test_files_in_order_jsonl(tmp_path: Path) -> None:
    key = tmp_path / "r.key"
    a = tmp_path / "a.log"
    b = tmp_path / "b.log"
    a.write_text(json.dumps({"password": "hunter22"}) + "\n")
    b.write_text("plain 4111 1111 1111 1111\n")
    result = runner.invoke(
        app, ["redact", "--format", "jsonl", "--key-file", str(key), "-q", str(a), str(b)]
    )
    assert result.exit_code == 0, result.output
    first, second = result.stdout.splitlines()
    assert json.loads(first)["password"].startswith("<SECRET:")
    assert second.startswith("plain <CREDIT_CARD:")
    assert result.stderr == ""


def test_same_key_gives_same_tokens_across_runs(tmp_path: Path) -> None:
    args = ["redact", "-q", "--key-file", str(tmp_path / "r.key")]
    one = runner.invoke(app, args, input="a@example.com\n").stdout
    two = runner.invoke(app, args, input="a@example.com\n").stdout
    assert one == two


def test_missing_file_is_an_actionable_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["redact", str(tmp_path / "nope.log")])
    assert result.exit_code == 2
    assert "nope.log" in result.stderr
    assert "no such file" in result.stderr


def test_bad_key_file_is_an_actionable_error(tmp_path: Path) -> None:
    key = tmp_path / "bad.key"
    key.write_text("zz")
    result = runner.invoke(app, ["redact", "--key-file", str(key)], input="x\n")
    assert result.exit_code == 2
    assert "bad.key" in result.stderr
