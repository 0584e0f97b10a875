from __future__ import annotations

import json

from typer.testing import CliRunner

from glassbox.cli import app
from glassbox.simulator import Simulator
from glassbox.stack import free_port

runner = CliRunner()


def test_faults_command_changes_and_shows_faults(simulator: Simulator) -> None:
    result = runner.invoke(
        app,
        [
            "simulate-llm",
            "faults",
            "--url",
            simulator.url,
            "--error-rate",
            "429=0.3",
            "--error-rate",
            "500=0.1",
            "--outage",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["error_rates"] == {"429": 0.3, "500": 0.1}
    assert simulator.faults.outage
    # RATE 0 removes a status; other settings stay.
    result = runner.invoke(
        app, ["simulate-llm", "faults", "--url", simulator.url, "--error-rate", "500=0"]
    )
    assert simulator.faults.error_rates == {429: 0.3}
    assert simulator.faults.outage
    result = runner.invoke(app, ["simulate-llm", "faults", "--url", simulator.url, "--reset"])
    assert result.exit_code == 0
    assert simulator.faults.error_rates == {}
    assert not simulator.faults.outage


def test_faults_command_rejects_bad_values(simulator: Simulator) -> None:
    result = runner.invoke(
        app, ["simulate-llm", "faults", "--url", simulator.url, "--error-rate", "429"]
    )
    assert result.exit_code == 2
    assert "STATUS=RATE" in result.output
    result = runner.invoke(
        app, ["simulate-llm", "faults", "--url", simulator.url, "--truncate-rate", "3"]
    )
    assert result.exit_code == 2
    assert "truncate_rate" in result.output


def test_faults_command_explains_an_unreachable_simulator() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(app, ["simulate-llm", "faults", "--url", url])
    assert result.exit_code == 3  # a service could not be reached
    assert "is `glassbox simulate-llm` running there?" in result.output


def test_serve_rejects_a_bad_port() -> None:
    result = runner.invoke(app, ["simulate-llm", "--port", "70000"])
    assert result.exit_code == 2
    assert "invalid --port=70000: expected a TCP port" in result.output
