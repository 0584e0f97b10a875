"""Scenario scheduling, duration rules and what each scenario turns."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from glassbox.demo import SCENARIOS, Controls, ScenarioError, plan
from glassbox.demo._scenarios import (
    DETECTION_TARGET,
    EXPENSIVE_MODEL,
    RECOVERY,
    STAGGER,
    SUMMARY_MODEL,
    default_duration,
    resolve_duration,
)


class FakeProvider:
    def __init__(self) -> None:
        self.faults: dict[str, Any] = {}

    def set_faults(self, **changes: Any) -> dict[str, Any]:
        self.faults.update(changes)
        return self.faults


def test_plan_staggers_scenarios_in_the_given_order() -> None:
    injections = plan(["queue-stall", "input-drift", "runaway-agent"], warmup=15)
    assert [(i.scenario.name, i.at) for i in injections] == [
        ("queue-stall", 15),
        ("input-drift", 15 + STAGGER),
        ("runaway-agent", 15 + 2 * STAGGER),
    ]


def test_plan_never_overlaps_two_scenarios_on_one_resource() -> None:
    injections = plan(list(SCENARIOS), warmup=15)
    assert {i.scenario.name for i in injections} == set(SCENARIOS)
    by_resource: dict[str, list[Any]] = {}
    for injection in injections:
        for resource in injection.scenario.resources:
            by_resource.setdefault(resource, []).append(injection)
    for group in by_resource.values():
        for first, second in itertools.pairwise(group):
            assert second.at >= first.latest_clear + RECOVERY
    assert [i.at for i in injections] == sorted(i.at for i in injections)


def test_plan_rejects_unknown_and_repeated_names() -> None:
    with pytest.raises(
        ScenarioError, match="unknown scenario 'nope'; choose from: provider-errors"
    ):
        plan(["nope"], warmup=15)
    with pytest.raises(ScenarioError, match="'queue-stall' is given more than once"):
        plan(["queue-stall", "queue-stall"], warmup=15)


def test_default_duration_leaves_a_full_detection_window_after_the_last_fault() -> None:
    injections = plan(["provider-errors"], warmup=15)
    duration = default_duration(injections, warmup=15)
    assert duration >= 15 + DETECTION_TARGET
    assert duration % 10 == 0
    assert resolve_duration(None, injections, 15) == (duration, None)


def test_resolve_duration_refuses_a_run_too_short_to_detect_anything() -> None:
    injections = plan(["provider-errors"], warmup=15)
    with pytest.raises(ScenarioError, match=r"--duration 30s is too short.*--duration 1m15s"):
        resolve_duration(30, injections, 15)


def test_resolve_duration_warns_when_detection_windows_are_cut_short() -> None:
    injections = plan(["provider-errors"], warmup=15)
    duration, warning = resolve_duration(60, injections, 15)
    assert duration == 60
    assert warning is not None
    assert "45s after provider-errors" in warning
    assert resolve_duration(120, injections, 15) == (120, None)
    assert resolve_duration(20, [], 15) == (20, None)


def test_scenarios_turn_their_knob_on_and_off() -> None:
    controls = Controls(openai=FakeProvider(), anthropic=FakeProvider())
    checks = {
        "queue-stall": lambda: controls.stalled,
        "runaway-agent": lambda: controls.runaway,
        "input-drift": lambda: controls.drifted,
        "budget-burn": lambda: controls.summary_model == EXPENSIVE_MODEL,
    }
    for name, is_on in checks.items():
        SCENARIOS[name].inject(controls)
        assert is_on(), name
        SCENARIOS[name].clear(controls)
        assert not is_on(), name
    assert controls.summary_model == SUMMARY_MODEL


def test_provider_scenarios_set_and_clear_simulator_faults() -> None:
    openai, anthropic = FakeProvider(), FakeProvider()
    controls = Controls(openai=openai, anthropic=anthropic)
    SCENARIOS["provider-errors"].inject(controls)
    assert sum(openai.faults["error_rates"].values()) == pytest.approx(0.8)
    SCENARIOS["provider-outage"].inject(controls)
    assert anthropic.faults["outage"] is True
    SCENARIOS["latency-spike"].inject(controls)
    assert openai.faults["extra_latency"] > 5.12  # above the latency threshold's bucket
    for name in ("provider-errors", "provider-outage", "latency-spike"):
        SCENARIOS[name].clear(controls)
    for faults in (openai.faults, anthropic.faults):
        assert faults["error_rates"] == {}
        assert faults["outage"] is False
        assert faults["extra_latency"] == 0


def test_explains_respects_the_affected_provider() -> None:
    errors = SCENARIOS["provider-errors"]
    on_openai = {"gen_ai_provider_name": "openai"}
    on_anthropic = {"gen_ai_provider_name": "anthropic"}
    assert errors.explains("GlassboxLLMHighErrorRate", on_openai) == 2
    assert errors.explains("GlassboxLLMHighErrorRate", on_anthropic) == 0
    assert errors.explains("GlassboxLLMAvailabilityBudgetBurn", {}) == 1
    assert errors.explains("GlassboxQueueStuck", {}) == 0


def test_every_scenario_names_an_alert_of_the_local_mixin() -> None:
    from glassbox.mixin import load_decisions
    from glassbox.mixin._alerts import alerts
    from glassbox.mixin._recording import Records

    env = load_decisions().environment("local")
    names = {a.name for a in alerts(env, Records(env))}
    for scenario in SCENARIOS.values():
        assert set(scenario.alerts) <= names, scenario.name
        assert set(scenario.also) <= names, scenario.name
