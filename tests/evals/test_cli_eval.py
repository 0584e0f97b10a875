from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from glassbox.cli import app
from glassbox.stack import free_port

EXAMPLE = Path(__file__).parents[2] / "examples" / "evals" / "qa.yaml"


def test_eval_run_writes_the_report_and_prints_scores(tmp_path: Path) -> None:
    report = tmp_path / "qa.json"
    result = CliRunner().invoke(app, ["eval", "run", str(EXAMPLE), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "exact_match" in result.stdout
    assert json.loads(report.read_text())["metrics"]["exact_match"]["samples"] == 12


def test_eval_run_default_report_path_and_regression_exit(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(
        json.dumps(
            {"metrics": {"exact_match": {
                "score": 1.0, "lower": 0.999, "upper": 1.0, "samples": 10_000, "std": 0.0,
                "binary": True, "baseline": None, "regression": False,
            }}}
        )
    )  # fmt: skip
    args = ["eval", "run", str(EXAMPLE), "--baseline", str(baseline), "--fail-on-regression"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert (tmp_path / ".glassbox" / "evals" / "qa-smoke.json").is_file()


def test_eval_run_with_a_dead_pushgateway_fails_after_writing_the_report(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    report = tmp_path / "qa.json"
    args = ["eval", "run", str(EXAMPLE), "--report", str(report), "--pushgateway", url]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3
    assert f"Pushgateway at {url}" in result.stderr
    assert report.is_file()


def test_eval_run_rejects_a_bad_suite(tmp_path: Path) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text("name: s\n")
    result = CliRunner().invoke(app, ["eval", "run", str(suite)])
    assert result.exit_code == 2
    assert "missing required key 'dataset'" in result.stderr
