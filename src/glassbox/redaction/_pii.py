"""Detectors for personal data: contact details, financial and national identifiers and
network identifiers (names, dates of birth and addresses are in ``_personal``).

Structured types are accepted only when they validate (checksum, issuer range, public
suffix, numbering plan); ambiguous shapes (bare digit runs, national ids, dates) also
need a context word nearby or a telling field name.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import unquote

from glassbox.redaction._checks import (
    base58check_ok,
    bech32_ok,
    card_ok,
    eip55_ok,
    iban_ok,
    is_email_domain,
    us_ssn_ok,
)
from glassbox.redaction._detector import Context, Detector, context_near, words_re, words_trigger
from glassbox.redaction._national import NATIONAL_ID_DETECTOR
from glassbox.redaction._personal import PERSONAL_DETECTORS
from glassbox.redaction._phone import PHONE_DETECTOR, PHONE_REGIONS

__all__ = ["PHONE_REGIONS", "PII_DETECTORS"]


def _email(m: re.Match[str], _ctx: Context) -> str | None:
    if not is_email_domain(m.group("d")):
        return None
    value = m.group()
    return (unquote(value) if "%" in value else value).lower()


def _card(m: re.Match[str], _ctx: Context) -> str | None:
    value = m.group()
    seps = {c for c in value if not c.isdigit()}
    if len(seps) > 1:
        return None
    digits = value.replace(" ", "").replace("-", "")
    if seps:
        groups = [len(g) for g in re.split(r"[ \-]", value)]
        if groups[0] != 4 or any(g > 6 for g in groups) or len(groups) > 5:
            return None
    return digits if card_ok(digits) else None


def _iban(m: re.Match[str], _ctx: Context) -> str | None:
    compact = m.group().replace(" ", "")
    return compact if iban_ok(compact) else None


_SSN_WORD_LIST = ("ssn", "social security", "ss#", "ss #", "soc sec", "taxpayer", "tin")
_SSN_WORDS = words_re(_SSN_WORD_LIST)


def _ssn(m: re.Match[str], ctx: Context) -> str | None:
    if not us_ssn_ok(m.group("a"), m.group("g"), m.group("n")):
        return None
    if m.group("s") != "-" and not context_near(ctx, m.start(), _SSN_WORDS):
        return None
    return m.group("a") + m.group("g") + m.group("n")


_VERSION_WORDS = words_re(("version", "ver", "release", "build", "oid", "v", "tag"))


def _ipv4(m: re.Match[str], ctx: Context) -> str | None:
    value = m.group()
    octets = value.split(".")
    if any(int(o) > 255 or (o[0] == "0" and len(o) > 1) for o in octets):
        return None  # not a canonical dotted quad
    if octets[0] == "127" or value in ("0.0.0.0", "255.255.255.255"):
        return None
    if context_near(ctx, m.start(), _VERSION_WORDS, before=12):
        return None
    return value


def _ipv6(m: re.Match[str], _ctx: Context) -> str | None:
    value = m.group()
    if sum(c not in ":." for c in value) < 4:
        return None
    try:
        addr = ipaddress.IPv6Address(value)
    except ValueError:
        return None
    if addr.is_loopback or addr.is_unspecified:
        return None
    return addr.compressed


def _mac(m: re.Match[str], _ctx: Context) -> str | None:
    hexdigits = re.sub(r"[^0-9a-fA-F]", "", m.group()).lower()
    if hexdigits in ("000000000000", "ffffffffffff"):
        return None
    return ":".join(hexdigits[i : i + 2] for i in range(0, 12, 2))


_CRYPTO_WORDS = words_re(("wallet", "eth", "ether", "ethereum", "address", "addr", "send", "pay"))


def _crypto(m: re.Match[str], ctx: Context) -> str | None:
    value = m.group()
    if value.startswith("0x"):
        body = value[2:]
        if body.islower() or body.isupper() or body.isdigit():
            return value.lower() if context_near(ctx, m.start(), _CRYPTO_WORDS) else None
        return value.lower() if eip55_ok(value) else None
    if value.lower().startswith("bc1"):
        return value.lower() if bech32_ok(value) else None
    return value if base58check_ok(value) else None


PII_DETECTORS: tuple[Detector, ...] = (
    NATIONAL_ID_DETECTOR,  # context word + checksum: more specific than PHONE on ties
    Detector(
        "EMAIL",
        re.compile(
            r"(?<![\w.%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}(?:@|%40)"
            r"(?P<d>(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,63})"
            r"(?![A-Za-z0-9\-]|\.[A-Za-z0-9])",
            re.ASCII,
        ),
        _email,
        trigger=r"[A-Za-z0-9._%+\-](?:@|%40)[A-Za-z0-9]",
        anchor=re.compile("@|%40"),
        anchor_back=r"[A-Za-z0-9._%+\-]",
        anchor_reach=64,
    ),
    Detector(
        "CREDIT_CARD",
        re.compile(
            r"\d(?<![\w.\-]\d)(?:\d{3}(?P<s1>[ \-])\d{4}(?P=s1)\d{4}(?P=s1)\d{1,4}"
            r"(?:(?P=s1)\d{3}(?!\d))?"
            r"|\d{3}(?P<s2>[ \-])\d{6}(?P=s2)\d{4,5}|\d{11,18})(?!\w|[.\-]\d)",
            re.ASCII,
        ),
        _card,
        # Issuer ranges start with 2-6; the look-behind of the pattern becomes a class.
        trigger=(
            r"(?:^|[^\w.\-])[2-6]\d{3}"
            r"(?:[ \-]\d{4}[ \-]\d{4}|[ \-]\d{6}[ \-]\d{4}|\d{8})"
        ),
    ),
    Detector(
        "IBAN",
        re.compile(
            r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?:\s[A-Z0-9]{4}){2,7}(?:\s[A-Z0-9]{1,3})?)"
            r"(?![A-Za-z0-9])",
            re.ASCII,
        ),
        _iban,
        trigger=r"[A-Z]{2}\d{2}\s?[A-Z0-9]{4}",
    ),
    Detector(
        "US_SSN",
        re.compile(
            r"(?P<a>\d(?<![\d\-]\d)\d{2})(?P<s>[\- ]?)(?P<g>\d{2})(?P=s)(?P<n>\d{4})"
            r"(?![\d\-]|\.\d)",
            re.ASCII,
        ),
        _ssn,
        trigger=r"\d{3}-\d{2}-\d{4}|" + words_trigger(_SSN_WORD_LIST),
    ),
    PHONE_DETECTOR,
    Detector(
        "IP_ADDRESS",
        re.compile(
            r"\d(?<![\w.]\d)\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)",
            re.ASCII,
        ),
        _ipv4,
        trigger=r"(?:^|[^\w.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:\W|$)",
    ),
    Detector(
        "IP_ADDRESS",
        re.compile(
            r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])",
            re.ASCII,
        ),
        _ipv6,
        trigger=r"::|[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:",
    ),
    Detector(
        "MAC_ADDRESS",
        re.compile(
            r"(?<![\w:\-.])(?:[0-9A-Fa-f]{2}(?P<s>[:\-])(?:[0-9A-Fa-f]{2}(?P=s)){4}[0-9A-Fa-f]{2}"
            r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![\w:\-]|\.\w)",
            re.ASCII,
        ),
        _mac,
        trigger=r"[0-9A-Fa-f]{2}[:\-][0-9A-Fa-f]{2}[:\-][0-9A-Fa-f]{2}[:\-]|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.",
    ),
    Detector(
        "CRYPTO_ADDRESS",
        re.compile(
            r"(?<![\w])(?:[13][a-km-zA-HJ-NP-Z1-9]{25,34}|(?i:bc1)[ac-hj-np-z02-9]{11,71}"
            r"|0x[0-9a-fA-F]{40})(?![\w])",
            re.ASCII,
        ),
        _crypto,
        trigger=(
            r"(?:^|\W)(?:[13][a-km-zA-HJ-NP-Z1-9]{25}|(?i:bc1)[ac-hj-np-z02-9]{6}"
            r"|0x[0-9a-fA-F]{8})"
        ),
    ),
    *PERSONAL_DETECTORS,
)
