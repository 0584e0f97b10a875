"""Detectors for names, dates of birth and street addresses, in English, German, French
and Spanish.

Without a language model these are found only in explicit contexts: a name after a
salutation, an honorific or a name label (``Dear``, ``Herr``, ``Madame``, ``Sr.``,
``Name:``, ``Nom :``, ``Nombre:``); a date next to a birth word (``born``, ``geboren``,
``né le``, ``fecha de nacimiento``); an address with a house number and a street word
(``Street``, ``-straße``, ``rue``, ``Calle``). Names may carry accents (Latin-1 letters).
"""

from __future__ import annotations

import re

from glassbox.redaction._detector import Context, Detector

__all__ = ["DOB_FIELD", "PERSONAL_DETECTORS"]

_MONTHS = (
    r"(?i:jan(?:uary|uar|vier)?|j[äa]nner|feb(?:ruary|ruar)?|f[ée]vrier|febrero"
    r"|mar(?:ch)?|m(?:ä|ae)rz|mars|marzo|apr(?:il)?|avril|abril|may|mai|mayo|enero"
    r"|june?|juni|juin|junio|july?|juli|juillet|julio|aug(?:ust)?|ao[ûu]t|agosto"
    r"|sep(?:t(?:ember)?)?|septembre|s?eptiembre|setiembre|oct(?:ober)?|oktober|octobre|octubre"
    r"|nov(?:ember)?|novembre|noviembre|dec(?:ember)?|dezember|d[ée]cembre|diciembre)"
)
_DATE = (
    rf"\d{{4}}[\-/.]\d{{1,2}}[\-/.]\d{{1,2}}|\d{{1,2}}[\-/.]\d{{1,2}}[\-/.]\d{{2,4}}"
    rf"|{_MONTHS}\.?\s\d{{1,2}}(?:st|nd|rd|th)?,?\s\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th|er|\.)?\s(?:of\s|de\s)?{_MONTHS}\.?,?\s(?:de\s)?\d{{4}}"
)
_DOB_WORDS = (
    r"(?i:born(?:\s(?:on|in))?|d\.?o\.?b\.?|date\sof\sbirth|birth\s?date|birthday"
    r"|geboren(?:\sam)?|geb\.|geburtsdatum|geburtstag|n[ée]e?\s(?:le|en)|date\sde\snaissance"
    r"|fecha\sde\snacimiento|nacid[oa]\sel|nac[ií]\sel|naci[óo]\sel|cumpleaños)"
)
_DOB_BEFORE = re.compile(
    rf"{_DOB_WORDS}[\s:=\"'\-]{{0,6}}(?:(?:is|was|of|am|le|el|on)\s)?(?P<v>{_DATE})(?!\d)"
)
_DOB_AFTER = re.compile(
    rf"(?i:am|on|le|el)\s(?P<v>{_DATE})\s(?i:geboren|born|n[ée]e?|nacid[oa])(?![^\W\d_])"
)
#: Values of a field with a date-of-birth name are a date of birth when they are a date.
DOB_FIELD = re.compile(rf"^\s*(?P<v>{_DATE})\s*$")

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_NAME = rf"[{_UP}][{_LOW}]{{1,20}}(?:[\-'][{_UP}]?[{_LOW}]{{1,20}})?"
_PARTICLE = r"(?:de|del|de\sla|la|le|van|von|der|den|da|di|du|dos|y|zu|ten)"
_HONORIFIC = (
    r"(?:Mrs?|Ms|Miss|Dr|Prof|Herr|Frau|Hr|Fr|Monsieur|Madame|Mademoiselle|M|Mme|Mlle"
    r"|Señor|Señora|Señorita|señor|señora|señorita|Sr|Sra|Srta|Don|Doña)"
)
_PERSON_CUE = (
    r"(?:[Mm]y\sname\sis|[Nn]ame\s?[:=]|[Dd]ear|[Ss]igned(?:\sby)?:?|[Rr]egards,|[Ss]incerely,"
    r"|[Cc]ustomer\s?[:=]|[Pp]atient\s?[:=]|[Cc]ontact\s?[:=]|[Aa]uthor\s?[:=]|I\sam|I'm"
    r"|[Mm]ein\sName\sist|[Ii]ch\sheiße|[Vv]orname\s?:|[Nn]achname\s?:|[Kk]unde\s?:"
    r"|[Ss]ehr\sgeehrter?|[Ll]iebe[r]?|[Gg]rüßen,|[Gg]rüße,"
    r"|[Jj]e\sm'appelle|[Mm]on\snom\sest|[Nn]om\s?:|[Pp]rénom\s?:|[Cc]lient\s?:|[Cc]her|[Cc]hère"
    r"|[Cc]ordialement,|[Mm]e\sllamo|[Mm]i\snombre\ses|[Nn]ombre\s?:|[Aa]pellidos?\s?:"
    r"|[Cc]liente\s?:|[Ee]stimad[oa]|[Qq]uerid[oa]|[Aa]tentamente,|[Ss]aludos,"
    rf"|{_HONORIFIC}\.?)"
)
_PERSON_PATTERN = re.compile(
    rf"(?<![^\W\d_]){_PERSON_CUE}\s{{1,4}}(?P<v>(?:{_HONORIFIC}\.?\s)?(?:{_PARTICLE}\s){{0,2}}{_NAME}"
    rf"(?:(?:\s{_PARTICLE})?\s(?:[{_UP}]\.|{_NAME})){{0,3}}"
    rf"(?:,?\s(?:Jr|Sr|II|III|IV|MD|PhD)\b\.?)?)"
)
_NOT_NAMES = frozenset(
    {"The", "This", "That", "It", "Not", "Sorry", "Here", "Going", "Happy", "Glad", "Unable"}
    | {"Sure", "Looking", "Trying", "Able", "Just", "Very", "So", "Also", "Still", "User"}
    | {"Sie", "Kunde", "Kundin", "Team", "Client", "Cliente", "Madame", "Monsieur", "Herr"}
    | {"Frau", "Equipo", "Usuario", "Utilisateur", "Nutzer", "Admin", "Customer", "Support"}
)


