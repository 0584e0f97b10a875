"""Detectors for personal data: contact details, financial and national identifiers,
network identifiers, dates of birth, names and street addresses.

Structured types are accepted only when they validate (checksum, issuer range, public
suffix, numbering plan); ambiguous shapes (bare digit runs, national ids, dates) also
need a context word nearby or a telling field name.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

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

__all__ = ["PHONE_REGIONS", "PII_DETECTORS"]

#: Regions tried, in order, for phone numbers written without a country code.
PHONE_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "IN", "AU")

_PHONE_WORD_LIST = (
    "phone",
    "tel",
    "telephone",
    "mobile",
    "cell",
    "sms",
    "whatsapp",
    "fax",
    "contact",
    "handy",
    "telefon",
    "téléphone",
    "telefono",
    "call me",
    "reach me",
    "text me",
)
_PHONE_WORDS = words_re(_PHONE_WORD_LIST)
#: Numbers that read as phone numbers without a context word: an area code in
#: parentheses, or two groups of at least three digits.
_GROUPED = re.compile(r"\(\d{1,5}\)|\d{3,5}[ .\-]\d{3,5}", re.ASCII)
# Candidates start after a character outside [\w+\-./:] and hold only digits, spaces,
# dots, dashes, parentheses and a leading '+': the trigger mirrors that left boundary.
_PHONE_TRIGGER = (
    r"\+[\d(]|(?:^|[^\w+\-./:])(?:00\d|[\d .\-()]*(?:\(\d{1,5}\)|\d{3,5}[ .\-]\d{3,5}))|"
    + words_trigger(_PHONE_WORD_LIST)
)
_DATE_SHAPE = re.compile(r"^(?:\d{4}[.\-]\d{1,2}[.\-]\d{1,2}|\d{1,2}[.\-]\d{1,2}[.\-]\d{2,4})$")


@lru_cache(maxsize=4096)
def _phone_e164(candidate: str, region: str | None) -> str | None:
    import phonenumbers

    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _phone(m: re.Match[str], ctx: Context) -> str | None:
    value = m.group("v")
    digits = sum(c.isdigit() for c in value)
    if not 7 <= digits <= 15 or _DATE_SHAPE.match(value):
        return None
    if value.startswith(("+", "00")):
        return _phone_e164("+" + value.lstrip("+")[2 if value.startswith("00") else 0 :], None)
    grouped = _GROUPED.search(value) is not None
    if value.count(".") >= 2 and not value.startswith("("):
        grouped = False  # 12.34.56.78 reads as a version or an address, not a phone
    if not grouped and not context_near(ctx, m.start(), _PHONE_WORDS):
        return None
    for region in PHONE_REGIONS:
        e164 = _phone_e164(value, region)
        if e164 is not None:
            return e164
    return None


def _email(m: re.Match[str], _ctx: Context) -> str | None:
    return m.group().lower() if is_email_domain(m.group("d")) else None


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


_VERSION_WORDS = words_re(("version", "ver", "release", "build", "oid", "v"))


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


_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE = (
    rf"\d{{4}}[\-/.]\d{{1,2}}[\-/.]\d{{1,2}}|\d{{1,2}}[\-/.]\d{{1,2}}[\-/.]\d{{2,4}}"
    rf"|{_MONTHS}\.?\s\d{{1,2}}(?:st|nd|rd|th)?,?\s\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s(?:of\s)?{_MONTHS}\.?,?\s\d{{4}}"
)
_DOB_WORDS = (
    r"(?i:born(?:\s(?:on|in))?|d\.?o\.?b\.?|date\sof\sbirth|birth\s?date|birthday"
    r"|geboren(?:\sam)?|n[ée]e?\sle|fecha\sde\snacimiento)"
)
_DOB_PATTERN = re.compile(
    rf"{_DOB_WORDS}[\s:=\"'\-]{{0,6}}(?:(?:is|was|of)\s)?(?P<v>{_DATE})(?!\d)", re.ASCII
)
_DOB_FIELD = re.compile(rf"^\s*(?P<v>{_DATE})\s*$")


def _dob(m: re.Match[str], _ctx: Context) -> str:
    return m.group("v")


_NAME = r"[A-Z][a-z]{1,20}(?:[\-'][A-Z]?[a-z]{1,20})?"
_PERSON_CONTEXT = (
    r"(?:[Mm]y\sname\sis|[Nn]ame\s?[:=]|[Dd]ear|[Mm]rs?\.?|[Mm]s\.?|[Dd]r\.?"
    r"|[Pp]rof\.?|[Ss]igned(?:\sby)?:?|[Rr]egards,|[Ss]incerely,|[Cc]ustomer\s?[:=]"
    r"|[Pp]atient\s?[:=]|[Cc]ontact\s?[:=]|[Aa]uthor\s?[:=]|[Ii]\sam|I'm)"
)
_PERSON_PATTERN = re.compile(
    rf"(?<![A-Za-z]){_PERSON_CONTEXT}\s{{1,4}}(?P<v>(?:(?:Mrs?|Ms|Dr|Prof)\.?\s)?{_NAME}"
    rf"(?:\s(?:[A-Z]\.|{_NAME})){{0,3}}(?:,?\s(?:Jr|Sr|II|III|IV|MD|DDS|DVM|PhD)\b\.?)?)",
    re.ASCII,
)
_NOT_NAMES = frozenset(
    {"The", "This", "That", "It", "Not", "Sorry", "Here", "Going", "Happy", "Glad", "Unable"}
    | {"Sure", "Looking", "Trying", "Able", "Just", "Very", "So", "Also", "Still", "User"}
)


def _person(m: re.Match[str], _ctx: Context) -> str | None:
    value = m.group("v")
    if value.split()[0] in _NOT_NAMES:
        return None
    return value


_STREET_SUFFIXES = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl"
    "|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Crescent|Close"
    "|Plaza|Plz|Loop|Path|Pike|Alley|Run|Ridge|Row|Crossing|Xing|Point|Pt|Park|Heights|Hts"
    "|Hill|Hills|Gardens|Gdns|Grove|Grv|Junction|Jct|Landing|Manor|Meadows|Mews|Mill|Mills"
    "|Mission|Overpass|Pass|Passage|Port|Radial|Ranch|Route|Rte|Shore|Shores|Spring|Springs"
    "|Station|Summit|Throughway|Trace|Track|Tunnel|Turnpike|Union|Valley|Vista|Via|View|Views"
    "|Village|Ville|Walk|Well|Wells|Estates|Expressway|Expy|Extension|Falls|Ferry|Field|Fields"
    "|Forest|Forge|Fork|Fort|Freeway|Fwy|Glen|Green|Harbor|Haven|Island|Isle|Key|Knoll|Lake"
    "|Lakes|Light|Lock|Lodge|Motorway|Orchard|Oval|Prairie|Ramp|Rapids|Rest|River|Road|Stream"
    "|Stravenue|Bypass|Camp|Canyon|Cape|Causeway|Center|Centre|Cliff|Club|Common|Corner|Corners"
    "|Course|Cove|Creek|Crest|Curve|Dale|Dam|Divide|Bridge|Brook|Burg|Bluff|Bottom|Branch|Beach"
    "|Bend|Annex|Arcade|Cape|Flat|Flats|Ford|Fords|Gateway|Harbors|Inlet|Meadow|Mount|Mountain"
    "|Neck|Plains|Ports|Unions|Ways|Wall|Underpass"
)
# House number (its first digit is matched first so `re` can skip ahead to digits).
_STREET_CORE = (
    rf"\d(?<![\w.\-]\d)\d{{0,5}}[A-Za-z]?\s(?:{_NAME}\s|[A-Z]\.\s|\d{{1,3}}(?:st|nd|rd|th)\s)"
    rf"{{1,4}}(?:{_STREET_SUFFIXES})s?\b"
)
#: Counted repetitions are widened to ``+`` so the RE2 set stays a small DFA.
_STREET_TRIGGER = rf"\d[A-Za-z]?\s(?:[A-Za-z0-9.'\-]+\s)+(?:{_STREET_SUFFIXES})"
_STREET_PATTERN = re.compile(
    rf"(?P<v>{_STREET_CORE}\.?"
    r"(?:,?\s(?:Apt|Apartment|Suite|Ste|Unit|#)\.?\s?#?[A-Za-z0-9\-]{1,6})?"
    r"(?:,?\s{1,2}[A-Z][a-z]{1,20}(?:\s[A-Z][a-z]{1,20}){0,2},\s[A-Z]{2}\s\d{5}(?:-\d{4})?)?)",
    re.ASCII,
)

PII_DETECTORS: tuple[Detector, ...] = (
    NATIONAL_ID_DETECTOR,  # context word + checksum: more specific than PHONE on ties
    Detector(
        "EMAIL",
        re.compile(
            r"(?<![\w.%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@"
            r"(?P<d>(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,63})"
            r"(?![A-Za-z0-9\-]|\.[A-Za-z0-9])",
            re.ASCII,
        ),
        _email,
        trigger=r"[A-Za-z0-9._%+\-]@[A-Za-z0-9]",
    ),
    Detector(
        "CREDIT_CARD",
        re.compile(
            r"\d(?<![\w.\-]\d)(?:\d{3}(?P<s1>[ \-])\d{4}(?P=s1)\d{4}(?P=s1)\d{1,4}"
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
    Detector(
        "PHONE",
        re.compile(
            r"(?<![\w+\-./:])(?P<v>(?:\+|00)?(?:\(\d{1,5}\)[ .\-]?)?"
            r"(?:\d{1,5}[ .\-]){0,6}\d{1,14})(?![\w+]|[.\-:/]\d)",
            re.ASCII,
        ),
        _phone,
        trigger=_PHONE_TRIGGER,
    ),
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
    Detector(
        "DATE_OF_BIRTH",
        _DOB_PATTERN,
        _dob,
        trigger=_DOB_WORDS,
    ),
    Detector(
        "PERSON",
        _PERSON_PATTERN,
        _person,
        trigger=_PERSON_CONTEXT + r"\s{1,4}[A-Z]",
    ),
    Detector(
        "STREET_ADDRESS", _STREET_PATTERN, lambda m, _c: m.group("v"), trigger=_STREET_TRIGGER
    ),
)

#: Values of a field with one of these names are a date of birth when they are a date.
DOB_FIELD = _DOB_FIELD
