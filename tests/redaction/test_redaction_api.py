"""The package's public surface: a sorted ``__all__`` of exactly the public names."""

from __future__ import annotations

import glassbox.redaction as redaction


def test_all_is_sorted_and_complete() -> None:
    public = {n for n in dir(redaction) if not n.startswith("_")}
    assert redaction.__all__ == sorted(redaction.__all__, key=lambda n: (not n.isupper(), n))
    assert set(redaction.__all__) == public
