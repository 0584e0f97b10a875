"""Phone numbers, validated by ``phonenumbers``.

International numbers (``+``, ``00``, URL-encoded ``%2B``) are valid or not on their own.
A national number (``01 23 45 67 89``, ``(11) 96380-8052``, ``0664 1234567``) is read with
``phonenumbers.PhoneNumberMatcher`` for candidate regions: first the regions hinted by
the language of the text (``Telefon`` → DE/AT/CH, ``téléphone`` → FR/BE/CH, ``teléfono``
→ ES/MX, ``celular`` → BR), then the default regions. A bare digit run is a phone number
only after a context word (``phone``, ``tel``, ``numéro``, ``móvil`` …); a grouped one
(area code in parentheses, groups of digits, a national trunk ``0``) needs no context.
"""

from __future__ import annotations

import re
from functools import lru_cache

from glassbox.redaction._detector import Context, Detector, context_near, words_re, words_trigger

__all__ = ["PHONE_DETECTOR", "PHONE_REGIONS"]

#: Regions tried, in order, for national numbers when the text hints at no language.
PHONE_REGIONS: tuple[str, ...] = (
    "US", "GB", "DE", "FR", "IN", "AU", "AT", "BE", "BR", "ES", "IT", "NL", "CH", "CA", "MX",
)  # fmt: skip

#: Words that hint at the regions whose national formats the text likely uses.
_HINTS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (words_re(("telefon", "telefonnummer", "rufnummer", "handy", "mobil", "festnetz")),
     ("DE", "AT", "CH")),
    (words_re(("téléphone", "telephone", "numéro", "portable", "tél", "joindre")),
     ("FR", "BE", "CH")),
    (words_re(("teléfono", "telefono", "número", "móvil", "movil")), ("ES", "MX")),
    (words_re(("celular", "telefone", "whatsapp")), ("BR",)),
)  # fmt: skip

_PHONE_WORD_LIST = (
    "phone", "tel", "telephone", "mobile", "cell", "sms", "whatsapp", "fax", "contact",
    "handy", "telefon", "telefonnummer", "rufnummer", "mobil", "téléphone", "tél", "numéro",
    "portable", "telefono", "teléfono", "número", "numero", "móvil", "movil", "celular",
    "telefone", "call me", "reach me", "text me",
)  # fmt: skip
_PHONE_WORDS = words_re(_PHONE_WORD_LIST)
#: Numbers that read as phone numbers without a context word: an area code in
#: parentheses, two groups of at least three digits, four pairs, or a trunk ``0``
#: followed by a separator.
_GROUPED = re.compile(
    r"\(\d{1,5}\)|\d{3,5}[ .\-]\d{3,5}|\d{2}(?:[ .\-]\d{2}){3}|^0\d{1,5}[ .\-]\d{2}", re.ASCII
)
# Candidates start after a character outside [\w+\-./:] and hold only digits, spaces,
# dots, dashes, parentheses and a leading '+': the trigger mirrors that left boundary.
_PHONE_TRIGGER = (
    r"\+[\d(]|%2[Bb]\d|(?:^|[^\w+\-./:])(?:00\d|[\d .\-()]*(?:\(\d{1,5}\)|\d{3,5}[ .\-]\d{3,5}"
    r"|\d{2}[ .\-]\d{2}[ .\-]\d{2}[ .\-]\d{2}|0\d{1,5}[ .\-]\d{2}))|"
    + words_trigger(_PHONE_WORD_LIST)
)
_DATE_SHAPE = re.compile(r"^(?:\d{4}[.\-]\d{1,2}[.\-]\d{1,2}|\d{1,2}[.\-]\d{1,2}[.\-]\d{2,4})$")


@lru_cache(maxsize=4096)
def _international(candidate: str) -> str | None:
    import phonenumbers

    try:
        number = phonenumbers.parse(candidate, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


@lru_cache(maxsize=8192)
def _national(candidate: str, region: str) -> str | None:
    """E.164 of ``candidate`` read as a whole national number of ``region``, if valid."""
    import phonenumbers

    matcher = phonenumbers.PhoneNumberMatcher(
        candidate, region, leniency=phonenumbers.Leniency.VALID, max_tries=2
    )
    for match in matcher:
        if match.start == 0 and match.end == len(candidate):
            return str(
                phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            )
    return None


def _regions(ctx: Context, start: int) -> list[str]:
    """Candidate regions: hinted by words within 200 characters before, then defaults."""
    window = ctx.text[max(0, start - 200) : start] + " " + ctx.field
    hinted = [r for words, regions in _HINTS if words.search(window) for r in regions]
    return hinted + [r for r in PHONE_REGIONS if r not in hinted]


def _phone(m: re.Match[str], ctx: Context) -> str | None:
    value = m.group("v")
    digits = sum(c.isdigit() for c in value)
    if not 7 <= digits <= 15 or _DATE_SHAPE.match(value):
        return None
    if value[:3] in ("%2B", "%2b"):
        return _international("+" + value[3:])
    if value.startswith(("+", "00")):
        return _international("+" + value.lstrip("+")[2 if value.startswith("00") else 0 :])
    grouped = _GROUPED.search(value) is not None
    if value.count(".") >= 2 and not value.startswith("("):
        grouped = False  # 12.34.56.78 reads as a version or an address, not a phone
    if not grouped and not context_near(ctx, m.start(), _PHONE_WORDS):
        return None
    for region in _regions(ctx, m.start()):
        e164 = _national(value, region)
        if e164 is not None:
            return e164
    return None


PHONE_DETECTOR = Detector(
    "PHONE",
    re.compile(
        r"(?<![\w+\-./:])(?P<v>(?:\+|00|%2[Bb])?(?:\(\d{1,5}\)[ .\-]?)?"
        r"(?:\d{1,6}[ .\-]){0,6}\d{1,14})(?![\w+]|[.\-:/]\d)",
        re.ASCII,
    ),
    _phone,
    trigger=_PHONE_TRIGGER,
)
