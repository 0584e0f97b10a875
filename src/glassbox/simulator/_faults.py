"""Fault injection: what the simulator does wrong, changeable while it runs."""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from glassbox.exceptions import FaultsError

__all__ = ["Decision", "Faults", "FaultsError"]


@dataclass(frozen=True)
class Faults:
    """The faults the simulator injects. The default injects none.

    Attributes:
        error_rates: Probability per HTTP status (400–599) that a request fails with it,
            e.g. ``{429: 0.3, 503: 0.05}``; the probabilities must sum to at most 1.
            429 responses carry ``retry-after`` (and ``retry-after-ms``).
        retry_after: Seconds sent in ``retry-after`` on 429 responses.
        latency_multiplier: Factor on every simulated delay (2.0 = twice as slow).
        extra_latency: Seconds added before answering, in real time (not scaled by
            the simulator's ``time_scale``): use it to trigger client timeouts.
        outage: Every request fails with 503.
        truncate_rate: Probability that a streamed response is cut off mid-way (the
            connection drops without the terminating chunk).
        malformed_rate: Probability that a response body (or one stream event) is
            invalid JSON.
        omit_usage: Leave token usage out of every response.
        unknown_fields: Add fields no client knows to responses and usage objects.
    """

    error_rates: dict[int, float] = field(default_factory=dict)
    retry_after: float = 1.0
    latency_multiplier: float = 1.0
    extra_latency: float = 0.0
    outage: bool = False
    truncate_rate: float = 0.0
    malformed_rate: float = 0.0
    omit_usage: bool = False
    unknown_fields: bool = False

    def __post_init__(self) -> None:
        for status, rate in self.error_rates.items():
            if not isinstance(status, int) or not 400 <= status <= 599:
                raise FaultsError(
                    f"error_rates: status {status!r} is not an HTTP error status (400-599)"
                )
            _check_probability(f"error_rates[{status}]", rate)
        total = sum(self.error_rates.values())
        if total > 1.0 + 1e-9:
            raise FaultsError(
                f"error_rates: probabilities sum to {total:g}; they must sum to at most 1"
            )
        _check_probability("truncate_rate", self.truncate_rate)
        _check_probability("malformed_rate", self.malformed_rate)
        for name in ("retry_after", "latency_multiplier", "extra_latency"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise FaultsError(f"{name}: {value!r} must be a finite number >= 0")

    def to_json(self) -> dict[str, Any]:
        """The faults as JSON-ready data (status codes become string keys)."""
        data = asdict(self)
        data["error_rates"] = {str(k): v for k, v in sorted(self.error_rates.items())}
        return data

    @classmethod
    def from_json(cls, data: Any, base: Faults | None = None) -> Faults:
        """Build faults from JSON data, starting from ``base`` (default: no faults).

        Args:
            data: A mapping of field names to values; absent fields keep ``base``'s.
            base: The faults to update.

        Returns:
            The new faults.

        Raises:
            FaultsError: Unknown field or invalid value.
        """
        if not isinstance(data, dict):
            raise FaultsError(f"faults must be a JSON object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise FaultsError(f"unknown fault field(s) {unknown}; known: {sorted(known)}")
        values = dict(data)
        if "error_rates" in values:
            rates = values["error_rates"]
            if not isinstance(rates, dict):
                raise FaultsError(f"error_rates must be an object of status -> rate, got {rates!r}")
            try:
                values["error_rates"] = {int(k): float(v) for k, v in rates.items()}
            except (TypeError, ValueError) as exc:
                raise FaultsError(f"error_rates: {rates!r} is not status -> rate ({exc})") from None
        for name in ("outage", "omit_usage", "unknown_fields"):
            if name in values and not isinstance(values[name], bool):
                raise FaultsError(f"{name}: {values[name]!r} must be true or false")
        return replace(base or cls(), **values)

    def decide(self, rng: random.Random, *, stream: bool) -> Decision:
        """Draw this request's faults.

        Args:
            rng: The request's random source (deterministic under the seed).
            stream: Whether the request streams (only streams can be truncated).

        Returns:
            What to do wrong with this request.
        """
        if self.outage:
            return Decision(status=503)
        draw = rng.random()
        for status, rate in sorted(self.error_rates.items()):
            if draw < rate:
                return Decision(status=status)
            draw -= rate
        truncate = stream and rng.random() < self.truncate_rate
        malformed = rng.random() < self.malformed_rate
        return Decision(truncate=truncate, malformed=malformed)


@dataclass(frozen=True)
class Decision:
    """The faults drawn for one request."""

    status: int | None = None
    truncate: bool = False
    malformed: bool = False


def _check_probability(name: str, value: Any) -> None:
    if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise FaultsError(f"{name}: {value!r} is not a probability between 0 and 1")
