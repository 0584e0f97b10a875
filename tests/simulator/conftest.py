from __future__ import annotations

from collections.abc import Iterator

import pytest

from glassbox.simulator import Faults, Simulator


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    with Simulator(seed=7, time_scale=0.0) as sim:
        yield sim


@pytest.fixture(autouse=True)
def _no_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "simulator" in request.fixturenames:
        request.getfixturevalue("simulator").faults = Faults()
