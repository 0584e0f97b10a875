from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import glassbox
from glassbox.testing import Telemetry


def _cost_labels(telemetry: Telemetry) -> set[tuple[str, str]]:
    return {(s["team"], s["tenant"]) for s in telemetry.series("glassbox_llm_cost_usd_total")}


def _call() -> None:
    with glassbox.llm_call("openai", "gpt-4o-mini") as call:
        call.set_usage(input_tokens=10, output_tokens=10)


def test_nested_attributes_merge_and_restore() -> None:
    with glassbox.attributes(tenant="acme", team="search"):
        with glassbox.attributes(team="ads", region="eu"):
            assert dict(glassbox.current_attributes()) == {
                "tenant": "acme",
                "team": "ads",
                "region": "eu",
            }
            with glassbox.attributes(region=None):
                assert "region" not in glassbox.current_attributes()
        assert dict(glassbox.current_attributes()) == {"tenant": "acme", "team": "search"}
    assert dict(glassbox.current_attributes()) == {}


def test_attribution_follows_threads_started_with_a_context_copy(telemetry: Telemetry) -> None:
    with glassbox.attributes(tenant="acme", team="search"):
        ctx = contextvars.copy_context()
    thread = threading.Thread(target=ctx.run, args=(_call,))
    thread.start()
    thread.join()
    with glassbox.attributes(tenant="globex", team="ads"), ThreadPoolExecutor(2) as pool:
        # executors do not copy context by themselves; submit a copy's run
        pool.submit(contextvars.copy_context().run, _call).result()
    assert _cost_labels(telemetry) == {("search", "acme"), ("ads", "globex")}


async def test_attribution_follows_asyncio_tasks(telemetry: Telemetry) -> None:
    async def work() -> None:
        await asyncio.sleep(0)
        _call()

    async def as_tenant(tenant: str) -> None:
        with glassbox.attributes(tenant=tenant, team="t-" + tenant):
            await asyncio.gather(asyncio.create_task(work()), asyncio.create_task(work()))

    await asyncio.gather(as_tenant("a"), as_tenant("b"))
    assert _cost_labels(telemetry) == {("t-a", "a"), ("t-b", "b")}
    assert telemetry.value("glassbox_llm_cost_usd_total", tenant="a") > 0


def test_attributes_reach_spans_and_log_lines(telemetry: Telemetry) -> None:
    with glassbox.attributes(tenant="acme", workload="digest"):
        _call()
        logging.getLogger("app").warning("summarised")
    (span,) = telemetry.spans()
    assert span.attributes is not None
    assert span.attributes["glassbox.tenant"] == "acme"
    assert span.attributes["glassbox.workload"] == "digest"
    (app_line,) = telemetry.logs(event="summarised")
    assert app_line["tenant"] == "acme"
    assert app_line["workload"] == "digest"
    (call_line,) = telemetry.logs(event="gen_ai.call")
    assert call_line["tenant"] == "acme"
