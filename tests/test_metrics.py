from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, generate_latest

from glassbox import semconv
from glassbox._metrics import Metrics


def test_every_contract_metric_is_registered() -> None:
    registry = CollectorRegistry()
    Metrics(registry)
    names = {metric.name for metric in registry.collect()}
    for spec in semconv.ALL_METRICS:
        expected = spec.name  # prometheus_client reports counter families without _total
        assert expected in names, spec.name


def test_values_past_the_budget_fold_into_other_and_are_counted() -> None:
    registry = CollectorRegistry()
    metrics = Metrics(registry, budgets={semconv.REQUEST_MODEL: 2})
    for model in ["a", "b", "c", "d", "a"]:
        metrics.child(semconv.LLM_RETRIES, "openai", model).inc()
    value = registry.get_sample_value
    assert (
        value(
            "glassbox_llm_retries_total",
            {"gen_ai_provider_name": "openai", "gen_ai_request_model": "a"},
        )
        == 2
    )
    assert (
        value(
            "glassbox_llm_retries_total",
            {"gen_ai_provider_name": "openai", "gen_ai_request_model": "b"},
        )
        == 1
    )
    assert (
        value(
            "glassbox_llm_retries_total",
            {"gen_ai_provider_name": "openai", "gen_ai_request_model": "other"},
        )
        == 2
    )
    assert (
        value(
            "glassbox_llm_retries_total",
            {"gen_ai_provider_name": "openai", "gen_ai_request_model": "c"},
        )
        is None
    )
    assert value("glassbox_cardinality_folded_total", {"label": "gen_ai_request_model"}) == 2


def test_closed_label_sets_accept_only_their_values() -> None:
    registry = CollectorRegistry()
    metrics = Metrics(registry)
    metrics.child(semconv.CACHE_REQUESTS, "emb", "hit").inc()
    metrics.child(semconv.CACHE_REQUESTS, "emb", "bogus").inc()
    assert (
        registry.get_sample_value(
            "glassbox_cache_requests_total", {"cache": "emb", "result": "hit"}
        )
        == 1
    )
    assert (
        registry.get_sample_value(
            "glassbox_cache_requests_total", {"cache": "emb", "result": "other"}
        )
        == 1
    )
    assert registry.get_sample_value("glassbox_cardinality_folded_total", {"label": "result"}) == 1


def test_empty_value_never_counts_against_the_budget() -> None:
    metrics = Metrics(CollectorRegistry(), budgets={semconv.TENANT: 1})
    labels = ("chat", "openai", "m", "input", "")
    metrics.child(semconv.LLM_COST, *labels, "", "").inc()
    metrics.child(semconv.LLM_COST, *labels, "acme", "").inc()
    assert metrics.guard.seen(semconv.TENANT) >= {"", "acme"}


def test_children_are_cached() -> None:
    metrics = Metrics(CollectorRegistry())
    assert metrics.child(semconv.QUEUE_DEPTH, "q") is metrics.child(semconv.QUEUE_DEPTH, "q")


_AMOUNTS = st.one_of(
    st.floats(min_value=0, max_value=1e7, allow_nan=False),
    st.integers(min_value=0, max_value=2_000_000),
    st.sampled_from([0.0, 0.005, 0.01, 1.0, 2.5, 10.0, 1e9, float("inf"), float("nan")]),
)


@settings(max_examples=200, deadline=None)
@given(
    amounts=st.lists(st.tuples(_AMOUNTS, st.booleans()), min_size=1, max_size=20),
    spec=st.sampled_from([semconv.LLM_DURATION, semconv.LLM_TOKEN_USAGE, semconv.LLM_COST]),
)
def test_series_updates_expose_what_the_public_methods_expose(
    amounts: list[tuple[float, bool]], spec: semconv.MetricSpec
) -> None:
    """Series writes prometheus_client's values directly: the exposition must not differ."""
    from prometheus_client.openmetrics.exposition import generate_latest as openmetrics

    values = tuple(f"v{i}" for i in range(len(spec.labels)))
    direct, public = Metrics(CollectorRegistry()), Metrics(CollectorRegistry())
    series, child = direct.series(spec, *values), public.child(spec, *values)
    assert series.direct  # else this would compare the public methods with themselves
    exemplar = {"trace_id": "0af7651916cd43dd8448eb211c80319c"}
    for amount, with_exemplar in amounts:
        if spec.type is semconv.MetricType.COUNTER and amount != amount:
            continue  # a NaN counter increment is nobody's input
        chosen = exemplar if with_exemplar else None
        if spec.type is semconv.MetricType.HISTOGRAM:
            series.observe(amount, chosen)
            child.observe(amount, chosen)
        else:
            series.inc(amount, chosen)
            child.inc(amount, chosen)

    def text(metrics: Metrics) -> list[str]:
        lines = openmetrics(metrics.registry).decode().splitlines()
        # exemplar and creation timestamps differ between the two runs
        return [line.split(" # ")[0] for line in lines if "_created" not in line] + [
            str("# {" in line) for line in lines
        ]

    assert text(direct) == text(public)
    assert generate_latest(direct.registry).count(b"\n") == generate_latest(public.registry).count(
        b"\n"
    )


def test_a_series_falls_back_to_the_public_methods_for_what_it_does_not_handle() -> None:
    metrics = Metrics(CollectorRegistry())
    series = metrics.series(semconv.LLM_TOKENS, "chat", "openai", "m", "input")
    with pytest.raises(ValueError, match="non-negative"):
        series.inc(-1)  # refused as Counter.inc refuses it
    gauge = metrics.series(semconv.LLM_IN_FLIGHT, "openai", "m")
    gauge.inc()
    gauge.inc()
    gauge.dec()
    exposition = generate_latest(metrics.registry).decode()
    assert 'glassbox_llm_calls_in_flight{gen_ai_provider_name="openai"' in exposition
    assert "} 1.0" in exposition.split("glassbox_llm_calls_in_flight{")[1]


@settings(max_examples=100, deadline=None)
@given(amounts=st.lists(st.floats(min_value=0, max_value=1e4, allow_nan=False), max_size=30))
def test_observe_many_exposes_what_observing_one_by_one_exposes(amounts: list[float]) -> None:
    spec = semconv.LLM_TIME_PER_OUTPUT_CHUNK
    values = tuple(f"v{i}" for i in range(len(spec.labels)))
    direct, public = Metrics(CollectorRegistry()), Metrics(CollectorRegistry())
    series = direct.series(spec, *values)
    assert series.direct
    series.observe_many(amounts)
    child = public.child(spec, *values)
    for amount in amounts:
        child.observe(amount)

    def lines(metrics: Metrics) -> list[str]:
        text = generate_latest(metrics.registry).decode()
        return [line for line in text.splitlines() if "_created" not in line]

    assert lines(direct) == lines(public)
