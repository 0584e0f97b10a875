"""Checksums and validators, against published test vectors."""

from __future__ import annotations

import pytest

from glassbox.redaction._checks import (
    base58check_ok,
    bech32_ok,
    card_ok,
    eip55_ok,
    iban_ok,
    is_email_domain,
    jwt_ok,
    keccak256,
    luhn_ok,
    shannon_entropy,
    us_ssn_ok,
)


def test_luhn_and_card_issuer_ranges() -> None:
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398710")
    assert card_ok("4111111111111111")  # Visa
    assert card_ok("378282246310005")  # Amex, 15 digits
    assert card_ok("2223000048400011")  # Mastercard 2-series
    assert not card_ok("4111111111111112")  # Luhn fails
    assert not card_ok("9111111111111111")  # no issuer starts with 9
    assert not card_ok("37828224631000")  # Amex must have 15 digits


def test_us_ssn_rules() -> None:
    assert us_ssn_ok("078", "05", "1120")
    for area, group, serial in [
        ("000", "12", "3456"),
        ("666", "12", "3456"),
        ("901", "12", "3456"),
    ]:
        assert not us_ssn_ok(area, group, serial)
    assert not us_ssn_ok("123", "00", "4567")
    assert not us_ssn_ok("123", "45", "0000")


def test_keccak_and_eip55_vectors() -> None:
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert eip55_ok("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    assert eip55_ok("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")
    assert not eip55_ok("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")


def test_bitcoin_address_checksums() -> None:
    assert base58check_ok("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")
    assert base58check_ok("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")
    assert not base58check_ok("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3")
    assert not base58check_ok("0OIl")  # not base58
    assert bech32_ok("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")  # bech32
    assert bech32_ok("bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297")  # bech32m
    assert not bech32_ok("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx")


@pytest.mark.parametrize(
    ("domain", "ok"),
    [
        ("example.com", True),
        ("mail.example.co.uk", True),
        ("gmail.com", True),
        ("co.uk", False),  # a public suffix alone is not registrable
        ("localhost", False),
        ("image.png", False),  # not a TLD
        ("foo.local", False),
    ],
)
def test_email_domains_use_the_bundled_public_suffix_list(domain: str, ok: bool) -> None:
    assert is_email_domain(domain) is ok


def test_jwt_header_must_be_json_with_alg() -> None:
    assert jwt_ok("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln")
    assert not jwt_ok("eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.c2ln")  # {"typ":"JWT"}: no alg
    assert not jwt_ok("eyJ!!!.x.y")


def test_entropy() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == pytest.approx(2.0)


def test_iban_country_length_and_mod97() -> None:
    assert iban_ok("DE89370400440532013000")
    assert iban_ok("GB82WEST12345698765432")
    assert iban_ok("NO9386011117947")  # shortest in use
    assert not iban_ok("DE89370400440532013001")  # check digits fail
    assert not iban_ok("DE8937040044053201300")  # wrong length for DE
    assert not iban_ok("ZZ89370400440532013000")  # unknown country
