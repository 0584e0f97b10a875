"""``glassbox mixin test`` with the real promtool and amtool, for every shipped environment."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from glassbox.check import run_checks
from glassbox.cli import app
from glassbox.mixin import RouteCase, build, load_decisions

pytestmark = pytest.mark.integration


def test_all_checks_pass_for_the_default_decisions(tmp_path: Path) -> None:
    results = run_checks(load_decisions(), tmp_path)
    failed = [f"[{r.env}] {r.name}\n{r.detail}" for r in results if not r.ok]
    assert not failed, "\n".join(failed)
    names = {r.name.split(" (")[0] for r in results}
    assert {
        "promtool check rules --lint=all",
        "promtool check config",
        "amtool check-config",
        "amtool config routes test",
        "contract check",
        "promtool test rules",
    } <= names
    # The rule tests cover every alert: each fires in some fault scenario.
    spec = yaml.safe_load((tmp_path / "prod" / "tests" / "rules.test.yml").read_text())
    fired = {
        t["alertname"] for test in spec["tests"] for t in test["alert_rule_test"] if t["exp_alerts"]
    }
    alerts = {
        r["alert"] for g in build(load_decisions().environment("prod")).alerting for r in g["rules"]
    }
    assert fired == alerts


def test_amtool_catches_a_wrong_route(tmp_path: Path) -> None:
    import subprocess

    from glassbox.render import mixin_files, write_files

    write_files(mixin_files(build(load_decisions().environment("prod"))), tmp_path)
    case = RouteCase({"service": "newsroom", "severity": "warning"}, ("oncall",))
    proc = subprocess.run(
        [
            "amtool",
            "config",
            "routes",
            "test",
            f"--config.file={tmp_path / 'alertmanager' / 'alertmanager.yml'}",
            *case.amtool_args(),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0


def test_cli_build_and_bad_config(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["mixin", "build", "--env", "local", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "8 dashboards" in result.output
    assert (tmp_path / "o" / "prometheus" / "prometheus.yml").is_file()
    bad = tmp_path / "bad.yaml"
    from importlib import resources

    default = resources.files("glassbox.mixin").joinpath("glassbox.yaml").read_text()
    bad.write_text(default.replace("scrape_interval: 15s", "scrape_interval: soon"))
    result = runner.invoke(
        app, ["mixin", "build", "--config", str(bad), "--env", "prod", "--out", str(tmp_path / "b")]
    )
    assert result.exit_code == 2
    assert "scrape_interval" in result.output
    assert "soon" in result.output
