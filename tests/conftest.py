"""Shared fixtures: every test that records telemetry gets a fresh Glassbox runtime."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

import glassbox
from glassbox import _runtime
from glassbox.testing import Telemetry, capture

# LiteLLM downloads its price map from the internet when imported, unless told not to:
# no test may reach the network.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


@pytest.fixture(autouse=True, scope="session")
def _redaction_key_outside_the_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """init() installs the redactor, whose key file defaults to ./.glassbox: keep tests out."""
    patch = pytest.MonkeyPatch()
    key_file = tmp_path_factory.mktemp("redaction") / "redaction.key"
    patch.setenv("GLASSBOX_REDACTION_KEY_FILE", str(key_file))
    yield
    patch.undo()


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    """Glassbox initialised on a fresh registry, spans kept, logs captured."""
    with capture() as recorded:
        yield recorded


@pytest.fixture(autouse=True)
def _no_runtime_leaks() -> Iterator[None]:
    """A test that forgets to shut Glassbox down must not leak into the next one."""
    yield
    if _runtime.current() is not None:
        glassbox.shutdown()
