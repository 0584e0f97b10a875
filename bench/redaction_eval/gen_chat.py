"""Conversational text in English, German, French and Spanish: chat prompts, model answers
and agent scratchpads, with names after salutations, spelled-out birth dates, national
phone formats, e-mails, IBANs, cards, SSNs and street addresses.

Names and addresses come from Faker's locales; phone numbers are random digits that
``phonenumbers`` accepts as valid for the region, printed in its national format; IBANs
and card numbers get their check digits computed here.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

import phonenumbers
from faker import Faker

from redaction_eval.doc import Segments

LOCALES = {"en": "en_US", "de": "de_DE", "fr": "fr_FR", "es": "es_ES"}
_FAKERS: dict[str, Faker] = {}

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "de": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
}
PHONE_REGIONS = {
    "en": ["US", "GB", "IN"],
    "de": ["DE", "AT"],
    "fr": ["FR", "BE"],
    "es": ["ES", "BR"],
}


def fake(lang: str, rng: random.Random) -> Faker:
    f = _FAKERS.get(lang)
    if f is None:
        f = _FAKERS[lang] = Faker(LOCALES[lang])
    f.seed_instance(rng.getrandbits(32))
    return f


def luhn_complete(prefix: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(prefix)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return prefix + str((10 - total % 10) % 10)


def card(rng: random.Random) -> tuple[str, str]:
    kind = rng.randrange(4)
    if kind == 0:  # Visa 19 digits in 4-4-4-4-3
        n = luhn_complete("4" + "".join(rng.choice(string.digits) for _ in range(17)))
        return " ".join([n[0:4], n[4:8], n[8:12], n[12:16], n[16:]]), "19"
    if kind == 1:
        n = luhn_complete(
            str(rng.randint(51, 55)) + "".join(rng.choice(string.digits) for _ in range(13))
        )
        sep = rng.choice([" ", "-", ""])
        return sep.join(n[i : i + 4] for i in range(0, 16, 4)), "16"
    if kind == 2:
        n = luhn_complete("37" + "".join(rng.choice(string.digits) for _ in range(12)))
        return f"{n[:4]} {n[4:10]} {n[10:]}", "15"
    n = luhn_complete("4" + "".join(rng.choice(string.digits) for _ in range(14)))
    return n, "16"


def iban(rng: random.Random) -> str:
    country, length = rng.choice([("DE", 22), ("FR", 27), ("ES", 24), ("BE", 16), ("AT", 20)])
    bban = "".join(rng.choice(string.digits) for _ in range(length - 4))
    num = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    compact = f"{country}{98 - num % 97:02d}{bban}"
    if rng.random() < 0.5:
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return compact


def ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 899) if a != 666])
    v = f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"
    style = rng.randrange(3)
    return (
        v
        if style == 0
        else (f"{v[:3]} {v[3:5]} {v[5:]}" if style == 1 else f"{v[:3]}-{v[3:5]}-{v[5:]}")
    )


def phone(rng: random.Random, lang: str) -> str:
    region = rng.choice(PHONE_REGIONS[lang])
    example = phonenumbers.example_number_for_type(
        region,
        rng.choice([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]),
    )
    digits = str(example.national_number)
    for _ in range(200):
        keep = rng.randint(2, 4)
        cand = digits[:keep] + "".join(rng.choice(string.digits) for _ in digits[keep:])
        num = phonenumbers.parse(cand, region)
        if phonenumbers.is_valid_number(num):
            fmt = rng.choice(
                [phonenumbers.PhoneNumberFormat.NATIONAL] * 3
                + [phonenumbers.PhoneNumberFormat.INTERNATIONAL]
            )
            return str(phonenumbers.format_number(num, fmt))
    return str(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL))


def dob(rng: random.Random, lang: str) -> tuple[str, str, str]:
    """(words before, date, words after) in ``lang``."""
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1940, 2005)
    month = MONTHS[lang][m - 1]
    if lang == "en":
        return rng.choice(
            [
                ("I was born on ", f"{month} {d}, {y}", ""),
                ("DOB: ", f"{m:02d}/{d:02d}/{y}", ""),
                ("date of birth ", f"{d} {month} {y}", ""),
            ]
        )
    if lang == "de":
        return rng.choice(
            [
                ("ich bin am ", f"{d}. {month} {y}", " geboren"),
                ("geboren am ", f"{d:02d}.{m:02d}.{y}", ""),
                ("Geburtsdatum: ", f"{d}. {month} {y}", ""),
            ]
        )
    if lang == "fr":
        return rng.choice(
            [
                ("je suis né le ", f"{d} {month} {y}", ""),
                ("née le ", f"{d:02d}/{m:02d}/{y}", ""),
                ("date de naissance : ", f"{d} {month} {y}", ""),
            ]
        )
    return rng.choice(
        [
            ("nací el ", f"{d} de {month} de {y}", ""),
            ("fecha de nacimiento: ", f"{d:02d}/{m:02d}/{y}", ""),
            ("nacida el ", f"{d} de {month} de {y}", ""),
        ]
    )


SALUTE = {
    "en": ["Dear Mr. ", "Dear Ms. ", "Hello Dr. ", "Hi Mrs. "],
    "de": ["Sehr geehrter Herr ", "Sehr geehrte Frau ", "Hallo Herr ", "Liebe Frau "],
    "fr": ["Bonjour Monsieur ", "Chère Madame ", "Cher M. ", "Bonjour Mme "],
    "es": ["Estimado Sr. ", "Estimada Sra. ", "Hola señor ", "Querida señora "],
}
NAME_FIELD = {"en": "Name: ", "de": "Name: ", "fr": "Nom : ", "es": "Nombre: "}
PHRASES = {
    "en": (
        "Please update my phone to ",
        " and my e-mail to ",
        ". My card is ",
        ", IBAN ",
        "The customer's SSN is ",
        "Ship to ",
    ),
    "de": (
        "Bitte ändern Sie meine Telefonnummer auf ",
        " und meine E-Mail auf ",
        ". Meine Karte: ",
        ", IBAN ",
        "Sozialversicherungsnummer (SSN): ",
        "Lieferadresse: ",
    ),
    "fr": (
        "Merci de mettre à jour mon numéro : ",
        " et mon e-mail : ",
        ". Ma carte : ",
        ", IBAN ",
        "Numéro SSN du client : ",
        "Adresse de livraison : ",
    ),
    "es": (
        "Por favor cambie mi teléfono a ",
        " y mi correo a ",
        ". Mi tarjeta es ",
        ", IBAN ",
        "El SSN del cliente es ",
        "Dirección de envío: ",
    ),
}


def _lang(rng: random.Random) -> str:
    return rng.choice(list(LOCALES))


def prompt(rng: random.Random) -> Segments:
    lang = _lang(rng)
    f = fake(lang, rng)
    p = PHRASES[lang]
    ctx, date, after = dob(rng, lang)
    return [
        (rng.choice(SALUTE[lang]), None),
        (f.last_name(), "person"),
        (",\n", None),
        (p[0], None),
        (phone(rng, lang), "phone"),
        (p[1], None),
        (f.email(), "email"),
        (p[2], None),
        (card(rng)[0], "card"),
        (p[3], None),
        (iban(rng), "iban"),
        (". ", None),
        (ctx, None),
        (date, "dob"),
        (after + ".\n", None),
    ]


def answer(rng: random.Random) -> Segments:
    lang = _lang(rng)
    f = fake(lang, rng)
    p = PHRASES[lang]
    out: Segments = [(NAME_FIELD[lang], None), (f.name(), "person"), ("\n", None)]
    if lang == "en" or rng.random() < 0.3:
        out += [(p[4], None), (ssn(rng), "us_ssn"), (".\n", None)]
    out += [
        (p[5], None),
        (f.street_address(), "address"),
        (", ", None),
        (f.city(), None),
        ("\n", None),
        ("order total 1", None),
        (str(rng.randint(10, 99)), None),
        (".", None),
        (str(rng.randint(10, 99)), None),
        (" EUR, ticket ", None),
        (f"#{rng.randint(100000, 999999)}", "neg:order_id"),
        ("\n", None),
    ]
    return out


def scratchpad(rng: random.Random) -> Segments:
    lang = _lang(rng)
    f = fake(lang, rng)
    return [
        ("Thought: the user ", None),
        (f.first_name() + " " + f.last_name(), None),
        (' wants a callback. Action: lookup_customer\nAction Input: {"phone": "', None),
        (phone(rng, lang), "phone"),
        ('", "email": "', None),
        (f.email(), "email"),
        ('"}\nObservation: customer ', None),
        (f"C-{rng.randint(10**5, 10**6 - 1)}", "neg:order_id"),
        (" found, created ", None),
        (f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "neg:timestamp"),
        ("\n", None),
    ]


def support_mail(rng: random.Random) -> Segments:
    lang = _lang(rng)
    f = fake(lang, rng)
    ctx, date, after = dob(rng, lang)
    return [
        (rng.choice(SALUTE[lang]), None),
        (f.last_name(), "person"),
        ("\n", None),
        (ctx[0].upper() + ctx[1:], None),
        (date, "dob"),
        (after + ", tel. ", None),
        (phone(rng, lang), "phone"),
        ("\n", None),
        (NAME_FIELD[lang], None),
        (f.name(), "person"),
        ("\n", None),
    ]


TEMPLATES: dict[str, Callable[[random.Random], Segments]] = {
    "chat.prompt": prompt,
    "chat.answer": answer,
    "chat.scratchpad": scratchpad,
    "chat.support_mail": support_mail,
}
