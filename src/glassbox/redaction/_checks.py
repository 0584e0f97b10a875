"""Checksums and structural validators that turn regex candidates into findings.

Every function here is pure, total (never raises on any ``str``) and cheap: they run
only on candidates that a pattern already matched.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
import math
from collections import Counter
from functools import lru_cache
from importlib import resources

__all__ = [
    "base58check_ok",
    "bech32_ok",
    "card_ok",
    "eip55_ok",
    "iban_ok",
    "is_email_domain",
    "jwt_ok",
    "keccak256",
    "luhn_ok",
    "shannon_entropy",
    "us_ssn_ok",
]


def luhn_ok(digits: str) -> bool:
    """Whether a string of ASCII digits passes the Luhn (mod 10) check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# (prefix range low, high, allowed lengths): issuer identification numbers.
_CARD_RANGES: tuple[tuple[int, int, int, frozenset[int]], ...] = (
    # (prefix length, low, high, lengths)
    (1, 4, 4, frozenset({13, 16, 19})),  # Visa
    (2, 51, 55, frozenset({16})),  # Mastercard
    (4, 2221, 2720, frozenset({16})),  # Mastercard 2-series
    (2, 34, 34, frozenset({15})),  # American Express
    (2, 37, 37, frozenset({15})),
    (4, 6011, 6011, frozenset({16, 19})),  # Discover
    (3, 644, 649, frozenset({16, 19})),
    (2, 65, 65, frozenset({16, 19})),
    (2, 35, 35, frozenset({16, 17, 18, 19})),  # JCB (3528-3589 assigned; 35xx accepted)
    (3, 300, 305, frozenset({14, 16, 19})),  # Diners Club
    (2, 36, 36, frozenset({14, 16, 19})),
    (2, 38, 39, frozenset({14, 16, 19})),
    (2, 62, 62, frozenset({16, 17, 18, 19})),  # UnionPay
    (2, 50, 50, frozenset({12, 13, 14, 15, 16, 17, 18, 19})),  # Maestro
    (2, 56, 58, frozenset({12, 13, 14, 15, 16, 17, 18, 19})),
    (2, 67, 67, frozenset({12, 13, 14, 15, 16, 17, 18, 19})),
)


def card_ok(digits: str) -> bool:
    """Whether ``digits`` is a plausible payment card number.

    Checks the issuer range, the length allowed for that issuer and the Luhn digit.
    """
    n = len(digits)
    for plen, low, high, lengths in _CARD_RANGES:
        if n in lengths and low <= int(digits[:plen]) <= high:
            return luhn_ok(digits)
    return False


# IBAN length per country (SWIFT IBAN registry).
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


def iban_ok(compact: str) -> bool:
    """Whether an upper-case IBAN without spaces has its country's length and mod-97 = 1."""
    if _IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def us_ssn_ok(area: str, group: str, serial: str) -> bool:
    """Whether the three parts form an SSN the SSA could have issued."""
    a = int(area)
    return a != 0 and a != 666 and a < 900 and group != "00" and serial != "0000"


def shannon_entropy(text: str) -> float:
    """Shannon entropy of ``text`` in bits per character (0 for empty text)."""
    n = len(text)
    if not n:
        return 0.0
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def jwt_ok(token: str) -> bool:
    """Whether ``token`` looks like a JWS: its header decodes to a JSON object with ``alg``."""
    try:
        header = json.loads(_b64url_decode(token.split(".", 1)[0]))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return False
    return isinstance(header, dict) and "alg" in header


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}


