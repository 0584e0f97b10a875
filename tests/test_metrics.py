from __future__ import annotations

from prometheus_client import CollectorRegistry

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
