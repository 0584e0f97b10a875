from __future__ import annotations

import random

import pytest

from glassbox.simulator import Faults, FaultsError


def test_default_faults_inject_nothing() -> None:
    rng = random.Random(1)
    decisions = [Faults().decide(rng, stream=True) for _ in range(200)]
    assert all(d.status is None and not d.truncate and not d.malformed for d in decisions)


def test_error_rates_are_drawn_in_proportion() -> None:
    faults = Faults(error_rates={429: 0.3, 500: 0.1})
    rng = random.Random(3)
    statuses = [faults.decide(rng, stream=False).status for _ in range(5000)]
    assert 0.27 < statuses.count(429) / 5000 < 0.33
    assert 0.08 < statuses.count(500) / 5000 < 0.12
    assert 0.57 < statuses.count(None) / 5000 < 0.63


def test_outage_fails_everything_with_503() -> None:
    rng = random.Random(0)
    assert {Faults(outage=True).decide(rng, stream=False).status for _ in range(50)} == {503}


def test_truncation_applies_to_streams_only() -> None:
    faults = Faults(truncate_rate=1.0)
    rng = random.Random(0)
    assert faults.decide(rng, stream=True).truncate
    assert not faults.decide(rng, stream=False).truncate


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"error_rates": {"429": 1.5}}, r"error_rates\[429\]: 1.5"),
        ({"error_rates": {"200": 0.5}}, "not an HTTP error status"),
        ({"error_rates": {"429": 0.6, "500": 0.6}}, "sum to 1.2"),
        ({"latency_multiplier": -1}, "latency_multiplier"),
        ({"truncate_rate": 2}, "truncate_rate"),
        ({"outage": "yes"}, "outage"),
        ({"bogus": 1}, "unknown fault field"),
        ([], "JSON object"),
    ],
)
def test_invalid_faults_name_the_field(data: object, message: str) -> None:
    with pytest.raises(FaultsError, match=message):
        Faults.from_json(data)


def test_from_json_updates_a_base_and_round_trips() -> None:
    base = Faults(error_rates={429: 0.2}, outage=True)
    updated = Faults.from_json({"outage": False, "truncate_rate": 0.5}, base=base)
    assert updated.error_rates == {429: 0.2}
    assert not updated.outage
    assert updated.truncate_rate == 0.5
    assert Faults.from_json(updated.to_json()) == updated