_LEADING_HONORIFIC = re.compile(rf"^{_HONORIFIC}\.?\s")


def _person(m: re.Match[str], _ctx: Context) -> str | None:
    value = m.group("v")
    name = _LEADING_HONORIFIC.sub("", value)
    if not name or name.split()[0] in _NOT_NAMES:
        return None
    return value


def _dob(m: re.Match[str], _ctx: Context) -> str:
    return m.group("v")


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
_ASCII_NAME = r"[A-Z][a-z]{1,20}(?:[\-'][A-Z]?[a-z]{1,20})?"
# House number (its first digit is matched first so `re` can skip ahead to digits).
_STREET_CORE = (
    rf"\d(?<![\w.\-]\d)\d{{0,5}}[A-Za-z]?\s(?:{_ASCII_NAME}\s|[A-Z]\.\s|\d{{1,3}}(?:st|nd|rd|th)\s)"
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
_EU_STREET_WORD = (
    r"(?:rue|avenue|boulevard|bd|chemin|impasse|allée|place|quai|route|cours"
    r"|Calle|C\.|Avenida|Avda\.|Av\.|Paseo|Plaza|Camino|Ronda|Rambla|Vía|Via|Carrer"
    r"|Callejón|Travesía|Cañada|Urbanización|Glorieta|Alameda|Pasaje|Carretera)"
)
_EU_PARTICLES = rf"(?:{_PARTICLE}\s|d'|l'){{0,3}}"
_EU_NAMES = rf"{_EU_PARTICLES}{_NAME}(?:\s{_EU_PARTICLES}{_NAME}){{0,3}}"
_EU_STREET_PATTERN = re.compile(
    # German: Goethestraße 12a, Am Markt 3 is left alone (no street word).
    rf"(?P<v>(?<![^\W\d_])[{_UP}][{_LOW}\-]{{1,30}}(?:straße|strasse|weg|gasse|allee|platz|ring"
    rf"|damm|ufer|chaussee)\s\d{{1,4}}[a-z]?(?!\w)"
    # French: 12, rue de la Paix / 12 bis avenue Victor Hugo.
    rf"|\d(?<![\w.\-]\d)\d{{0,3}}(?:\s?(?:bis|ter))?,?\s{_EU_STREET_WORD}\s{_EU_NAMES}"
    # Spanish: Calle de Alcalá 42 / Rambla de Poncio Castañeda 82.
    rf"|(?<![^\W\d_]){_EU_STREET_WORD}\s{_EU_NAMES},?\s(?:n\.?º\s?)?\d{{1,4}}(?!\d))"
)

PERSONAL_DETECTORS: tuple[Detector, ...] = (
    Detector("DATE_OF_BIRTH", _DOB_BEFORE, _dob, trigger=_DOB_WORDS),
    Detector(
        "DATE_OF_BIRTH",
        _DOB_AFTER,
        _dob,
        trigger=r"\d\s(?i:geboren|born|n[ée]e?|nacid[oa])",
    ),
    Detector(
        "PERSON",
        _PERSON_PATTERN,
        _person,
        trigger=_PERSON_CUE + rf"\s{{1,4}}[{_UP}]",
    ),
    Detector(
        "STREET_ADDRESS", _STREET_PATTERN, lambda m, _c: m.group("v"), trigger=_STREET_TRIGGER
    ),
    Detector(
        "STREET_ADDRESS",
        _EU_STREET_PATTERN,
        lambda m, _c: m.group("v"),
        trigger=(
            r"(?i:straße|strasse|weg|gasse|allee|platz|ring|damm|ufer|chaussee)\s\d"
            rf"|{_EU_STREET_WORD}\s"
        ),
    ),
)
