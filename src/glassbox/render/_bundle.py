"""A generated deployment as data: its files, and the secret files it needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Bundle", "Kind"]

Kind = Literal["compose", "k8s"]


@dataclass(frozen=True)
class Bundle:
    """Everything ``glassbox deploy`` writes, as data.

    Attributes:
        kind: ``compose`` or ``k8s``.
        env: The decisions-file environment it was generated for.
        files: Text files by path relative to the output directory.
        generated_secrets: Secret files filled with a random value the first time they
            are written and never overwritten (Grafana's admin password).
        external_secrets: Secret files the operator must fill in (receiver credentials
            such as a Slack webhook URL); created empty, never overwritten.
    """

    kind: Kind
    env: str
    files: dict[str, str]
    generated_secrets: tuple[str, ...] = ()
    external_secrets: tuple[str, ...] = ()
