"""--duration parsing and formatting."""

from __future__ import annotations

import pytest

from glassbox.demo import DurationError, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90.0),
        ("90s", 90.0),
        ("4m", 240.0),
        ("1m30s", 90.0),
        ("2.5m", 150.0),
        (" 45 s ", 45.0),
    ],
)
def test_parse_duration_accepts_seconds_and_suffixes(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "4h", "-3", "1m-2s", "m", "s", "0", "0s", "4 minutes"])
def test_parse_duration_rejects_other_forms_naming_the_value(text: str) -> None:
    with pytest.raises(DurationError) as info:
        parse_duration(text)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize(
    ("seconds", "text"), [(4.25, "4.2s"), (42, "42s"), (95, "1m35s"), (240, "4m00s")]
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
