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
_KECCAK_ROT = (
    (0, 36, 3, 41, 18), (1, 44, 10, 45, 2), (62, 6, 43, 15, 61),
    (28, 55, 25, 21, 56), (27, 20, 39, 8, 14),
)  # fmt: skip
_M64 = (1 << 64) - 1


def _keccak_f(a: list[list[int]]) -> None:
    for rc in _KECCAK_RC:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [
            c[(x - 1) % 5] ^ ((c[(x + 1) % 5] << 1 | c[(x + 1) % 5] >> 63) & _M64) for x in range(5)
        ]
        for x in range(5):
            for y in range(5):
                a[x][y] ^= d[x]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                r = _KECCAK_ROT[x][y]
                v = a[x][y]
                b[y][(2 * x + 3 * y) % 5] = ((v << r) | (v >> (64 - r))) & _M64 if r else v
        for x in range(5):
            for y in range(5):
                a[x][y] = b[x][y] ^ (~b[(x + 1) % 5][y] & b[(x + 2) % 5][y])
        a[0][0] ^= rc


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as used by Ethereum (the pre-SHA-3 padding, not ``hashlib.sha3_256``)."""
    rate = 136
    msg = bytearray(data) + b"\x01"
    msg += b"\x00" * (-len(msg) % rate)
    msg[-1] |= 0x80
    state = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        block = msg[off : off + rate]
        for i in range(rate // 8):
            state[i % 5][i // 5] ^= int.from_bytes(block[i * 8 : i * 8 + 8], "little")
        _keccak_f(state)
    out = b"".join(state[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out


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
