"""Phone numbers, validated by ``phonenumbers``.

International numbers (``+``, ``00``, URL-encoded ``%2B``) are valid or not on their own.
A national number (``01 23 45 67 89``, ``(11) 96380-8052``, ``0664 1234567``) is
validated for candidate regions (``is_valid_number_for_region``): first the regions
hinted by the language of the text (``Telefon`` → DE/AT/CH, ``téléphone`` → FR/BE/CH,
``teléfono`` → ES/MX, ``celular`` → BR), then the default regions. ``PhoneNumberMatcher``
was measured at about 0.8 ms per candidate; building the number from its digits once
the trunk prefix is stripped (or ``parse`` where that is not all it does) gives the same
answers at a fraction of the cost. A bare digit run is a phone number
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

#: The trailing regions of PHONE_REGIONS tried only next to a phone word or when hinted.
_RARE = 9

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
#: and a space (dashes would read dates such as ``2026-05-01`` as phone numbers).
_GROUPED = re.compile(
    r"\(\d{1,5}\)|\d{3,5}[ .\-]\d{3,5}|\d{2}(?:[ .]\d{2}){3}|^0\d{1,5} \d{2}", re.ASCII
)
# Candidates start after a character outside [\w+\-./:] and hold only digits, spaces,
# dots, dashes, parentheses and a leading '+': the trigger mirrors that left boundary.
_PHONE_TRIGGER = (
    r"\+[\d(]|%2[Bb]\d|(?:^|[^\w+\-./:])(?:00\d|[\d .\-()]*(?:\(\d{1,5}\)|\d{3,5}[ .\-]\d{3,5}"
    r"|\d{2}[ .]\d{2}[ .]\d{2}[ .]\d{2}|0\d{1,5} \d{2}))|" + words_trigger(_PHONE_WORD_LIST)
)
_DIGITS = str.maketrans(dict.fromkeys("0123456789"))
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


@lru_cache(maxsize=64)
def _plan(region: str) -> tuple[int, str, frozenset[int], bool]:
    """How to read national numbers of ``region``: country code, trunk prefix, possible
    national lengths, and whether stripping the trunk prefix is all ``parse`` would do
    (false for Italy's kept leading zero and for regions with carrier-code prefixes)."""
    import phonenumbers

    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None or meta.general_desc is None:
        return 0, "", frozenset(), False
    prefix = meta.national_prefix or ""
    simple = (meta.national_prefix_for_parsing or "") == prefix and region != "IT"
    lengths = frozenset(meta.general_desc.possible_length)
    return int(meta.country_code or 0), prefix, lengths, simple


@lru_cache(maxsize=8192)
def _national(candidate: str, region: str) -> str | None:
    """E.164 of ``candidate`` read as a national number of ``region``, if valid there."""
    import phonenumbers

    code, prefix, lengths, simple = _plan(region)
    digits = "".join(c for c in candidate if c.isdigit())
    nsn = digits[len(prefix) :] if prefix and digits.startswith(prefix) else digits
    if len(nsn) not in lengths and len(digits) not in lengths:
        return None  # a length no number of the region has
    if simple and len(nsn) in lengths and not digits.startswith("00"):
        # What parse() would do for this region, without its general-purpose cost.
        number = phonenumbers.PhoneNumber(country_code=code, national_number=int(nsn))
        if phonenumbers.is_valid_number_for_region(number, region):
            return f"+{code}{nsn}"
        if not digits.startswith(str(code)):
            return None  # else parse() may read the digits as country code + number
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != code:
        return None  # the candidate carried its own country code: not a national number
    if not phonenumbers.is_valid_number_for_region(number, region):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _regions(ctx: Context) -> tuple[str, ...]:
    """Candidate regions: those hinted by the language of the text, then the defaults."""
    cached = ctx.memo.get("phone_regions")
    if isinstance(cached, tuple):
        return cached
    window = ctx.text[:4096] + " " + ctx.field
    hinted = [r for words, regions in _HINTS if words.search(window) for r in regions]
    regions = tuple(dict.fromkeys(hinted + list(PHONE_REGIONS)))
    ctx.memo["phone_regions"] = regions
    return regions


def _phone(m: re.Match[str], ctx: Context) -> str | None:
    value = m.group("v")
    digits = len(value) - len(value.translate(_DIGITS))
    if not 7 <= digits <= 15 or _DATE_SHAPE.match(value):
        return None
    if value[:3] in ("%2B", "%2b"):
        return _international("+" + value[3:])
    if value.startswith(("+", "00")):
        return _international("+" + value.lstrip("+")[2 if value.startswith("00") else 0 :])
    grouped = _GROUPED.search(value) is not None
    if value.count(".") >= 2 and not value.startswith("("):
        grouped = False  # 12.34.56.78 reads as a version or an address, not a phone
    near = context_near(ctx, m.start(), _PHONE_WORDS, before=64)
    if not grouped and not near:
        return None
    regions = _regions(ctx)
    # Without a phone word only the hinted and the most common regions are tried: a
    # grouped number is valid somewhere in the world far more often than it is a phone.
    for region in regions if near else regions[: len(regions) - _RARE]:
        e164 = _national(value, region)
        if e164 is not None:
            return e164
    return None


PHONE_DETECTOR = Detector(
    "PHONE",
    re.compile(
        # The look-ahead skips runs of fewer than 7 digits without leaving the regex engine.
        r"(?<![\w+\-./:])(?=(?:[ .\-()+%Bb]{0,3}\d){7})"
        r"(?P<v>(?:\+|00|%2[Bb])?(?:\(\d{1,5}\)[ .\-]?)?"
        r"(?:\d{1,6}[ .\-]){0,6}\d{1,14})(?![\w+]|[.\-:/]\d)",
        re.ASCII,
    ),
    _phone,
    trigger=_PHONE_TRIGGER,
)
