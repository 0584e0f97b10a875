"""LLM call cost from the ``genai-prices`` data, with a user override table that wins.

``genai_prices.calc_price`` costs about 150 µs a call, too much for the hot path, so the
:class:`PriceBook` resolves each (provider, model) pair once — to per-million-token prices
by token kind, tiers included — and prices a call with a few multiplications. The tests
check that this agrees with ``calc_price``.

Token semantics follow the contract (and ``genai-prices``): ``input`` counts every input
token, cache reads and writes included; cache tokens without a price of their own are
charged at the input price; ``output`` includes reasoning tokens. Cost is split by kind:
``input`` (uncached input only), ``cache_read``, ``cache_write`` and ``output``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from glassbox._fork import new_lock
from glassbox.exceptions import ConfigError

__all__ = [
    "PRICE_CACHE_SIZE",
    "Cost",
    "ModelPrices",
    "PriceBook",
    "PriceEntry",
    "load_overrides",
    "price_table",
]

_PRICE_KINDS = ("input", "output", "cache_read", "cache_write")
_RESOLVE_TTL_SECONDS = 3600.0  # prices in the data carry validity windows
#: Resolved (provider, model) pairs kept; when full the cache starts again. Response model
#: names come from the provider, so this is what bounds memory (about 3 MB when full).
PRICE_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class Tier:
    """Above ``start`` total input tokens, the tier's price replaces the base price."""

    start: int
    price: float


@dataclass(frozen=True)
class ModelPrices:
    """USD per million tokens by kind; ``None`` where the model has no such price."""

    input: float | None
    output: float | None
    cache_read: float | None = None
    cache_write: float | None = None
    tiers: Mapping[str, tuple[Tier, ...]] | None = None

    def _price(self, kind: str, base: float | None, total_input: int) -> float:
        price = base or 0.0
        if self.tiers and kind in self.tiers:
            for tier in self.tiers[kind]:
                if total_input > tier.start:
                    price = tier.price
        return price

    def cost(
        self, input_tokens: int, output_tokens: int, cache_read: int, cache_write: int
    ) -> Cost:
        """Price one call's usage."""
        uncached = max(input_tokens - cache_read - cache_write, 0)
        if not self.tiers:  # the common case: base prices, no per-kind lookups
            input_price = self.input or 0.0
            read = self.cache_read if self.cache_read is not None else input_price
            write = self.cache_write if self.cache_write is not None else input_price
            return Cost(
                uncached * input_price / 1e6,
                output_tokens * (self.output or 0.0) / 1e6,
                cache_read * read / 1e6,
                cache_write * write / 1e6,
            )
        input_price = self._price("input", self.input, input_tokens)
        read_price = (
            self._price("cache_read", self.cache_read, input_tokens)
            if self.cache_read is not None
            else input_price
        )
        write_price = (
            self._price("cache_write", self.cache_write, input_tokens)
            if self.cache_write is not None
            else input_price
        )
        output_price = self._price("output", self.output, input_tokens)
        return Cost(
            input=uncached * input_price / 1e6,
            output=output_tokens * output_price / 1e6,
            cache_read=cache_read * read_price / 1e6,
            cache_write=cache_write * write_price / 1e6,
        )


class Cost(NamedTuple):
    """The cost of one call in USD, by token kind (a tuple: cheap to make per call)."""

    input: float = 0.0
    output: float = 0.0
    cache_read: float = 0.0
    cache_write: float = 0.0

    @property
    def total(self) -> float:
        return self.input + self.output + self.cache_read + self.cache_write

    def items(self) -> tuple[tuple[str, float], ...]:
        """``(token kind, USD)`` pairs, in contract order."""
        return tuple(zip(_PRICE_KINDS, self, strict=True))


def _as_float(value: Any) -> tuple[float | None, tuple[Tier, ...]]:
    if value is None:
        return None, ()
    if isinstance(value, Decimal | int | float):
        return float(value), ()
    base = getattr(value, "base", None)  # genai_prices.types.TieredPrices
    tiers = tuple(Tier(int(t.start), float(t.price)) for t in getattr(value, "tiers", ()))
    return (float(base) if base is not None else None), tiers


