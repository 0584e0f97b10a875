"""``glassbox demo`` rejects bad options with a clear message before touching the stack."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from glassbox.cli import app

runner = CliRunner()


def _run(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["demo", "--state-dir", str(tmp_path / "stack"), *args])
    return result.exit_code, result.output


def test_a_bad_duration_names_the_value_and_the_accepted_forms(tmp_path: Path) -> None:
    code, output = _run(tmp_path, "--duration", "4h")
    assert code == 2
    assert "'4h' is not understood" in output
    assert "(90), seconds with a unit (90s) or minutes (4m, 1m30s)" in output
    assert not (tmp_path / "stack").exists()  # nothing was started


def test_an_unknown_scenario_lists_the_known_ones(tmp_path: Path) -> None:
    code, output = _run(tmp_path, "--scenario", "meteor-strike")
    assert code == 2
    assert "invalid --scenario=meteor-strike: expected one of: provider-errors" in output


def test_a_duration_too_short_for_the_schedule_says_what_would_do(tmp_path: Path) -> None:
    code, output = _run(tmp_path, "--scenario", "provider-errors", "--duration", "20")
    assert code == 2
    assert "--duration 20s is too short" in output
    assert "use --duration 1m15s or more" in output
    assert not (tmp_path / "stack").exists()


def test_help_lists_the_options() -> None:
    result = runner.invoke(app, ["demo", "--help"])
    assert result.exit_code == 0
    for option in ("--duration", "--scenario", "--seed", "--keep-stack", "--summary-json"):
        assert option in result.output
