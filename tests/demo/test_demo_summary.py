"""The end-of-run summary: rendering, JSON, and reading usage from a Glassbox registry."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

from rich.console import Console

import glassbox
from glassbox.demo import FiredAlert, Summary
from glassbox.demo._spans import span_tree
from glassbox.demo._stats import NewsroomStats, SpanRow, percentile
from glassbox.demo._summary import InjectionReport, ModelUsage, llm_usage
from glassbox.testing import Telemetry


def _summary() -> Summary:
    return Summary(
        seed=7,
        duration=120.0,
        env="local",
        usage=[
            ModelUsage("openai", "gpt-4o-mini", 40, 12, 9000, 700, 0.0018),
            ModelUsage("anthropic", "claude-haiku-4-5", 20, 0, 2000, 800, 0.006),
        ],
        items={("embed", "success"): 150, ("embed", "failure"): 9, ("editor", "success"): 30},
        p95={"ingest": 0.002, "embed": 0.41, "rank": 0.0001, "editor": 3.5, "publish": 0.02},
        injections=[
            InjectionReport(
                "provider-errors", "80% fail", 15.0, 41.0, "GlassboxLLMHighErrorRate", 18.2
            ),
            InjectionReport("queue-stall", "stuck", 55.0, 100.0, None, None),
        ],
        alerts=[
            FiredAlert(
                "GlassboxLLMHighErrorRate",
                "warning",
                {"gen_ai_request_model": "gpt-4o-mini"},
                33.2,
                "provider-errors",
                "detects",
                18.2,
            ),
            FiredAlert("GlassboxNoTraffic", "warning", {}, 90.0, None, "unexpected", None),
        ],
        slowest_run=3.9,
        slowest_trace="ab" * 16,
        slowest_spans=[
            SpanRow(0, "invoke_agent editor", 3.9),
            SpanRow(1, "chat gpt-4o-mini", 0.5, "gpt-4o-mini", 210, 12, 0.00004),
            SpanRow(1, "execute_tool archive_search", 0.05),
            SpanRow(
                1, "chat claude-haiku-4-5", 2.1, "claude-haiku-4-5", 90, 40, 0.00029, "timeout"
            ),
        ],
        log_file=".glassbox/demo/newsroom.jsonl",
        log_lines=321,
        redactions={"EMAIL": 4, "PHONE": 3},
        traces="kept in process",
    )


def test_render_shows_usage_faults_alerts_and_the_span_tree() -> None:
    console = Console(file=io.StringIO(), width=160, record=True)
    _summary().render(console)
    out = console.export_text()
    assert "Newsroom demo — 2m00s, seed 7" in out
    assert "$0.0078" in out
    assert "60" in out
    assert "18.2s" in out
    assert "not detected" in out
    assert "nothing injected: a false alarm" in out
    assert "3.50s" in out  # p95 of the editor stage
    for text in ("invoke_agent editor", "execute_tool archive_search", "210→12 tokens", "$0.00029"):
        assert text in out
    assert out.index("chat gpt-4o-mini") < out.index("execute_tool archive_search")
    assert "EMAIL 4, PHONE 3" in out


def test_render_of_a_clean_run_says_no_alert_fired() -> None:
    console = Console(file=io.StringIO(), width=120, record=True)
    summary = Summary(seed=1, duration=30.0, env="local", alerts_before_run=["GlassboxServiceDown"])
    summary.render(console)
    out = console.export_text()
    assert "No faults injected" in out
    assert "No alert fired during the run. (Already firing before it: GlassboxServiceDown.)" in out


def test_to_json_carries_time_to_detect_and_false_alarms() -> None:
    data = _summary().to_json()
    assert data["llm"]["calls"] == 60
    assert data["llm"]["errors"] == 12
    assert data["injections"][0]["time_to_detect"] == 18.2
    assert data["alerts"][0]["time_to_detect_seconds"] == 18.2
    assert data["alerts"][1]["role"] == "unexpected"
    assert data["stages"]["embed"] == {"ok": 150, "failed": 9, "p95_seconds": 0.41}


def test_llm_usage_reads_calls_errors_tokens_and_cost(telemetry: Telemetry) -> None:
    with glassbox.llm_call("openai", "gpt-4o-mini") as call:
        call.set_usage(input_tokens=1000, output_tokens=100)
    try:
        with glassbox.llm_call("openai", "gpt-4o-mini"):
            raise TimeoutError
    except TimeoutError:
        pass
    [usage] = llm_usage(telemetry.registry)
    assert (usage.provider, usage.model, usage.calls, usage.errors) == (
        "openai",
        "gpt-4o-mini",
        2,
        1,
    )
    assert (usage.input_tokens, usage.output_tokens) == (1000, 100)
    assert usage.cost == telemetry.value("glassbox_llm_cost_usd_total") > 0


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.95) is None
    assert percentile([float(i) for i in range(1, 101)], 0.95) == 95.0
    assert percentile([3.0], 0.95) == 3.0
    stats = NewsroomStats()
    stats.record("embed", 0.5)
    stats.record("embed", 0.1, "failure")
    assert stats.count("embed") == 1
    assert stats.count("embed", "failure") == 1
    assert stats.p95()["embed"] == 0.5
    assert stats.p95()["editor"] is None


def _span(span_id: int, parent: int | None, name: str, start: int, end: int, **attrs: Any) -> Any:
    return SimpleNamespace(
        context=SimpleNamespace(span_id=span_id),
        parent=None if parent is None else SimpleNamespace(span_id=parent),
        name=name, start_time=start, end_time=end, attributes=attrs,
    )  # fmt: skip


def test_span_tree_flattens_a_subtree_depth_first_by_start_time() -> None:
    spans = [
        _span(
            3, 1, "chat claude", 3_000_000_000, 4_000_000_000, **{"gen_ai.request.model": "claude"}
        ),
        _span(1, 0, "invoke_agent editor", 0, 4_000_000_000),
        _span(
            2,
            1,
            "chat gpt",
            0,
            1_000_000_000,
            **{
                "gen_ai.request.model": "gpt",
                "gen_ai.usage.input_tokens": 10,
                "gen_ai.usage.output_tokens": 2,
                "glassbox.cost.usd": 0.5,
            },
        ),
        _span(4, 2, "nested", 0, 500_000_000),
        _span(9, None, "other trace", 0, 1),
    ]
    rows = span_tree(spans, 1)
    assert [(r.depth, r.name) for r in rows] == [
        (0, "invoke_agent editor"), (1, "chat gpt"), (2, "nested"), (1, "chat claude"),
    ]  # fmt: skip
    assert rows[1].duration == 1.0
    assert rows[1].cost == 0.5
    assert rows[1].input_tokens == 10
    assert rows[3].cost is None
    assert rows[3].model == "claude"
    assert span_tree(spans, 42) == []