def _from_genai_prices(provider: str, model: str) -> ModelPrices | None:
    """Resolve a model's prices from the bundled ``genai-prices`` snapshot.

    This searches the providers and models directly instead of through the snapshot's
    ``find_provider_model``, which caches every model name it is asked about for ever
    (about 0.6 KB per distinct name, and response model names come from the provider).
    :class:`PriceBook` keeps the only, bounded, cache.
    """
    from genai_prices import data_snapshot  # imported by PriceBook(): no import lock here

    snapshot = data_snapshot.get_snapshot()
    lowered = model.lower()
    info = None
    own = data_snapshot.find_provider_by_id(snapshot.providers, provider)
    if own is not None:
        info = own.find_model(lowered, all_providers=snapshot.providers)
    if info is None:  # the provider id may differ from ours (e.g. "azure.ai.openai"): by model
        for candidate in snapshot.providers:
            matcher = candidate.model_match
            if matcher is not None and matcher.is_match(lowered):
                info = candidate.find_model(lowered, all_providers=snapshot.providers)
                break
    if info is None:
        return None
    model_price = info.get_prices(datetime.now(tz=UTC))
    values: dict[str, float | None] = {}
    tiers: dict[str, tuple[Tier, ...]] = {}
    for kind in _PRICE_KINDS:
        base, kind_tiers = _as_float(getattr(model_price, f"{kind}_mtok", None))
        values[kind] = base
        if kind_tiers:
            tiers[kind] = kind_tiers
    if values["input"] is None and values["output"] is None:
        return None  # priced per request, image or second only: not a token price
    return ModelPrices(tiers=tiers or None, **values)


def load_overrides(source: Mapping[str, Any] | str | Path | None) -> dict[str, ModelPrices]:
    """Read a price override table from a mapping or a YAML file.

    The table maps ``model`` or ``provider/model`` to USD per million tokens::

        my-finetune: {input: 0.30, output: 1.20}
        openai/gpt-4o-mini: {input: 0.15, output: 0.60, cache_read: 0.075}

    Raises:
        ConfigError: The file is unreadable or an entry is malformed; the message names
            the entry and the expected shape.
    """
    if source is None:
        return {}
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ConfigError("prices", str(path), f"a readable YAML price table ({exc})") from exc
        if not isinstance(loaded, Mapping):
            raise ConfigError("prices", str(path), "a YAML mapping of model to prices")
        source = loaded
    table: dict[str, ModelPrices] = {}
    for key, entry in source.items():
        if isinstance(entry, ModelPrices):
            table[str(key).lower()] = entry
            continue
        if not isinstance(entry, Mapping) or not set(entry) <= set(_PRICE_KINDS) or not entry:
            raise ConfigError(
                f"prices[{key!r}]",
                repr(entry),
                f"a mapping with keys among {', '.join(_PRICE_KINDS)} (USD per million tokens)",
            )
        try:
            prices = {kind: (None if v is None else float(v)) for kind, v in entry.items()}
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"prices[{key!r}]", repr(entry), "numeric prices") from exc
        if any(v is not None and v < 0 for v in prices.values()):
            raise ConfigError(f"prices[{key!r}]", repr(entry), "prices of zero or more")
        table[str(key).lower()] = ModelPrices(
            input=prices.get("input"),
            output=prices.get("output"),
            cache_read=prices.get("cache_read"),
            cache_write=prices.get("cache_write"),
        )
    return table


