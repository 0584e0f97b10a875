"""Detectors for credentials: provider keys, tokens, private keys and generic secrets.

Patterns are anchored with look-behinds and use bounded repetition only, so each one
runs in time linear in the input (the fuzz test in ``tests/redaction`` checks this).
"""

from __future__ import annotations

import base64
import binascii
import re

from glassbox.redaction._checks import jwt_ok, shannon_entropy
from glassbox.redaction._detector import Context, Detector, words_trigger

__all__ = ["SECRET_DETECTORS", "is_placeholder", "secret_value_ok"]

_PLACEHOLDER = re.compile(
    r"""^(?:[*xX.#\-_]+|null|none|nil|true|false|undefined|redacted|hidden|masked|changeme
    |example|placeholder|your[_\-]?\w*|<[^>]*>?|\$\{[^}]*\}?|\{\{.*|%\(.*|\$[A-Z_][A-Z0-9_]*
    |[A-Za-z0-9_\-]{1,16}\.[0-9a-f]{16}>?)$""",
    re.IGNORECASE | re.VERBOSE,
)


def is_placeholder(value: str) -> bool:
    """Whether ``value`` is a template, mask, literal or redaction token, not a real secret."""
    return _PLACEHOLDER.match(value) is not None


def secret_value_ok(value: str, *, password: bool) -> bool:
    """Whether ``value`` assigned to a secret-looking key is plausibly a real secret.

    Args:
        value: The assigned value.
        password: The key names a password (``password``, ``passwd``, ``pwd``, …):
            human-chosen passwords have low entropy, so only placeholders are rejected.

    Returns:
        ``True`` if the value should be redacted.
    """
    if is_placeholder(value):
        return False
    if password:
        return len(value) >= 4
    if len(value) < 10 or value.isdigit():
        return False
    if not any(c.isalpha() for c in value):
        return False
    entropy = shannon_entropy(value)
    if any(c.isdigit() for c in value):
        return entropy >= 2.5
    # Long random strings without a digit (base64 may lack one) are still secrets;
    # identifiers made of words ("my_app_default_session") are single-case.
    mixed_case = any(c.isupper() for c in value) and any(c.islower() for c in value)
    return mixed_case and len(value) >= 20 and entropy >= 3.8


def _same(m: re.Match[str], _ctx: Context) -> str:
    return m.group("v") if "v" in m.re.groupindex else m.group()


def _entropic(m: re.Match[str], _ctx: Context) -> str | None:
    value = m.group()
    return value if shannon_entropy(value) >= 3.0 and any(c.isdigit() for c in value) else None


def _pem(m: re.Match[str], _ctx: Context) -> str:
    return "".join(m.group().split())


def _jwt(m: re.Match[str], _ctx: Context) -> str | None:
    return m.group() if jwt_ok(m.group()) else None


def _bearer(m: re.Match[str], _ctx: Context) -> str | None:
    token = m.group("v")
    if is_placeholder(token) or (token.isalpha() and token.islower()):
        return None
    return token if shannon_entropy(token) >= 3.0 else None


def _basic(m: re.Match[str], _ctx: Context) -> str | None:
    token = m.group("v")
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return token if ":" in decoded else None


_PASSWORD_WORDS = ("password", "passwd", "passphrase", "pwd", "pass")
_SECRET_KEY = re.compile(
    r"""(?ix)
    (?P<w>password|passwd|passphrase|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key
      |auth[_\-]?key|private[_\-]?key|signing[_\-]?key|credentials?|session[_\-]?id|cookie)
    (?P<tail>[a-z0-9_.\-]{0,20})["']?
    \s{0,3}(?::|=>|=)\s{0,3}["']?
    (?P<v>[^\s"',;&}<>\]\)]{4,512})""",
    re.ASCII,
)
_NOT_SECRET_TAIL = re.compile(r"^(?:s|_?(?:count|type|limit|len|length|usage|id_type|budget))\b")


def _generic(m: re.Match[str], _ctx: Context) -> str | None:
    word = m.group("w").lower()
    tail = m.group("tail").lower()
    if word == "token" and _NOT_SECRET_TAIL.match(tail):
        return None
    value = m.group("v")
    password = word in _PASSWORD_WORDS
    return value if secret_value_ok(value, password=password) else None


