"""LangChain chat models and LangGraph graphs against the simulator: spans, metrics, once-only.

Every scenario runs twice: with the provider SDK instrumented too (the provider layer
records each model call, LangChain adds only workflow/agent/tool spans) and without it
(LangChain records the calls itself). Token sums are checked against the usage the
simulator reported in the returned messages, not against anything Glassbox computed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from instrumentation_helpers import internal_errors
from langchain_anthropic import ChatAnthropic
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from glassbox import semconv
from glassbox.instrumentation import instrument, uninstrument
from glassbox.simulator import Faults, Simulator
from glassbox.testing import Telemetry, capture

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

QUESTION = [("user", "What did the council decide about the bridge?")]
DURATION = semconv.LLM_DURATION.count
LAYERS = ["provider", "framework"]  # who records the model calls


@tool
def archive_search(q: str) -> str:
    """Search the newsroom archive."""
    return "The council voted 5-2 to repair the bridge."


@tool
def broken_lookup(q: str) -> str:
    """A tool that always fails."""
    raise RuntimeError("archive offline")


def frameworks(layer: str) -> list[str]:
    return ["langchain", "openai", "anthropic"] if layer == "provider" else ["langchain"]


@pytest.fixture
def traced(request: pytest.FixtureRequest, simulator: Simulator) -> Iterator[Telemetry]:
    """Glassbox with LangChain instrumented, and the provider SDKs if the layer says so."""
    names = frameworks(request.param)
    simulator.faults = Faults()
    with capture() as telemetry:
        for name in names:
            instrument(name)
        try:
            yield telemetry
        finally:
            for name in names:
                uninstrument(name)
            simulator.faults = Faults()


def openai_model(simulator: Simulator, **kwargs: Any) -> ChatOpenAI:
    # A fresh async HTTP client per model: LangChain's shared default one is bound to the
    # event loop of the test that created it.
    return ChatOpenAI(
        model="gpt-4o-mini",
        base_url=simulator.openai_base_url,
        api_key="sk-test",  # type: ignore[arg-type]
        max_retries=0,
        http_async_client=httpx.AsyncClient(),
        **kwargs,
    )


def anthropic_model(simulator: Simulator) -> ChatAnthropic:
    return ChatAnthropic(  # type: ignore[call-arg]
        model="claude-3-5-haiku-latest",
        base_url=simulator.anthropic_base_url,
        api_key="sk-ant-test",  # type: ignore[arg-type]
        max_retries=0,
        max_tokens=200,
    )


def tree(telemetry: Telemetry) -> dict[str, list[str]]:
    """Span name -> the names of its parents (one entry per span)."""
    spans = telemetry.spans()
    by_id = {s.context.span_id: s for s in spans}
    parents: dict[str, list[str]] = {}
    for span in spans:
        parent = by_id.get(span.parent.span_id) if span.parent else None
        parents.setdefault(span.name, []).append(parent.name if parent else "")
    return parents


def usage_of(messages: list[Any]) -> tuple[int, int]:
    """Input and output tokens the simulator reported on the AI messages."""
    ai = [m for m in messages if isinstance(m, AIMessage)]
    return (
        sum(m.usage_metadata["input_tokens"] for m in ai if m.usage_metadata),
        sum(m.usage_metadata["output_tokens"] for m in ai if m.usage_metadata),
    )


def expected_cost(telemetry: Telemetry, provider: str, messages: list[Any]) -> float:
    total = 0.0
    for message in messages:
        if isinstance(message, AIMessage) and message.usage_metadata:
            model = message.response_metadata.get("model_name") or message.response_metadata.get(
                "model"
            )
            prices = telemetry.runtime.prices.prices(provider, model)
            assert prices is not None, model
            usage = message.usage_metadata
            cost = prices.cost(usage["input_tokens"], usage["output_tokens"], 0, 0)
            assert cost is not None
            total += cost.total
    return total


def assert_recorded_once(telemetry: Telemetry, layer: str, messages: list[Any]) -> None:
    """One operation-duration observation and one token count per model call, no more."""
    calls = [m for m in messages if isinstance(m, AIMessage)]
    assert telemetry.value(DURATION) == len(calls)
    input_tokens, output_tokens = usage_of(messages)
    assert telemetry.value(semconv.LLM_TOKENS.total, gen_ai_token_type="input") == input_tokens
    assert telemetry.value(semconv.LLM_TOKENS.total, gen_ai_token_type="output") == output_tokens
    assert telemetry.value(semconv.LLM_TOKEN_USAGE.count) == 2 * len(calls)
    chat_spans = [s for s in telemetry.spans() if s.name.startswith("chat ")]
    assert len(chat_spans) == len(calls)
    # Only the provider layer knows the server it talked to: proves which layer recorded.
    by_provider = [s for s in chat_spans if "server.address" in (s.attributes or {})]
    assert len(by_provider) == (len(calls) if layer == "provider" else 0)
    assert internal_errors(telemetry) == 0


# --- a chat model call -------------------------------------------------------------------------


@pytest.mark.parametrize("traced", LAYERS, indirect=True)
@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
async def test_chat_model_call(
    traced: Telemetry, simulator: Simulator, mode: str, request: pytest.FixtureRequest
) -> None:
    layer = request.node.callspec.params["traced"]
    model = openai_model(simulator, stream_usage=True)
    if mode == "invoke":
        message = model.invoke(QUESTION)
    elif mode == "ainvoke":
        message = await model.ainvoke(QUESTION)
    elif mode == "stream":
        chunks = list(model.stream(QUESTION))
        message = sum(chunks[1:], chunks[0])
    else:
        chunks = [chunk async for chunk in model.astream(QUESTION)]
        message = sum(chunks[1:], chunks[0])
    messages = [message]
    assert_recorded_once(traced, layer, messages)
    cost = traced.value(semconv.LLM_COST.total)
    assert cost == pytest.approx(expected_cost(traced, "openai", messages))
    assert cost > 0
    streamed = mode in ("stream", "astream")
    assert traced.value(semconv.LLM_TIME_TO_FIRST_CHUNK.count) == (1 if streamed else 0)
    # A bare model call is no workflow, agent or tool.
    assert list(tree(traced)) == ["chat gpt-4o-mini"]


@pytest.mark.parametrize("traced", LAYERS, indirect=True)
def test_anthropic_chat_model(
    traced: Telemetry, simulator: Simulator, request: pytest.FixtureRequest
) -> None:
    layer = request.node.callspec.params["traced"]
    message = anthropic_model(simulator).invoke(QUESTION)
    assert_recorded_once(traced, layer, [message])
    assert traced.value(DURATION, gen_ai_provider_name="anthropic") == 1
    assert traced.value(semconv.LLM_COST.total) == pytest.approx(
        expected_cost(traced, "anthropic", [message])
    )


@pytest.mark.parametrize("traced", LAYERS, indirect=True)
def test_model_error_is_recorded_once_and_propagates(
    traced: Telemetry, simulator: Simulator
) -> None:
    import openai

    simulator.faults = Faults(error_rates={500: 1.0})
    with pytest.raises(openai.InternalServerError):
        openai_model(simulator).invoke(QUESTION)
    assert traced.value(DURATION) == 1
    assert traced.value(DURATION, error_type="server_error") == 1
    assert internal_errors(traced) == 0


# --- a LangGraph graph with a tool-using agent ---------------------------------------------------


def newsroom(simulator: Simulator, tools: list[Any]) -> Any:
    """A workflow whose ``editor`` node is a prebuilt tool-using agent (a subgraph)."""
    from langgraph.prebuilt import create_react_agent

    editor = create_react_agent(openai_model(simulator), tools, name="editor")
    graph = StateGraph(MessagesState)
    graph.add_node("editor", editor)
    graph.add_edge(START, "editor")
    graph.add_edge("editor", END)
    return graph.compile(name="newsroom")


def run_until_a_tool_ran(graph: Any, asynchronous: bool = False) -> list[Any]:
    """Run the graph until the simulated model chose to call a tool (it does not always)."""
    import asyncio

    for _ in range(20):
        if asynchronous:
            result = asyncio.run(graph.ainvoke({"messages": QUESTION}))
        else:
            result = graph.invoke({"messages": QUESTION})
        messages: list[Any] = result["messages"]
        if any(isinstance(m, ToolMessage) for m in messages):
            return messages
    raise AssertionError("the simulated model never called a tool in 20 runs")


@pytest.mark.parametrize("traced", LAYERS, indirect=True)
@pytest.mark.parametrize("asynchronous", [False, True])
def test_graph_with_a_tool_using_agent(
    traced: Telemetry, simulator: Simulator, asynchronous: bool, request: pytest.FixtureRequest
) -> None:
    layer = request.node.callspec.params["traced"]
    graph = newsroom(simulator, [archive_search])
    messages = run_until_a_tool_ran(graph, asynchronous)
    runs = int(traced.value(semconv.WORKFLOW_DURATION.count))
    # Only the last run's messages are known; earlier runs (no tool call) are one call each.
    earlier = runs - 1
    tool_runs = [m for m in messages if isinstance(m, ToolMessage)]

    assert traced.value(semconv.WORKFLOW_DURATION.count, gen_ai_workflow_name="newsroom") == runs
    assert traced.value(semconv.AGENT_DURATION.count, gen_ai_agent_name="editor") == runs
    assert traced.value(
        semconv.TOOL_DURATION.count, gen_ai_tool_name="archive_search", gen_ai_agent_name="editor"
    ) == len(tool_runs)
    assert traced.value(semconv.AGENT_TOOL_CALLS.sum, gen_ai_agent_name="editor") == len(tool_runs)
    calls = [m for m in messages if isinstance(m, AIMessage)]
    assert traced.value(DURATION) == len(calls) + earlier

    parents = tree(traced)
    assert parents["invoke_workflow newsroom"] == [""] * runs
    assert parents["invoke_agent editor"] == ["invoke_workflow newsroom"] * runs
    assert parents["execute_tool archive_search"] == ["invoke_agent editor"] * len(tool_runs)
    assert parents["chat gpt-4o-mini"] == ["invoke_agent editor"] * (len(calls) + earlier)
    chat_spans = traced.spans("chat gpt-4o-mini")
    by_provider = [s for s in chat_spans if "server.address" in (s.attributes or {})]
    assert len(by_provider) == (len(chat_spans) if layer == "provider" else 0)
    assert internal_errors(traced) == 0


@pytest.mark.parametrize("traced", LAYERS, indirect=True)
def test_token_and_cost_sums_over_a_graph(
    traced: Telemetry, simulator: Simulator, request: pytest.FixtureRequest
) -> None:
    layer = request.node.callspec.params["traced"]
    graph = newsroom(simulator, [archive_search])
    result = graph.invoke({"messages": QUESTION})
    assert_recorded_once(traced, layer, result["messages"])
    assert traced.value(semconv.LLM_COST.total) == pytest.approx(
        expected_cost(traced, "openai", result["messages"])
    )


@pytest.mark.parametrize("traced", LAYERS, indirect=True)
def test_workflow_node_calling_a_model_is_an_agent(traced: Telemetry, simulator: Simulator) -> None:
    """A hand-built loop: ``writer`` node calls the model, a ToolNode runs the tools."""
    model = openai_model(simulator).bind_tools([archive_search])

    def writer(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("writer", writer)
    graph.add_node("tools", ToolNode([archive_search]))
    graph.add_edge(START, "writer")
    graph.add_conditional_edges("writer", tools_condition)
    graph.add_edge("tools", "writer")
    messages = run_until_a_tool_ran(graph.compile(name="desk"))
    tool_runs = [m for m in messages if isinstance(m, ToolMessage)]

    parents = tree(traced)
    assert set(parents["invoke_agent writer"]) == {"invoke_workflow desk"}
    assert set(parents["chat gpt-4o-mini"]) == {"invoke_agent writer"}
    # The tool node runs beside the agent node: its tools belong to the agent that asked.
    assert parents["execute_tool archive_search"] == ["invoke_workflow desk"] * len(tool_runs)
    assert traced.value(
        semconv.TOOL_DURATION.count, gen_ai_tool_name="archive_search", gen_ai_agent_name="writer"
    ) == len(tool_runs)


@pytest.mark.parametrize("traced", ["provider"], indirect=True)
def test_failing_tool_fails_its_spans_and_propagates(
    traced: Telemetry, simulator: Simulator
) -> None:
    graph = newsroom(simulator, [broken_lookup])
    raised: list[BaseException] = []
    for _ in range(20):  # until the simulated model chooses to call the tool
        try:
            graph.invoke({"messages": QUESTION})
        except RuntimeError as exc:
            raised.append(exc)
            break
    assert raised, "the simulated model never called a tool in 20 runs"
    assert str(raised[0]) == "archive offline"  # the application's exception, unchanged
    failed = {"error_type": "RuntimeError"}
    assert (
        traced.value(semconv.TOOL_DURATION.count, gen_ai_tool_name="broken_lookup", **failed) == 1
    )
    assert traced.value(semconv.AGENT_DURATION.count, gen_ai_agent_name="editor", **failed) == 1
    assert traced.value(semconv.WORKFLOW_DURATION.count, **failed) == 1
    (span,) = traced.spans("execute_tool broken_lookup")
    assert span.attributes is not None
    assert span.attributes["error.type"] == "RuntimeError"
    assert internal_errors(traced) == 0


# --- switching off, own failures ---------------------------------------------------------------


def test_turning_the_framework_off_changes_nothing_else(simulator: Simulator) -> None:
    """Provider-level telemetry is the same with and without the LangChain integration."""
    simulator.faults = Faults()
    observed = {}
    for with_langchain in (True, False):
        with capture() as telemetry:
            names = ["openai", *(["langchain"] if with_langchain else [])]
            for name in names:
                instrument(name)
            try:
                result = newsroom(simulator, [archive_search]).invoke({"messages": QUESTION})
            finally:
                for name in names:
                    uninstrument(name)
            assert_recorded_once(telemetry, "provider", result["messages"])
            chat = telemetry.spans("chat gpt-4o-mini")
            observed[with_langchain] = {
                "series": sorted(map(str, telemetry.series(DURATION))),
                "attributes": sorted(sorted((s.attributes or {}).keys()) for s in chat)[0],
                "framework_spans": sorted(
                    {s.name for s in telemetry.spans() if not s.name.startswith("chat ")}
                ),
            }
    assert observed[True]["series"] == observed[False]["series"]
    assert observed[True]["attributes"] == observed[False]["attributes"]
    assert {"invoke_agent editor", "invoke_workflow newsroom"} <= set(
        observed[True]["framework_spans"]
    )
    assert set(observed[True]["framework_spans"]) <= {
        "invoke_agent editor",
        "invoke_workflow newsroom",
        "execute_tool archive_search",
    }
    assert observed[False]["framework_spans"] == []


def test_handler_failures_are_counted_not_raised(
    simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from glassbox.instrumentation import _langchain

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("glassbox bug")

    monkeypatch.setattr(_langchain, "open_scope", broken)
    with capture() as telemetry:
        instrument("langchain")
        try:
            result = newsroom(simulator, [archive_search]).invoke({"messages": QUESTION})
        finally:
            uninstrument("langchain")
        assert isinstance(result["messages"][-1], AIMessage)
        assert internal_errors(telemetry) > 0
        # The model calls are still recorded (by LangChain: no provider integration on).
        assert telemetry.value(DURATION) == len(
            [m for m in result["messages"] if isinstance(m, AIMessage)]
        )


def test_uninstrumented_langchain_records_nothing(simulator: Simulator) -> None:
    with capture() as telemetry:
        instrument("langchain")
        uninstrument("langchain")
        newsroom(simulator, [archive_search]).invoke({"messages": QUESTION})
        assert telemetry.spans() == []
        assert telemetry.value(DURATION) == 0


@pytest.mark.parametrize("traced", LAYERS, indirect=True)
def test_abandoned_stream_is_recorded_without_error(
    traced: Telemetry, simulator: Simulator
) -> None:
    import gc

    stream = openai_model(simulator, stream_usage=True).stream(QUESTION)
    assert next(stream).content is not None
    stream.close()
    del stream
    gc.collect()
    assert traced.value(DURATION) == 1
    assert traced.value(DURATION, error_type="") == 1
    assert traced.value(semconv.LLM_TIME_TO_FIRST_CHUNK.count) == 1
