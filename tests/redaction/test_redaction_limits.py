"""Linear-time guarantees and their fail-closed edges: overlap resolution, the deadline
inside detectors, valid JSON out of ``redact -f jsonl``, and inputs too deep to decode.

Speed itself is measured by ``bench/bench_redaction_eval.py`` (``make bench``); these
tests check the behaviour that makes the speed safe.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from glassbox.redaction import (
    TIMEOUT_MARKER,
    Finding,
    Redactor,
    redact_jsonl_lines,
)
from glassbox.redaction._engine import _resolve, escape_view
from glassbox.redaction._pii import PII_DETECTORS

KEY = b"limits-test-key-0123456789abcdef"
R = Redactor(key=KEY, key_id="l")


def _reference_resolve(found: list[Finding]) -> list[Finding]:
    """The original quadratic definition: secrets, then longest, then first listed."""
    ranked = sorted(found, key=lambda f: (not f.is_secret, f.start - f.end))
    kept: list[Finding] = []
    for f in ranked:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12), st.booleans()), max_size=40))
def test_linear_resolution_equals_the_definition(spans: list[tuple[int, int, bool]]) -> None:
    found = [
        Finding("SECRET" if secret else "EMAIL", start, start + length, "", "")
        for start, length, secret in spans
    ]
    assert _resolve(list(found), 80) == _reference_resolve(found)


def test_deadline_is_enforced_inside_a_detector() -> None:
    counts: list[str] = []
    tight = Redactor(key=KEY, key_id="l", time_budget=0.02, on_redaction=counts.append)
    line = " ".join(f"user{n}@example{n % 89}.com" for n in range(60_000))
    assert tight.redact(line) == TIMEOUT_MARKER
    assert counts == ["TIMEOUT"]
    assert tight.redact_field("prompt", line) == TIMEOUT_MARKER


def test_the_email_scan_around_at_signs_equals_a_full_scan() -> None:
    email = next(d for d in PII_DETECTORS if d.entity_type == "EMAIL")
    rng = random.Random(3)
    alphabet = "ab.-_%+@ 4x" + "%40"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) + ".com"
        anchored = [m.span() for m in email.matches(text)]
        assert anchored == [m.span() for m in email.pattern.finditer(text)], text


def test_escape_view_keeps_offsets() -> None:
    text = 'a\\"b\\\\n\\nc\\t'
    view = escape_view(text)
    assert len(view) == len(text)
    assert view == 'a "b  n  c  '


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=80),
    st.sampled_from(["", "password=", "Bearer ", "a@b.com ", "-----BEGIN PRIVATE KEY-----"]),
)
def test_jsonl_output_is_always_valid_json(text: str, prefix: str) -> None:
    value = prefix + text
    lines = [
        json.dumps(value) + "\n",
        json.dumps(value, ensure_ascii=False) + "\n",
        json.dumps({"message": value, "nested": [value]}) + "\n",
    ]
    for out in redact_jsonl_lines(R, lines):
        json.loads(out)


def test_placeholder_cannot_swallow_a_closing_quote() -> None:
    line = json.dumps("key: -----BEGIN RSA PRIVATE KEY-----MIIEow") + "\n"
    (out,) = redact_jsonl_lines(R, [line])
    assert isinstance(json.loads(out), str)
    assert "MIIEow" not in out


def test_too_deep_json_line_is_redacted_as_text_and_the_stream_goes_on(tmp_path: Path) -> None:
    deep = "[" * 100_000 + '"bob@example.com"' + "]" * 100_000
    source = tmp_path / "deep.jsonl"
    source.write_text(deep + "\n" + json.dumps({"email": "ann@example.com"}) + "\n")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from glassbox.cli import main; main()",
            "redact",
            "-f",
            "jsonl",
            "--key-file",
            str(tmp_path / "k"),
            "-q",
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert "bob@example.com" not in first
    assert first.startswith("[[[")
    assert json.loads(second)["email"].startswith("<EMAIL:")