def base58check_ok(address: str) -> bool:
    """Whether a Base58Check string (legacy Bitcoin address) has a valid checksum."""
    num = 0
    for ch in address:
        idx = _B58_INDEX.get(ch)
        if idx is None:
            return False
        num = num * 58 + idx
    pad = len(address) - len(address.lstrip("1"))
    raw = b"\x00" * pad + num.to_bytes((num.bit_length() + 7) // 8, "big")
    if len(raw) != 25:
        return False
    payload, check = raw[:-4], raw[-4:]
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == check


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def bech32_ok(address: str) -> bool:
    """Whether a SegWit address (``bc1…``) carries a valid bech32 or bech32m checksum."""
    address = address.lower()
    hrp, sep, data = address.rpartition("1")
    if not sep or not hrp or len(data) < 6:
        return False
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    for ch in data:
        idx = _BECH32.find(ch)
        if idx < 0:
            return False
        values.append(idx)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= _BECH32_GEN[i]
    return chk in (1, 0x2BC830A3)  # bech32, bech32m


_KECCAK_RC = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip
# Rotation offsets and pi-step destinations for lane i = x + 5*y, precomputed once.
_KECCAK_ROT = (
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
)  # fmt: skip
_KECCAK_PI = tuple(((i // 5) + 5 * ((2 * (i % 5) + 3 * (i // 5)) % 5)) for i in range(25))
_M64 = (1 << 64) - 1


def _keccak_f(a: list[int]) -> None:
    rot, pi, m64 = _KECCAK_ROT, _KECCAK_PI, _M64
    b = [0] * 25
    for rc in _KECCAK_RC:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        for x in range(5):
            c1 = c[(x + 1) % 5]
            d = c[(x - 1) % 5] ^ (((c1 << 1) | (c1 >> 63)) & m64)
            for y in range(0, 25, 5):
                a[x + y] ^= d
        for i in range(25):
            r = rot[i]
            v = a[i]
            b[pi[i]] = ((v << r) | (v >> (64 - r))) & m64 if r else v
        for y in range(0, 25, 5):
            b0, b1, b2, b3, b4 = b[y], b[y + 1], b[y + 2], b[y + 3], b[y + 4]
            a[y] = b0 ^ (~b1 & b2)
            a[y + 1] = b1 ^ (~b2 & b3)
            a[y + 2] = b2 ^ (~b3 & b4)
            a[y + 3] = b3 ^ (~b4 & b0)
            a[y + 4] = b4 ^ (~b0 & b1)
        a[0] ^= rc


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as used by Ethereum (the pre-SHA-3 padding, not ``hashlib.sha3_256``)."""
    rate = 136
    msg = bytearray(data) + b"\x01"
    msg += b"\x00" * (-len(msg) % rate)
    msg[-1] |= 0x80
    state = [0] * 25
    for off in range(0, len(msg), rate):
        for i in range(rate // 8):
            state[i] ^= int.from_bytes(msg[off + i * 8 : off + i * 8 + 8], "little")
        _keccak_f(state)
    return b"".join(state[i].to_bytes(8, "little") for i in range(4))


def eip55_ok(address: str) -> bool:
    """Whether a mixed-case ``0x…`` Ethereum address carries a valid EIP-55 checksum."""
    body = address[2:]
    digest = keccak256(body.lower().encode()).hex()
    for ch, h in zip(body, digest[: len(body)], strict=True):
        if ch.isalpha() and ch.isupper() != (int(h, 16) >= 8):
            return False
    return True


@lru_cache(maxsize=1)
def _public_suffixes() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Rules of the bundled Public Suffix List: (exact, wildcard parents, exceptions)."""
    blob = resources.files("glassbox.redaction").joinpath("data/public_suffix_list.dat.gz")
    text = gzip.decompress(blob.read_bytes()).decode("utf-8")
    exact: set[str] = set()
    wild: set[str] = set()
    exc: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        rule = line.split()[0].lower()
        if rule.startswith("!"):
            exc.add(rule[1:])
        elif rule.startswith("*."):
            wild.add(rule[2:])
        else:
            exact.add(rule)
    return frozenset(exact), frozenset(wild), frozenset(exc)


@lru_cache(maxsize=4096)  # domains repeat far more than addresses do
def is_email_domain(domain: str) -> bool:
    """Whether ``domain`` has a registrable name under a known public suffix.

    ``example.co.uk`` is accepted; ``localhost``, ``foo.local``, ``image.png`` and a
    bare suffix such as ``co.uk`` are not.
    """
    labels = domain.lower().rstrip(".").split(".")
    if len(labels) < 2:
        return False
    exact, wild, exc = _public_suffixes()
    if labels[-1] not in exact and labels[-1] not in wild:
        return False
    # Longest matching suffix rule, per the PSL algorithm.
    suffix_len = 1
    for i in range(len(labels) - 1, -1, -1):
        candidate = ".".join(labels[i:])
        if candidate in exc:
            suffix_len = len(labels) - i - 1
            break
        if candidate in exact:
            suffix_len = len(labels) - i
        parent = ".".join(labels[i + 1 :])
        if i + 1 < len(labels) and parent in wild:
            suffix_len = max(suffix_len, len(labels) - i)
    return len(labels) > suffix_len