_SECRET_WORDS = (
    r"password|passwd|passphrase|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key"
    r"|auth[_\-]?key|private[_\-]?key|signing[_\-]?key|credentials?|session[_\-]?id|cookie"
)

#: Words that announce a credential, in English, German, French and Spanish.
_TOKEN_WORD_LIST = (
    "token", "bearer", "session", "sess", "api key", "api-key", "api_key", "apikey",
    "x-api-key", "secret", "credential", "credentials", "access key", "private key",
    "password", "passwd", "pwd", "passphrase", "auth", "authorization", "ssws", "cookie",
    "pat", "jeton", "clé", "clave", "contraseña", "mot de passe", "passwort", "kennwort",
    "schlüssel", "zugangsdaten", "geheimnis", "credencial", "secreto", "secrète", "secret_key",
    "secret_access_key", "session_token", "auth_token", "access_token", "refresh_token",
    "id_token", "client_secret", "signing key",
)  # fmt: skip
_TOKEN_WORDS = re.compile(
    r"(?<![^\W_])(?:"
    + "|".join(sorted((re.escape(w) for w in _TOKEN_WORD_LIST), key=len, reverse=True))
    + r")(?![^\W_])",
    re.IGNORECASE,
)
#: Words that say a hex string is a digest, not a credential.
_HASH_WORDS = re.compile(
    r"sha\d*|md5|digest|commit|checksum|hash|etag|revision|fingerprint|build|blob|tree",
    re.IGNORECASE,
)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
#: Between the context word and the value: ``=``, ``: "``, `` is ``, `` Bearer `` …
#: but not the end of one clause and the start of another.
_GAP_BREAK = re.compile(r"[,;&{}()\[\]<>|]|[:=].*[:=]|\n|\S{20}")
_CONTEXT_BEFORE = 40
_HEX = re.compile(r"[0-9a-fA-F]+\Z")
_HAS_DIGIT = re.compile(r"\d")
_HAS_UPPER = re.compile(r"[A-Z]")
_HAS_LOWER = re.compile(r"[a-z]")


def _opaque(m: re.Match[str], ctx: Context) -> str | None:
    """An opaque token (no known prefix) right after a word that announces a credential."""
    start = m.start()
    lo = max(0, start - _CONTEXT_BEFORE)
    word = None
    for word in _TOKEN_WORDS.finditer(ctx.text, lo, start):  # noqa: B007 - keep the last
        continue
    if word is None:
        if not ctx.field or not _TOKEN_WORDS.search(ctx.field):
            return None
        gap = ctx.text[:start]
    else:
        gap = ctx.text[word.end() : start]
    if _GAP_BREAK.search(gap):
        return None
    value = m.group()
    if len(value) > 512 or "//" in value or _UUID.match(value) or is_placeholder(value):
        return None
    if _HEX.match(value) and _HASH_WORDS.search(ctx.text, lo, start):
        return None
    has_digit = _HAS_DIGIT.search(value) is not None
    has_upper = _HAS_UPPER.search(value) is not None
    has_lower = _HAS_LOWER.search(value) is not None
    if has_digit and (has_upper or has_lower):
        return value if shannon_entropy(value) >= 3.0 else None
    if has_upper and has_lower and len(value) >= 20 and shannon_entropy(value) >= 3.8:
        return value
    return None  # words and identifiers (``MyServiceName``) are not credentials


_TOKEN_TRIGGER = words_trigger(_TOKEN_WORD_LIST)
_PASSWORD_TRIGGER = r"password|passwd|passphrase|pwd"
_ASSIGN = r"[a-z0-9_.\-]*[\"']?\s*(?::|=)"