class PriceBook:
    """Prices of (provider, model) pairs: overrides first, then ``genai-prices``.

    Lookups are cached; an unknown model is cached as unknown too, so the hot path never
    searches the price data twice for the same pair within the cache lifetime. The cache
    holds at most :data:`PRICE_CACHE_SIZE` pairs, so any number of distinct model names
    costs bounded memory.

    Args:
        overrides: The user's price table (see :func:`load_overrides`).
    """

    def __init__(self, overrides: Mapping[str, ModelPrices] | None = None) -> None:
        # Import the price data now, at init(): importing it on the first call would hold
        # an import lock that a fork() in another thread could leave held in the child.
        from genai_prices import data_snapshot

        data_snapshot.get_snapshot()
        self._overrides = dict(overrides or {})
        self._cache: dict[tuple[str, str], tuple[ModelPrices | None, float]] = {}
        self._lock = new_lock()

    def prices(self, provider: str, model: str) -> ModelPrices | None:
        """The prices of ``model`` at ``provider``, or ``None`` if unknown."""
        key = (provider, model)
        cached = self._cache.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[1] < _RESOLVE_TTL_SECONDS:
            return cached[0]
        resolved = self._resolve(provider, model)
        with self._lock:
            if len(self._cache) >= PRICE_CACHE_SIZE:  # model names are unbounded; memory is not
                self._cache.clear()
            self._cache[key] = (resolved, now)
        return resolved

    def _resolve(self, provider: str, model: str) -> ModelPrices | None:
        lowered = model.lower()
        override = self._overrides.get(f"{provider.lower()}/{lowered}") or self._overrides.get(
            lowered
        )
        if override is not None:
            return override
        if not model:
            return None
        return _from_genai_prices(provider, model)

    def cost(
        self,
        provider: str,
        model: str,
        *,
        input_tokens: int = 0,
        output_tokens: int = 0,
        cache_read_tokens: int = 0,
        cache_write_tokens: int = 0,
    ) -> Cost | None:
        """The cost of one call, or ``None`` when the model has no known price."""
        prices = self.prices(provider, model)
        if prices is None:
            return None
        return prices.cost(input_tokens, output_tokens, cache_read_tokens, cache_write_tokens)


@dataclass(frozen=True)
class PriceEntry:
    """One row of the price table: USD per token of one kind for one exact model name."""

    provider: str
    model: str
    token_type: str
    usd_per_token: float


def _exact_names(clause: Any) -> list[str]:
    """The exact model names a ``genai-prices`` match clause accepts (``equals`` leaves)."""
    names = [clause.equals] if getattr(clause, "equals", None) else []
    for key in ("or_", "and_"):
        for sub in getattr(clause, key, None) or ():
            names.extend(_exact_names(sub))
    return names


def price_table(providers: tuple[str, ...]) -> list[PriceEntry]:
    """The current token prices of ``providers``' models, from the ``genai-prices`` data.

    Built for cost computed outside the SDK (the mixin's recording rules multiply token
    rates by it), so it follows the contract's token semantics: ``input`` counts cache
    reads and writes too, so ``cache_read``/``cache_write`` carry the *difference* to the
    input price (usually negative for reads) and ``output`` includes reasoning tokens.
    Each model is listed under its id and every exact name its match rule accepts;
    deprecated models and models priced other than per token are left out. Tiered prices
    use their base price.

    Args:
        providers: ``genai-prices`` provider ids, e.g. ``("openai", "anthropic")``.

    Returns:
        Entries sorted by provider, model and token type; one per (provider, model, kind).

    Raises:
        ConfigError: A provider id is not in the price data; the message lists the known ids.
    """
    from datetime import UTC, datetime

    from genai_prices import data_snapshot

    known = {p.id: p for p in data_snapshot.get_snapshot().providers}
    now = datetime.now(tz=UTC)
    table: dict[tuple[str, str, str], float] = {}
    for provider_id in providers:
        if provider_id not in known:
            raise ConfigError("prices.providers", provider_id, f"one of {', '.join(sorted(known))}")
        for model in known[provider_id].models:
            if getattr(model, "deprecated", False):
                continue
            prices = model.get_prices(now)
            input_price, _ = _as_float(getattr(prices, "input_mtok", None))
            output_price, _ = _as_float(getattr(prices, "output_mtok", None))
            if input_price is None or output_price is None:
                continue
            per_kind = {"input": input_price, "output": output_price}
            for kind in ("cache_read", "cache_write"):
                price, _ = _as_float(getattr(prices, f"{kind}_mtok", None))
                if price is not None and price != input_price:
                    per_kind[kind] = price - input_price
            for name in dict.fromkeys([model.id, *_exact_names(model.match)]):
                for kind, usd_per_mtok in per_kind.items():
                    table.setdefault((provider_id, name.lower(), kind), usd_per_mtok / 1e6)
    return [PriceEntry(p, m, k, v) for (p, m, k), v in sorted(table.items())]
