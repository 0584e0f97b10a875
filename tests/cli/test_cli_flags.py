"""Short flags mean one thing across every command, and docs/cli.md says which."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import typer.main

from glassbox.cli import app

DOC = Path(__file__).parents[2] / "docs" / "cli.md"


def _options() -> Iterator[tuple[str, list[str]]]:
    """(command path, option names) for every option of every command and group."""

    def walk(command: object, path: str) -> Iterator[tuple[str, list[str]]]:
        for param in getattr(command, "params", []):
            if param.param_type_name == "option":
                yield path, [*param.opts, *param.secondary_opts]
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, f"{path} {name}".strip())

    yield from walk(typer.main.get_command(app), "")


def _used() -> tuple[dict[str, set[str]], dict[str, dict[str, set[str]]]]:
    by_short: dict[str, set[str]] = defaultdict(set)
    by_long: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for command, names in _options():
        shorts = [n for n in names if re.fullmatch(r"-[A-Za-z]", n)]
        longs = [n for n in names if n.startswith("--")]
        for long in longs:
            by_long[long]["/".join(shorts) or "(none)"].add(command)
        for short in shorts:
            by_short[short].update(longs)
    return by_short, by_long


def test_each_short_flag_means_one_long_option() -> None:
    by_short, _ = _used()
    assert {short: longs for short, longs in by_short.items() if len(longs) != 1} == {}


def test_an_option_has_the_same_short_flag_in_every_command() -> None:
    _, by_long = _used()
    mixed = {
        long: {short: sorted(commands) for short, commands in variants.items()}
        for long, variants in by_long.items()
        if len(variants) > 1
    }
    assert mixed == {}


def test_docs_list_exactly_the_short_flags_in_use() -> None:
    rows = re.findall(r"^\| `(-[A-Za-z])` \| `(--[a-z-]+)` \|", DOC.read_text(), re.MULTILINE)
    documented = dict(rows)
    assert len(documented) == len(rows), "a short flag is documented twice"
    by_short, _ = _used()
    assert documented == {short: next(iter(longs)) for short, longs in by_short.items()}
