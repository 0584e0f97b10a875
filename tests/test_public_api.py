from __future__ import annotations

import types

import glassbox


def test_all_lists_exactly_the_public_names() -> None:
    # Subpackages and modules show up as attributes once imported; they are not API names.
    public = {
        name
        for name in dir(glassbox)
        if not name.startswith("_") and not isinstance(getattr(glassbox, name), types.ModuleType)
    }
    lazy = {"instrument_openai", "uninstrument_openai", "instrument_anthropic",
            "uninstrument_anthropic"}  # fmt: skip
    assert set(glassbox.__all__) - {"__version__", "semconv", "exceptions"} == public | lazy
    assert len(set(glassbox.__all__)) == len(glassbox.__all__)


def test_every_exported_name_resolves() -> None:
    for name in glassbox.__all__:
        assert getattr(glassbox, name) is not None, name
