"""Generated deployments, written once per session through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from deploy_checks import generate


@pytest.fixture(scope="session")
def compose_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate("compose", tmp_path_factory.mktemp("compose"))


@pytest.fixture(scope="session")
def k8s_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate("k8s", tmp_path_factory.mktemp("k8s"))
