from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from glassbox.cli import app
from glassbox.stack import free_port


@pytest.fixture
def data(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    np.save(tmp_path / "reference.npy", rng.normal(size=20_000))
    np.save(tmp_path / "shifted.npy", rng.normal(0.5, size=500))
    np.save(tmp_path / "tiny.npy", rng.normal(size=5))
    return tmp_path


def test_profile_then_check_prints_json_with_the_decision(data: Path) -> None:
    profile = data / "reference.profile"
    result = CliRunner().invoke(
        app, ["drift", "profile", str(data / "reference.npy"), "--out", str(profile)]
    )
    assert result.exit_code == 0, result.output
    assert "value (scalar, 20000 rows)" in result.stdout
    args = [
        "drift",
        "check",
        "--reference",
        str(profile),
        "--current",
        str(data / "shifted.npy"),
        "--json",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["monitor"] == "reference"
    assert report["drift"] is True
    statistics = report["features"]["value"]["statistics"]
    assert statistics["combined"]["adjusted_p_value"] < 0.05
    assert statistics["mann_whitney"]["p_value"] < 0.05
    assert statistics["psi"]["floor"] is None


def test_check_against_raw_reference_and_insufficient_data(data: Path) -> None:
    args = [
        "drift",
        "check",
        "-r",
        str(data / "reference.npy"),
        "--current",
        str(data / "tiny.npy"),
        "--json",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["drift"] == "insufficient_data"


def test_check_table_report_file_and_fail_on_drift(data: Path) -> None:
    report = data / "out" / "report.json"
    args = [
        "drift", "check", "-r", str(data / "reference.npy"), "--current", str(data / "shifted.npy"),
        "--report", str(report), "--fail-on-drift", "--monitor", "latency",
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "monitor latency → drift" in result.stdout
    assert json.loads(report.read_text())["monitor"] == "latency"


def test_dead_pushgateway_exits_non_zero_after_printing_results(data: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    args = ["drift", "check", "-r", str(data / "reference.npy"),
            "--current", str(data / "shifted.npy"), "--json", "--pushgateway", url]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3
    assert json.loads(result.stdout)["drift"] is True
    assert f"Pushgateway at {url}" in result.stderr


def test_bad_inputs_are_named(data: Path) -> None:
    args = [
        "drift",
        "check",
        "-r",
        str(data / "missing.profile"),
        "--current",
        str(data / "shifted.npy"),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "missing.profile is not a Glassbox drift profile" in result.stderr
    result = CliRunner().invoke(
        app, ["drift", "profile", str(data / "x.txt"), "-o", str(data / "p")]
    )
    assert result.exit_code == 2
    assert "unsupported file type '.txt'" in result.stderr


def test_npy_of_strings_runs_the_categorical_test(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    languages = ["en", "de", "fr", "es"]
    np.save(tmp_path / "ref.npy", rng.choice(languages, 5000, p=[0.6, 0.2, 0.1, 0.1]))
    np.save(tmp_path / "same.npy", rng.choice(languages, 400, p=[0.6, 0.2, 0.1, 0.1]))
    np.save(tmp_path / "moved.npy", rng.choice(languages, 400, p=[0.4, 0.2, 0.1, 0.3]))
    profile = tmp_path / "languages.profile"
    result = CliRunner().invoke(
        app, ["drift", "profile", str(tmp_path / "ref.npy"), "--out", str(profile)]
    )
    assert result.exit_code == 0, result.output
    assert "value (categorical, 5000 rows)" in result.stdout
    for reference in (profile, tmp_path / "ref.npy"):
        verdicts = {}
        for current in ("same", "moved"):
            args = [
                "drift",
                "check",
                "--reference",
                str(reference),
                "--current",
                str(tmp_path / f"{current}.npy"),
                "--json",
            ]
            result = CliRunner().invoke(app, args)
            assert result.exit_code == 0, result.output
            feature = json.loads(result.stdout)["features"]["value"]
            assert feature["kind"] == "categorical"
            assert "chi2" in feature["statistics"]
            verdicts[current] = feature["drift"]
        assert verdicts == {"same": False, "moved": True}


def test_check_runs_the_categorical_test_on_npy_arrays_of_strings(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    codes = np.asarray(["en", "es", "de", "fr"])
    np.save(tmp_path / "ref.npy", rng.choice(codes, 5000, p=[0.6, 0.2, 0.1, 0.1]))
    np.save(tmp_path / "cur.npy", rng.choice(codes, 800, p=[0.4, 0.2, 0.2, 0.2]))
    args = ["drift", "check", "-r", str(tmp_path / "ref.npy"),
            "--current", str(tmp_path / "cur.npy"), "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    feature = json.loads(result.stdout)["features"]["value"]
    assert feature["kind"] == "categorical"
    assert feature["drift"] is True
    assert feature["statistics"]["chi2"]["p_value"] < 1e-6
