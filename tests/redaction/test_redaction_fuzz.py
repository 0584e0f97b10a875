"""Property and fuzz tests: no input crashes the engine or exhausts its time budget.

Also checks the prefilter contract: a detector's trigger fires on every text where the
detector can find something, so prefiltered and unfiltered scans agree exactly.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glassbox.redaction import ERROR_MARKER, TIMEOUT_MARKER, TOO_LONG_MARKER, Redactor

KEY = b"fuzz-test-key-0123456789abcdefgh"
FAST = Redactor(key=KEY, key_id="f", time_budget=2.0)
EXHAUSTIVE = Redactor(key=KEY, key_id="f", time_budget=2.0, prefilter="none")

# Characters and fragments that the patterns care about, so the search space is dense
# in near-misses rather than in random unicode.
FRAGMENTS = [
    "@", ".", "-", ":", "::", "/", "+", "(", ")", " ", "\n", "=", '"', "'", "_", "<", ">",
    "0", "1", "4", "7", "9", "00", "415", "555", "0132", "4111", "1111", "DE89", "3704",
    "a", "Z", "x", "f", "bc1q", "0x", "sk-", "sk-ant-", "AKIA", "ghp_", "xoxb-", "AIza",
    "sk_live_", "eyJ", "PRIVATE KEY-----", "-----BEGIN ", "Bearer ", "Basic ", "://",
    "password", "token", "api_key", "secret", "ssn", "BSN", "phone", "born on ", "DOB",
    "my name is ", "Dear ", "Mr. ", " Street", " Ave", "example.com", "gmail.com", "é", "😀",
    "version ", "ç", "\x00", "\ud800", "%40", "%2B", "\\\"", "\\n", "\\", "session ",
    "token: ", "Herr ", "Madame ", "Sr. ", "Nom : ", " geboren", "né le ", " de junio de ",
    "März ", "rue ", "straße ", "Calle ", "ü", "É", "SSWS ", "sess_", "00", "0664 ",
]  # fmt: skip
texts = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=60).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_redact_never_raises_and_hides_what_it_finds(text: str) -> None:
    out = FAST.redact(text)
    assert isinstance(out, str)
    assert out not in (ERROR_MARKER, TIMEOUT_MARKER, TOO_LONG_MARKER)
    for finding in FAST.findings(text):
        assert FAST.token(finding.entity_type, finding.normalised) in out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.sampled_from(["", "phone", "password", "national_id", "full_name", "dob"]))
def test_prefilter_never_hides_a_finding(text: str, field: str) -> None:
    assert FAST.findings(text, field=field) == EXHAUSTIVE.findings(text, field=field)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_redaction_is_stable(text: str) -> None:
    once = FAST.redact(text)
    assert FAST.redact(once) == once


PATHOLOGICAL = [
    "a" * 20000 + "@",
    "a." * 10000 + "@x",
    "a@" + "b." * 10000,
    "1 " * 10000,
    "1-" * 10000,
    "1" * 20000,
    "+" + "1 " * 10000,
    "(1) " * 5000,
    "0x" + "a" * 20000,
    "sk-" + "a" * 20000,
    "eyJ" + "a." * 10000,
    ":" * 20000,
    "a:" * 10000,
    "-----BEGIN RSA PRIVATE KEY-----" + "A" * 20000,
    "password=" * 2000,
    "token" * 4000,
    "Mr. " * 5000,
    "1 Main " * 3000,
    "DE89 " * 4000,
    "AB" * 10000,
    "Bearer " * 3000,
    "://a:" * 4000,
    "12 " * 7000 + "Street",
    "my name is " * 2000,
    "a%40" * 5000,
    "%2B1 " * 5000,
    "session " * 3000,
    "token=" + "aB3" * 7000,
    '\\"' * 10000,
    "Herr " * 5000,
    "geboren am 1. " * 2000,
    "12 rue " * 3000,
    "Calle " * 4000,
    "00 " * 7000,
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=lambda t: repr(t[:12]))
def test_no_catastrophic_backtracking(text: str) -> None:
    # Linear patterns scan 20 kB in milliseconds; a quadratic or exponential one
    # would blow the 2 s budget by orders of magnitude and return the marker.
    assert FAST.redact(text) != TIMEOUT_MARKER
