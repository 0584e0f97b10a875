from __future__ import annotations

import glassbox


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in dir(glassbox) if not name.startswith("_")}
    modules = {"semconv", "asgi", "testing", "stack", "cli", "instrumentation", "redaction",
               "drift", "evals", "mixin", "simulator", "demo", "deploy"}  # fmt: skip
    assert set(glassbox.__all__) - {"__version__"} == (public - modules) | {
        "instrument_openai", "uninstrument_openai",
        "instrument_anthropic", "uninstrument_anthropic", "semconv", "exceptions",
    }  # fmt: skip
    assert len(set(glassbox.__all__)) == len(glassbox.__all__)


def test_every_exported_name_resolves() -> None:
    for name in glassbox.__all__:
        assert getattr(glassbox, name) is not None, name
