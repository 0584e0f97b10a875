from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from genai_prices import Usage, calc_price

import glassbox
from glassbox._cost import PriceBook, load_overrides
from glassbox.testing import Telemetry, capture


@pytest.mark.parametrize(
    ("provider", "model", "usage"),
    [
        ("openai", "gpt-4o-mini", {"input_tokens": 1000, "output_tokens": 100}),
        (
            "openai",
            "gpt-4o-mini",
            {"input_tokens": 1000, "output_tokens": 100, "cache_read_tokens": 600},
        ),
        (
            "openai",
            "gpt-3.5-turbo",
            {"input_tokens": 1000, "output_tokens": 10, "cache_read_tokens": 500},
        ),
        (
            "anthropic",
            "claude-sonnet-4-5",
            {
                "input_tokens": 5000,
                "output_tokens": 700,
                "cache_read_tokens": 3000,
                "cache_write_tokens": 1000,
            },
        ),
        # above the 200k-token tier: every kind switches to the tier price
        (
            "anthropic",
            "claude-sonnet-4-5",
            {"input_tokens": 250_000, "output_tokens": 1000, "cache_read_tokens": 100_000},
        ),
        ("openai", "text-embedding-3-small", {"input_tokens": 4096}),
    ],
)
def test_fast_prices_agree_with_genai_prices(
    provider: str, model: str, usage: dict[str, int]
) -> None:
    expected = calc_price(Usage(**usage), model, provider_id=provider).total_price
    cost = PriceBook().cost(provider, model, **usage)
    assert cost is not None
    assert Decimal(str(cost.total)).quantize(Decimal("1e-12")) == expected.quantize(
        Decimal("1e-12")
    )


def test_cost_split_by_token_kind() -> None:
    cost = PriceBook().cost(
        "openai", "gpt-4o-mini", input_tokens=1000, output_tokens=100, cache_read_tokens=600
    )
    assert cost is not None
    assert cost.input == pytest.approx(400 * 0.15 / 1e6)  # uncached input only
    assert cost.cache_read == pytest.approx(600 * 0.075 / 1e6)
    assert cost.output == pytest.approx(100 * 0.6 / 1e6)
    assert cost.cache_write == 0


def test_unknown_model_has_no_price() -> None:
    assert PriceBook().cost("openai", "no-such-model-xyz", input_tokens=10) is None


def test_override_wins_over_data_and_prices_unknown_models() -> None:
    book = PriceBook(
        load_overrides(
            {"openai/gpt-4o-mini": {"input": 1.0, "output": 2.0}, "my-finetune": {"input": 3.0}}
        )
    )
    cost = book.cost("openai", "gpt-4o-mini", input_tokens=1_000_000, output_tokens=1_000_000)
    assert cost is not None
    assert cost.total == pytest.approx(3.0)
    finetune = book.cost("anyprovider", "My-Finetune", input_tokens=2_000_000)
    assert finetune is not None
    assert finetune.total == pytest.approx(6.0)


def test_overrides_from_yaml_file(tmp_path: Path) -> None:
    table = tmp_path / "prices.yaml"
    table.write_text("my-model: {input: 0.5, output: 1.5, cache_read: 0.05}\n")
    book = PriceBook(load_overrides(table))
    cost = book.cost(
        "local",
        "my-model",
        input_tokens=2_000_000,
        cache_read_tokens=1_000_000,
        output_tokens=1_000_000,
    )
    assert cost is not None
    assert cost.total == pytest.approx(0.5 + 0.05 + 1.5)


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"m": {"inptu": 1.0}}, "prices['m']"),
        ({"m": {"input": "cheap"}}, "numeric prices"),
        ({"m": {"input": -1}}, "zero or more"),
        ({"m": 3}, "a mapping with keys"),
    ],
)
def test_bad_override_names_the_entry(table: dict[str, object], fragment: str) -> None:
    with pytest.raises(glassbox.ConfigError, match="invalid") as info:
        load_overrides(table)
    assert fragment in str(info.value)


def test_call_cost_is_counted_by_kind_and_attribution(telemetry: Telemetry) -> None:
    with (
        glassbox.attributes(team="search", tenant="acme"),
        glassbox.llm_call("openai", "gpt-4o-mini") as call,
    ):
        call.set_usage(input_tokens=1000, output_tokens=100, cache_read_tokens=600)
    value = telemetry.value
    labels = {"gen_ai_request_model": "gpt-4o-mini", "team": "search", "tenant": "acme"}
    assert value(
        "glassbox_llm_cost_usd_total", gen_ai_token_type="input", **labels
    ) == pytest.approx(400 * 0.15 / 1e6)
    assert value(
        "glassbox_llm_cost_usd_total", gen_ai_token_type="cache_read", **labels
    ) == pytest.approx(600 * 0.075 / 1e6)
    assert value(
        "glassbox_llm_cost_usd_total", gen_ai_token_type="output", **labels
    ) == pytest.approx(100 * 0.6 / 1e6)
    assert value("glassbox_llm_unpriced_calls_total") == 0


def test_unknown_model_is_counted_as_unpriced_never_zero_cost(telemetry: Telemetry) -> None:
    with glassbox.llm_call("openai", "mystery-model-1") as call:
        call.set_usage(input_tokens=1000, output_tokens=100)
    assert (
        telemetry.value("glassbox_llm_unpriced_calls_total", gen_ai_request_model="mystery-model-1")
        == 1
    )
    assert telemetry.series("glassbox_llm_cost_usd_total") == []
    (span,) = telemetry.spans()
    assert span.attributes is not None
    assert span.attributes["glassbox.cost.unpriced"] is True
    assert "glassbox.cost.usd" not in span.attributes


def test_init_prices_override_is_used() -> None:
    with capture(prices={"mystery-model-1": {"input": 10.0, "output": 20.0}}) as telemetry:
        with glassbox.llm_call("openai", "mystery-model-1") as call:
            call.set_usage(input_tokens=100_000, output_tokens=50_000)
        assert telemetry.value("glassbox_llm_cost_usd_total") == pytest.approx(1.0 + 1.0)
        assert telemetry.value("glassbox_llm_unpriced_calls_total") == 0


def test_attribution_labels_can_be_restricted() -> None:
    with capture(attribution_labels=["team"]) as telemetry:
        with (
            glassbox.attributes(team="search", tenant="acme"),
            glassbox.llm_call("openai", "gpt-4o-mini") as call,
        ):
            call.set_usage(input_tokens=10, output_tokens=10)
        tenants = {s["tenant"] for s in telemetry.series("glassbox_llm_cost_usd_total")}
        teams = {s["team"] for s in telemetry.series("glassbox_llm_cost_usd_total")}
        assert tenants == {""}
        assert teams == {"search"}
