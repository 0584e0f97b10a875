"""Detection, replacement, overlap resolution and fail-closed behaviour of the engine."""

from __future__ import annotations

import base64
import gc
import json
import re
import time
from typing import Any

import pytest

from glassbox.redaction import (
    ENTITY_TYPES,
    ERROR_MARKER,
    TIMEOUT_MARKER,
    TOO_LONG_MARKER,
    Redactor,
    _pii,
    build_redactor,
)
from glassbox.redaction._engine import DEFAULT_DETECTORS

KEY = b"unit-test-key-0123456789abcdef!!"


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return build_redactor(key=KEY, key_id="t1")


def _jwt(header: dict[str, object]) -> str:
    def enc(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{enc(header)}.{enc({'sub': '42'})}.c2lnbmF0dXJlLWJ5dGVz"


POSITIVES = [
    ("EMAIL", "write to Jane.Doe+ai@Example.co.uk today", "Jane.Doe+ai@Example.co.uk"),
    ("PHONE", "call me on +1 415-555-0132 tomorrow", "+1 415-555-0132"),
    ("PHONE", "office (415) 555-0132", "(415) 555-0132"),
    ("PHONE", "mobile: 4155550132", "4155550132"),
    ("PHONE", "UK line 020 7946 0958", "020 7946 0958"),
    ("CREDIT_CARD", "card 4111 1111 1111 1111 declined", "4111 1111 1111 1111"),
    ("CREDIT_CARD", "amex 3782-822463-10005 ok", "3782-822463-10005"),
    ("CREDIT_CARD", "raw 5555555555554444.", "5555555555554444"),
    ("IBAN", "iban DE89 3704 0044 0532 0130 00 ok", "DE89 3704 0044 0532 0130 00"),
    ("IBAN", "pay GB82WEST12345698765432", "GB82WEST12345698765432"),
    ("US_SSN", "ssn 078-05-1120 on file", "078-05-1120"),
    ("US_SSN", "SSN: 078 05 1120", "078 05 1120"),
    ("IP_ADDRESS", "from 203.0.113.7 blocked", "203.0.113.7"),
    ("IP_ADDRESS", "v6 2001:db8::8a2e:370:7334 seen", "2001:db8::8a2e:370:7334"),
    ("MAC_ADDRESS", "hw 00:1A:2B:3C:4D:5E up", "00:1A:2B:3C:4D:5E"),
    (
        "CRYPTO_ADDRESS",
        "btc 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    ),
    (
        "CRYPTO_ADDRESS",
        "to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq now",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    ),
    (
        "CRYPTO_ADDRESS",
        "eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    ),
    ("NATIONAL_ID", "my BSN is 111222333", "111222333"),
    ("NATIONAL_ID", "Steuer-ID 65929970489", "65929970489"),
    ("NATIONAL_ID", "NINO AB123456C", "AB123456C"),
    ("DATE_OF_BIRTH", "patient DOB: 1985-03-12", "1985-03-12"),
    ("DATE_OF_BIRTH", "she was born on March 3, 1990", "March 3, 1990"),
    ("PERSON", "Hi, my name is Ada Lovelace.", "Ada Lovelace"),
    ("PERSON", "Dear Mrs. Emma Price,", "Mrs. Emma Price"),
    ("STREET_ADDRESS", "ship to 742 Evergreen Terrace please", "742 Evergreen Terrace"),
    (
        "OPENAI_KEY",
        "key sk-proj-abcDEF1234567890abcdefGHIJKL",
        "sk-proj-abcDEF1234567890abcdefGHIJKL",
    ),
    (
        "ANTHROPIC_KEY",
        "x-api-key: sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345",
        "sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345",
    ),
    ("AWS_KEY", "id AKIAIOSFODNN7EXAMPLE loaded", "AKIAIOSFODNN7EXAMPLE"),
    (
        "AWS_KEY",
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
    (
        "GITHUB_TOKEN",
        "token ghp_abcdefghijklmnopqrstuvwxyz0123456789 used",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    ),
    ("SLACK_TOKEN", "slack xoxb-1234567890-abcdefghij", "xoxb-1234567890-abcdefghij"),
    (
        "GOOGLE_KEY",
        "maps AIzaSyA1234567890abcdefghijklmnopqrstuv",
        "AIzaSyA1234567890abcdefghijklmnopqrstuv",
    ),
    ("STRIPE_KEY", "stripe sk_live_abcdefghij0123456789", "sk_live_abcdefghij0123456789"),
    ("JWT", f"cookie {_jwt({'alg': 'HS256', 'typ': 'JWT'})}", _jwt({"alg": "HS256", "typ": "JWT"})),
    ("BEARER_TOKEN", "Authorization: Bearer abc123DEF456ghi789JKL", "abc123DEF456ghi789JKL"),
    ("URL_CREDENTIALS", "postgres://admin:s3cr3tP4ss@db:5432/x", "admin:s3cr3tP4ss"),
    ("SECRET", "password=hunter22 next", "hunter22"),
    ("SECRET", "client_secret: Zx8f9Q2mLp0RtY7vBn3K", "Zx8f9Q2mLp0RtY7vBn3K"),
    ("SECRET", "Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
    (
        "PRIVATE_KEY",
        "k=-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- end",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
    ),
]


@pytest.mark.parametrize(("etype", "text", "value"), POSITIVES, ids=[p[0] for p in POSITIVES])
def test_detects_each_entity_type(redactor: Redactor, etype: str, text: str, value: str) -> None:
    found = redactor.findings(text)
    assert [(f.entity_type, f.value) for f in found] == [(etype, value)]
    redacted = redactor.redact(text)
    assert value not in redacted
    assert re.search(rf"<{etype}:t1\.[0-9a-f]{{16}}>", redacted)


def test_every_entity_type_is_covered_by_a_positive_example() -> None:
    assert {p[0] for p in POSITIVES} == set(ENTITY_TYPES)
    assert {d.entity_type for d in DEFAULT_DETECTORS} == set(ENTITY_TYPES)


HARD_NEGATIVES = [
    "request 123e4567-e89b-12d3-a456-426614174000 done",
    "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "commit 136b1b3d71a8b28ef76021535292b2dee7967d9b",
    "at 2024-05-01T12:00:00.123Z ts=1714564800123",
    "order 4000123412341235 shipped",  # fails Luhn
    "ssn-like 000-12-3456 and 666-12-3456 and 900-12-3456",  # impossible SSN areas
    "glassbox 1.2.3 python 3.11.7 build 10.0.19041.1",
    "model=gpt-4o-2024-08-06 claude-3-5-sonnet-20241022 text-embedding-3-small",
    "cost $0.0025 total 1,234.56 USD",
    "max_tokens=4096 token_count: 512 tokens=128000 token_type=bearer",
    "listening on 0.0.0.0:8080 and 127.0.0.1:9090 and ::1",
    "iban-like DE00 3704 0044 0532 0130 00",  # bad check digits
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
    "user@localhost and image@2x.png",
    "password=<SECRET:t1.0123456789abcdef> api_key=${OPENAI_API_KEY} token: ****",
    "11 digits 65929970489 without a context word",
    "Bearer authentication is required",
    "eyJub3QiOiJhIGp3dCJ9.eyJzdWIiOiI0MiJ9.c2ln",  # header has no alg
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_stay_untouched(redactor: Redactor, text: str) -> None:
    assert redactor.findings(text) == []
    assert redactor.redact(text) == text


def test_tokens_are_deterministic_normalised_and_keyed() -> None:
    a = build_redactor(key=KEY, key_id="k1")
    b = build_redactor(key=b"another-key-0123456789abcdefghij", key_id="k2")
    first = a.redact("mail Alice@Example.com")
    assert first == a.redact("mail alice@example.com")  # normalised before hashing
    assert first != b.redact("mail alice@example.com")  # a different key gives other tokens
    assert first.startswith("mail <EMAIL:k1.")
    assert "alice" not in first.lower()


def test_default_key_id_is_a_fingerprint_of_the_key() -> None:
    one = build_redactor(key=KEY)
    assert re.fullmatch(r"[0-9a-f]{4}", one.key_id)
    assert one.key_id == build_redactor(key=KEY).key_id
    assert one.key_id != build_redactor(key=b"x" * 32).key_id


def test_secrets_win_overlaps_then_longest(redactor: Redactor) -> None:
    # Same span, secret vs personal data: the secret wins.
    found = redactor.findings("password=4111111111111111")
    assert [f.entity_type for f in found] == ["SECRET"]
    # Same span, specific key shape vs generic secret: the earlier (specific) detector wins.
    found = redactor.findings("api_key=AKIAIOSFODNN7EXAMPLE")
    assert [f.entity_type for f in found] == ["AWS_KEY"]
    # A JWT after "Bearer" is reported once; the specific type beats the generic one.
    jwt = _jwt({"alg": "RS256"})
    found = redactor.findings(f"Authorization: Bearer {jwt}")
    assert [f.entity_type for f in found] == ["JWT"]


def test_on_redaction_called_once_per_value() -> None:
    seen: list[str] = []
    r = build_redactor(key=KEY, on_redaction=seen.append)
    r.redact("a@example.com b@example.com AKIAIOSFODNN7EXAMPLE")
    assert sorted(seen) == ["AWS_KEY", "EMAIL", "EMAIL"]


def test_broken_counter_callback_does_not_break_redaction() -> None:
    def boom(_: str) -> None:
        raise RuntimeError("counter down")

    r = build_redactor(key=KEY, on_redaction=boom)
    assert "a@example.com" not in r.redact("mail a@example.com")


def test_fails_closed_on_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    r = build_redactor(key=KEY, on_redaction=seen.append)

    def broken(*_: object, **__: object) -> list[object]:
        raise RuntimeError("detector bug")

    monkeypatch.setattr(r, "findings", broken)
    assert r.redact("secret stuff a@example.com") == ERROR_MARKER
    assert seen == ["ERROR"]


def test_fails_closed_when_time_budget_is_exceeded() -> None:
    seen: list[str] = []
    r = build_redactor(key=KEY, time_budget=0.0, on_redaction=seen.append)
    assert r.redact("mail a@example.com") == TIMEOUT_MARKER
    assert seen == ["TIMEOUT"]
    assert r.redact("nothing to see here") == "nothing to see here"  # prefilter: no scan


def test_a_garbage_collection_pause_does_not_count_against_the_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A full collection of a big heap (0.5 s after importing LiteLLM) that lands inside a
    scan is the host's pause, not the input's work: the line is redacted, not dropped."""
    r = build_redactor(key=KEY, key_id="k1", time_budget=0.05)
    pauses: list[float] = []

    def long_collection(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            time.sleep(0.2)  # stands in for walking millions of objects
            pauses.append(0.2)

    check_domain = _pii.is_email_domain

    def collect_then_check(domain: str) -> bool:
        gc.callbacks.append(long_collection)
        try:
            gc.collect()  # an allocation in the scan that happens to trigger a collection
        finally:
            gc.callbacks.remove(long_collection)
        return check_domain(domain)

    monkeypatch.setattr(_pii, "is_email_domain", collect_then_check)
    started = time.perf_counter()
    out = r.redact("mail alice@example.com")
    assert pauses
    assert time.perf_counter() - started > 0.05  # the pause did exceed the budget
    assert out.startswith("mail <EMAIL:k1.")


def test_overlong_input_is_dropped_unscanned() -> None:
    r = build_redactor(key=KEY, max_chars=100)
    assert r.redact("x" * 101) == TOO_LONG_MARKER
    assert r.redact("x" * 100) == "x" * 100


FIELD_CASES = [
    ("phone", "4155550132", "PHONE"),
    ("password", "hunter22", "SECRET"),
    ("api_key", "Zx8f9Q2mLp0RtY7vBn3K", "SECRET"),
    ("full_name", "Ada Lovelace", "PERSON"),
    ("date_of_birth", "1985-03-12", "DATE_OF_BIRTH"),
    ("shipping_address", "12 Marktplatz, Leipzig", "STREET_ADDRESS"),
    ("customer_ssn", "078051120", "US_SSN"),
    ("national_id", "111222333", "NATIONAL_ID"),
]


@pytest.mark.parametrize(("field", "value", "etype"), FIELD_CASES)
def test_field_names_are_context(redactor: Redactor, field: str, value: str, etype: str) -> None:
    assert redactor.redact(value) == value  # without the field name: ambiguous, kept
    out = redactor.redact_field(field, value)
    assert value not in out
    assert out.startswith(f"<{etype}:")


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_tokens", "abc123def456ghi789"), ("name", "Summarizer"), ("password", "********")],
)
def test_field_rules_do_not_overreach(redactor: Redactor, field: str, value: str) -> None:
    assert redactor.redact_field(field, value) == value


@pytest.mark.parametrize("engine", ["re", "none"])
def test_prefilter_engines_agree(engine: str) -> None:
    fast = build_redactor(key=KEY)
    other = Redactor(key=KEY, key_id="t1", prefilter=engine)  # type: ignore[arg-type]
    for _, text, _ in POSITIVES:
        assert fast.findings(text) == other.findings(text), text
    for text in HARD_NEGATIVES:
        assert fast.findings(text) == other.findings(text), text


def test_redaction_is_idempotent(redactor: Redactor) -> None:
    for _, text, _ in POSITIVES:
        once = redactor.redact(text)
        assert redactor.redact(once) == once


def test_rejects_short_keys_and_bad_key_ids() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        build_redactor(key=b"short")
    with pytest.raises(ValueError, match="key_id"):
        build_redactor(key=KEY, key_id="has space")
