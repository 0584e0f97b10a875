from __future__ import annotations

import glassbox.drift
import glassbox.evals


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions (ruff's RUF022 order)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_public_names_are_sorted_and_exist() -> None:
    for package in (glassbox.drift, glassbox.evals):
        assert package.__all__ == sorted(package.__all__, key=_isort_key)
        for name in package.__all__:
            assert hasattr(package, name), f"{package.__name__}.{name}"
