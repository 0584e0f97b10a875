"""The contract check against a real SDK exposition, and what it catches."""

from __future__ import annotations

import pytest

from glassbox import semconv
from glassbox.check import check_contract, exercise
from glassbox.check._contract import exposition_labels
from glassbox.mixin import Mixin, build, load_decisions


@pytest.fixture(scope="module")
def exposition() -> str:
    return exercise()


@pytest.fixture(scope="module", params=["local", "prod"])
def mixin(request: pytest.FixtureRequest) -> Mixin:
    return build(load_decisions().environment(request.param))


def test_exerciser_exposes_every_metric_of_the_contract(exposition: str) -> None:
    names = exposition_labels(exposition)
    missing = [
        spec.name for spec in semconv.ALL_METRICS if not any(s in names for s in spec.series)
    ]
    assert missing == []


def test_every_query_uses_only_what_the_sdk_exposes(mixin: Mixin, exposition: str) -> None:
    violations = check_contract(mixin, exposition)
    assert violations == [], "\n".join(map(str, violations))


def test_renamed_metric_fails_naming_the_panels_and_rules(mixin: Mixin, exposition: str) -> None:
    # The contract renames a metric; the SDK follows; a mixin that did not is caught.
    renamed = exposition.replace(semconv.QUEUE_DEPTH.name, "glassbox_queue_length")
    wheres = {v.where for v in check_contract(mixin, renamed)}
    assert any("panel 'Depth'" in w for w in wheres)
    assert any("alert 'GlassboxQueueStuck'" in w for w in wheres)


def test_label_missing_from_the_sdk_is_reported(mixin: Mixin, exposition: str) -> None:
    labels = exposition_labels(exposition)
    stripped = {
        name: (found - {semconv.TOOL} if name.startswith(semconv.TOOL_DURATION.name) else found)
        for name, found in labels.items()
    }
    messages = [f"{v.where}: {v.message}" for v in check_contract(mixin, stripped)]
    assert any("gen_ai_tool_name" in m and "recording rule" in m for m in messages)


def test_undeclared_foreign_metric_is_reported(exposition: str) -> None:
    mixin = build(load_decisions().environment("local"))
    board = mixin.dashboards["serving"]
    target = next(p for p in board["panels"] if p.get("title") == "Waiting requests")["targets"][0]
    target["expr"] = target["expr"].replace("vllm:num_requests_waiting", "vllm:requests_queued")
    violations = check_contract(mixin, exposition)
    assert [v.where for v in violations] == [
        "dashboard 'Glassbox / Serving' panel 'Waiting requests' query A"
    ]
    assert "vllm:requests_queued" in violations[0].message
