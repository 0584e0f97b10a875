"""Drift tests run many small linear-algebra problems: one BLAS thread is faster for
those (and fair to the other processes on a shared machine)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread() -> Iterator[None]:
    with threadpool_limits(limits=1):
        yield
