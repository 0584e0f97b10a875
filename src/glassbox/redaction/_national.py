"""National identifiers: validated with ``python-stdnum`` and gated by a context word.

A bare 11-digit number is as likely an order id as a tax id, so a candidate is only
tested against the schemes whose context words (``steuer-id``, ``bsn``, ``aadhaar``, …)
appear shortly before it or name the field it came from.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from functools import cache

from glassbox.redaction._detector import Context, Detector, words_re, words_trigger

__all__ = ["NATIONAL_ID_DETECTOR", "NATIONAL_ID_SCHEMES"]

#: stdnum module (or ``gb.nino``, checked here) → context words that enable it.
NATIONAL_ID_SCHEMES: dict[str, tuple[str, ...]] = {
    "de.idnr": ("steuer-id", "steuerid", "steuer id", "idnr", "identifikationsnummer", "tax id"),
    "fr.nir": ("nir", "insee", "sécurité sociale", "securite sociale", "numéro de sécu"),
    "es.dni": ("dni",),
    "es.nie": ("nie",),
    "it.codicefiscale": ("codice fiscale", "cf", "c.f."),
    "nl.bsn": ("bsn", "burgerservicenummer", "sofinummer"),
    "se.personnummer": ("personnummer",),
    "dk.cpr": ("cpr",),
    "fi.hetu": ("hetu", "henkilötunnus"),
    "no.fodselsnummer": ("fødselsnummer", "fodselsnummer"),
    "in_.aadhaar": ("aadhaar", "aadhar"),
    "br.cpf": ("cpf",),
    "ca.sin": ("sin", "social insurance"),
    "pl.pesel": ("pesel",),
    "cn.ric": ("resident identity", "身份证"),
    "be.nn": ("rijksregisternummer", "numéro national", "national number"),
    "ch.ssn": ("ahv", "avs"),
    "gb.nino": ("national insurance", "nino", "ni number", "ni no"),
}
_GENERIC_WORDS = (
    "national id",
    "national identity",
    "id number",
    "identity number",
    "identification number",
    "personal id",
    "citizen id",
    "id card",
)

_NINO = re.compile(r"^(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$")


@cache
def _validator(scheme: str) -> Callable[[str], bool]:
    if scheme == "gb.nino":
        return lambda value: _NINO.match(value.replace(" ", "").upper()) is not None
    module = importlib.import_module(f"stdnum.{scheme}")
    is_valid: Callable[[str], bool] = module.is_valid
    return is_valid


_SCHEME_WORDS = {scheme: words_re(words) for scheme, words in NATIONAL_ID_SCHEMES.items()}
_ANY_WORD = words_re(tuple(w for ws in NATIONAL_ID_SCHEMES.values() for w in ws) + _GENERIC_WORDS)
_GENERIC = words_re(_GENERIC_WORDS)
_WINDOW = 64
_NEEDLES = tuple(
    sorted({w for ws in NATIONAL_ID_SCHEMES.values() for w in ws} | set(_GENERIC_WORDS))
)


def _national(m: re.Match[str], ctx: Context) -> str | None:
    start = m.start()
    window = ctx.text[max(0, start - _WINDOW) : start] + " " + ctx.field
    if not _ANY_WORD.search(window):
        return None
    generic = _GENERIC.search(window) is not None
    value = m.group()
    for scheme, words in _SCHEME_WORDS.items():
        if (generic or words.search(window)) and _validator(scheme)(value):
            return re.sub(r"[\s.\-/]", "", value).upper()
    return None


NATIONAL_ID_DETECTOR = Detector(
    "NATIONAL_ID",
    re.compile(
        r"(?<![\w.\-/])[A-Z0-9](?:[A-Z0-9]|[.\-/](?=[A-Z0-9])|(?<=\d)\s(?=\d)){7,22}"
        r"(?![\w]|[.\-/]\w)",
        re.ASCII,
    ),
    _national,
    trigger=words_trigger(_NEEDLES),
)
