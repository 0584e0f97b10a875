"""Suites: loading, running (sync, async, failing tasks), regressions, reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glassbox.evals import MetricScore, SuiteError, load_scorecard, load_suite, run_suite

EXAMPLE = Path(__file__).parents[2] / "examples" / "evals" / "qa.yaml"


def _suite(tmp_path: Path, body: str, rows: list[dict[str, object]], task: str) -> Path:
    (tmp_path / "data.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (tmp_path / "task.py").write_text(task)
    path = tmp_path / "suite.yaml"
    path.write_text(body)
    return path


def test_example_suite_scores_as_expected() -> None:
    progress: list[tuple[int, int]] = []
    scorecard = run_suite(load_suite(EXAMPLE), on_progress=lambda d, t: progress.append((d, t)))
    assert scorecard.suite == "qa-smoke"
    assert progress[-1] == (12, 12)
    # 9 of 12 answers are right: "PSI", "exemplars" and "Prometheus Pushgateway" are missed.
    exact = scorecard.metric("exact_match")
    assert exact.score == pytest.approx(9 / 12)
    assert exact.binary
    assert exact.lower < exact.score < exact.upper
    assert scorecard.metric("f1").score > exact.score
    assert scorecard.metric("recall_at_3").samples == 12
    assert scorecard.errors == 0


def test_failing_task_examples_score_zero_and_are_reported(tmp_path: Path) -> None:
    path = _suite(
        tmp_path,
        "name: s\ndataset: data.jsonl\ntask: task.py:run\nscorers:\n"
        "  - {name: acc, type: accuracy, expected: label}\n",
        [{"x": 1, "label": "a"}, {"x": 0, "label": "a"}],
        "def run(example):\n    return 'a' if 1 / example['x'] else 'b'\n",
    )
    scorecard = run_suite(load_suite(path))
    assert scorecard.errors == 1
    assert scorecard.metric("acc").score == 0.5
    assert "ZeroDivisionError" in scorecard.error_messages[0]


def test_async_tasks_run(tmp_path: Path) -> None:
    path = _suite(
        tmp_path,
        "name: s\ndataset: data.jsonl\ntask: task.py:run\nconcurrency: 2\nscorers:\n"
        "  - {name: em, type: exact_match}\n",
        [{"q": "x", "expected": "X"}, {"q": "y", "expected": "z"}],
        "import asyncio\n"
        "async def run(example):\n    await asyncio.sleep(0)\n    return example['q']\n",
    )
    assert run_suite(load_suite(path)).metric("em").score == 0.5


def test_regression_is_flagged_only_beyond_sampling_error(tmp_path: Path) -> None:
    suite = load_suite(EXAMPLE)
    small = {"exact_match": MetricScore("exact_match", 0.95, 0.8, 1.0, 20, 0.2, True)}
    assert not run_suite(suite, baseline=small).metric("exact_match").regression
    large = {"exact_match": MetricScore("exact_match", 0.99, 0.98, 1.0, 5000, 0.1, True)}
    scorecard = run_suite(suite, baseline=large)
    assert scorecard.metric("exact_match").regression
    assert scorecard.metric("exact_match").baseline == 0.99
    assert scorecard.regression


def test_report_round_trips_as_a_baseline(tmp_path: Path) -> None:
    scorecard = run_suite(load_suite(EXAMPLE))
    scorecard.save(tmp_path / "out" / "report.json")
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data["metrics"]["exact_match"]["samples"] == 12
    assert len(data["examples"]) == 12
    baseline = load_scorecard(tmp_path / "out" / "report.json")
    assert baseline["f1"] == scorecard.metric("f1")
    again = run_suite(load_suite(EXAMPLE), baseline=baseline)
    assert not again.regression


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("name: s\n", "missing required key 'dataset'"),
        (
            "name: s\ndataset: data.jsonl\ntask: task.py:nope\nscorers: [{name: exact_match}]\n",
            "no function 'nope'",
        ),
        (
            "name: s\ndataset: data.jsonl\ntask: task.py:run\nscorers: [{name: a, type: bleu}]\n",
            "unknown type 'bleu'",
        ),
        (
            "name: s\ndataset: data.jsonl\ntask: task.py:run\n"
            "scorers: [{name: r, type: recall_at_k}]\n",
            "needs k >= 1",
        ),
        (
            "name: s\ndataset: missing.jsonl\ntask: task.py:run\nscorers: [{name: exact_match}]\n",
            "does not exist",
        ),
        (
            "name: s\ndataset: data.jsonl\ntask: gone.py:run\nscorers: [{name: exact_match}]\n",
            "gone.py does not exist",
        ),
    ],
)
def test_invalid_suites_say_what_is_wrong(tmp_path: Path, body: str, message: str) -> None:
    path = _suite(tmp_path, body, [{"expected": "a"}], "def run(example):\n    return 'a'\n")
    with pytest.raises(SuiteError, match=message):
        load_suite(path)


def test_scores_outside_the_unit_interval_are_rejected(tmp_path: Path) -> None:
    path = _suite(
        tmp_path,
        "name: s\ndataset: data.jsonl\ntask: task.py:run\nscorers:\n"
        "  - {name: bad, type: custom, function: task.py:score}\n",
        [{"expected": "a"}],
        "def run(example):\n    return 'a'\ndef score(output, example):\n    return 2\n",
    )
    with pytest.raises(SuiteError, match=r"returned 2.0; scores must be in \[0, 1\]"):
        run_suite(load_suite(path))
