from __future__ import annotations

from collections.abc import Iterator

import pytest

from glassbox.instrumentation import (
    instrument_anthropic,
    instrument_openai,
    uninstrument_anthropic,
    uninstrument_openai,
)
from glassbox.simulator import Faults, Simulator
from glassbox.testing import Telemetry, capture


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    with Simulator(seed=3, time_scale=0.0) as sim:
        yield sim


@pytest.fixture
def telemetry(simulator: Simulator) -> Iterator[Telemetry]:
    simulator.faults = Faults()
    with capture() as recorded:
        instrument_openai()
        instrument_anthropic()
        try:
            yield recorded
        finally:
            uninstrument_openai()
            uninstrument_anthropic()
            simulator.faults = Faults()
