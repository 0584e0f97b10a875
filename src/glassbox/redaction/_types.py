"""Entity types and the :class:`Finding` record shared by every detector."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ENTITY_TYPES",
    "PII_TYPES",
    "SECRET_TYPES",
    "Finding",
]

#: Credentials: always resolved before personal data when two matches overlap.
SECRET_TYPES: tuple[str, ...] = (
    "PRIVATE_KEY",
    "OPENAI_KEY",
    "ANTHROPIC_KEY",
    "AWS_KEY",
    "GITHUB_TOKEN",
    "SLACK_TOKEN",
    "GOOGLE_KEY",
    "STRIPE_KEY",
    "JWT",
    "URL_CREDENTIALS",
    "BEARER_TOKEN",
    "SECRET",
)

#: Personal data.
PII_TYPES: tuple[str, ...] = (
    "EMAIL",
    "PHONE",
    "CREDIT_CARD",
    "IBAN",
    "US_SSN",
    "IP_ADDRESS",
    "MAC_ADDRESS",
    "CRYPTO_ADDRESS",
    "NATIONAL_ID",
    "DATE_OF_BIRTH",
    "PERSON",
    "STREET_ADDRESS",
)

#: Every entity type the engine can report, as used in tokens and in the
#: ``glassbox_redactions_total{entity_type=...}`` counter.
ENTITY_TYPES: tuple[str, ...] = SECRET_TYPES + PII_TYPES


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected value.

    Attributes:
        entity_type: One of :data:`ENTITY_TYPES`.
        start: Offset of the first character in the scanned text.
        end: Offset one past the last character.
        value: The matched text, exactly as it appeared.
        normalised: The canonical form that is hashed into the token, so that
            ``Alice@Example.com`` and ``alice@example.com`` share one token.
    """

    entity_type: str
    start: int
    end: int
    value: str
    normalised: str

    @property
    def is_secret(self) -> bool:
        """Whether this is a credential rather than personal data."""
        return self.entity_type in _SECRET_SET


_SECRET_SET = frozenset(SECRET_TYPES)