SECRET_DETECTORS: tuple[Detector, ...] = (
    Detector(
        "PRIVATE_KEY",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----"
            r"(?:.*?-----END (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----|.*)",
            re.DOTALL | re.ASCII,
        ),
        _pem,
        trigger=r"PRIVATE KEY(?: BLOCK)?-----",
    ),
    Detector(
        "ANTHROPIC_KEY",
        re.compile(r"(?<![\w-])sk-ant-[A-Za-z0-9_\-]{20,300}", re.ASCII),
        _same,
        trigger=r"sk-ant-",
    ),
    Detector(
        "OPENAI_KEY",
        re.compile(
            r"(?<![\w-])sk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,300}", re.ASCII
        ),
        _entropic,
        trigger=r"(?:^|[^\w-])sk-",
    ),
    Detector(
        "AWS_KEY",
        re.compile(
            r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AROA|AIDA)[A-Z0-9]{16}(?![A-Z0-9])"
            r"|(?i:aws)[A-Za-z_\-]{0,20}(?i:secret)[A-Za-z_\-]{0,20}[\"']?\s{0,3}[:=]\s{0,3}[\"']?"
            r"(?P<v>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])",
            re.ASCII,
        ),
        lambda m, _c: m.group("v") or m.group(),
        trigger=r"AKIA|ASIA|ABIA|ACCA|AROA|AIDA|(?i:aws)[A-Za-z_\-]*(?i:secret)",
    ),
    Detector(
        "GITHUB_TOKEN",
        re.compile(
            r"(?<![\w])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})", re.ASCII
        ),
        _same,
        trigger=r"(?:^|\W)(?:gh[pousr]_|github_pat_)",
    ),
    Detector(
        "SLACK_TOKEN",
        re.compile(
            r"(?<![\w-])xox[abposre]-[A-Za-z0-9\-]{10,250}"
            r"|https://hooks\.slack\.com/services/[A-Za-z0-9_/]{20,200}",
            re.ASCII,
        ),
        _same,
        trigger=r"xox[abposre]-|hooks\.slack\.com/services/",
    ),
    Detector(
        "GOOGLE_KEY",
        re.compile(
            r"(?<![\w-])(?:AIza[0-9A-Za-z_\-]{35}(?![\w-])|ya29\.[0-9A-Za-z_\-]{20,2048})", re.ASCII
        ),
        _same,
        trigger=r"AIza|ya29\.",
    ),
    Detector(
        "STRIPE_KEY",
        re.compile(
            r"(?<![\w])(?:(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,247}|whsec_[0-9A-Za-z]{24,128})",
            re.ASCII,
        ),
        _same,
        trigger=r"(?:sk|rk)_(?:live|test)_|whsec_",
    ),
    Detector(
        "JWT",
        re.compile(
            r"(?<![\w-])eyJ[A-Za-z0-9_\-]{5,4096}\.[A-Za-z0-9_\-]{2,16384}\.[A-Za-z0-9_\-]{0,4096}",
            re.ASCII,
        ),
        _jwt,
        trigger=r"eyJ[A-Za-z0-9_\-]*\.",
    ),
    Detector(
        "URL_CREDENTIALS",
        re.compile(
            r"(?i)(?<![a-z0-9+.\-])[a-z][a-z0-9+.\-]{1,20}://"
            r"(?P<v>[^\s:/@?#\[\]\"'<>]{1,128}:[^\s/@?#\"'<>]{1,256})@",
            re.ASCII,
        ),
        lambda m, _c: None if is_placeholder(m.group("v").split(":", 1)[1]) else m.group("v"),
        trigger=r"://[^\s:/@?#\[\]\"'<>]+:[^\s/@?#\"'<>]+@",
    ),
    Detector(
        "BEARER_TOKEN",
        re.compile(r"(?i)(?<![a-z0-9])bearer\s{1,8}(?P<v>[A-Za-z0-9\-._~+/]{16,8192}=*)", re.ASCII),
        _bearer,
        trigger=r"(?i)bearer\s",
    ),
    Detector(
        "SECRET",
        re.compile(r"(?i)(?<![a-z0-9])basic\s{1,8}(?P<v>[A-Za-z0-9+/]{8,1024}={0,2})", re.ASCII),
        _basic,
        trigger=r"(?i)basic\s",
    ),
    Detector(
        "SECRET",
        _SECRET_KEY,
        _generic,
        # Passwords may be digits only; other secrets must contain a letter.
        trigger=(
            rf"(?i)(?:{_PASSWORD_TRIGGER}){_ASSIGN}|(?:{_SECRET_WORDS}){_ASSIGN}"
            r"\s*[\"']?[^\s\"',;&}<>\]\)]*[a-z]"
        ),
    ),
    Detector(
        "SECRET",
        re.compile(
            # '=' only as base64 padding, so ``key=value`` splits at the '='.
            r"(?<![\w\-+/.~%])[A-Za-z0-9_+/][A-Za-z0-9_\-+/.~]{13,}[A-Za-z0-9_\-+/~]={0,2}"
            r"(?![\w\-+/=~]|\.[\w\-+/=~])"
        ),
        _opaque,
        trigger=_TOKEN_TRIGGER,
    ),
)
