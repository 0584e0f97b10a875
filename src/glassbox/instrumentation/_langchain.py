"""LangChain and LangGraph: workflow, agent and tool spans from LangChain's own callbacks.

Glassbox joins every LangChain run through LangChain's public configure hook
(``langchain_core.tracers.context.register_configure_hook``): one callback handler is
added to every callback manager, in every thread, the way LangSmith's tracer is. It maps
runs to the decorators' spans and metrics:

- a LangGraph graph run at the top is ``invoke_workflow {graph name}``;
- a graph run inside a graph (a prebuilt agent or any subgraph used as a node), or a run
  LangChain names an agent (``lc_agent_name``), is ``invoke_agent {name}``;
- a node of a workflow that calls a chat model itself becomes ``invoke_agent {node}``
  (from the node's start, the first time it calls a model);
- a tool run is ``execute_tool {tool}``, attributed to the agent it runs in (or, for a
  tool node beside the agent node, to the agent that last ran in that graph);
- a chat model call is recorded exactly once: the handler marks it in
  :data:`~glassbox.instrumentation._common.FRAMEWORK_CALL` and makes the enclosing span
  current, so an instrumented provider SDK underneath (openai, anthropic) records it as a
  child span and claims it; an unclaimed call (a provider Glassbox does not instrument)
  is recorded here when it ends, back-dated to its start, with provider, model, tokens,
  cost and time to first chunk.

Cost: a dictionary entry per LangChain run and a few attribute reads per event; chunks
of a streamed model call are one ``perf_counter()`` and an append each.
"""

from __future__ import annotations

import contextlib
import threading
from contextvars import ContextVar, Token
from time import perf_counter
from typing import Any
from uuid import UUID

from opentelemetry import context as otel_context
from opentelemetry import trace

from glassbox._decorators import AgentRun, Scope, open_scope
from glassbox._llm import llm_call
from glassbox._runtime import current
from glassbox.instrumentation._common import (
    FRAMEWORK_CALL,
    ErrorKinds,
    FrameworkCall,
    report,
)

__all__ = ["instrument_langchain", "uninstrument_langchain"]

_KINDS = ErrorKinds(timeout=(TimeoutError,), connection=(ConnectionError,))
_COMPONENT = "instrumentation_langchain"
_MAX_RUNS = 10_000  # runs never ended (a crashed generator) must not grow memory forever


class _Graph:
    """Per graph run: the agent that last ran, for tools run by a separate tool node."""

    __slots__ = ("last_agent",)

    def __init__(self) -> None:
        self.last_agent: AgentRun | None = None


class _Run:
    """What the handler keeps about one LangChain run until it ends."""

    __slots__ = (
        "call",
        "context_token",
        "graph",
        "kind",
        "marker_token",
        "model",
        "name",
        "namespace",
        "operation",
        "parent",
        "provider",
        "scope",
        "started",
    )

    def __init__(self, kind: str, name: str, parent: _Run | None, namespace: str) -> None:
        self.kind = kind  # workflow, agent, node, tool, llm, other
        self.name = name
        self.parent = parent
        self.namespace = namespace
        self.started = perf_counter()
        self.scope: Scope | None = None
        self.graph: _Graph | None = None
        self.context_token: tuple[Any, Any] | None = None
        self.marker_token: tuple[Any, Any] | None = None
        self.call: FrameworkCall | None = None
        self.provider = self.model = self.operation = ""

    def enclosing(self) -> _Run | None:
        """The nearest run above (or this one) with a span: workflow, agent or tool."""
        run: _Run | None = self
        while run is not None and run.scope is None:
            run = run.parent
        return run


def _attach(context: Any) -> tuple[Any, Any]:
    return otel_context.attach(context), context


def _detach(attached: tuple[Any, Any] | None) -> None:
    """Detach only in the context that attached: a run may end in another task's context
    (LangChain's async callbacks), where there is nothing to undo."""
    if attached is None or otel_context.get_current() is not attached[1]:
        return
    token = attached[0]
    if isinstance(token, Token):  # OpenTelemetry's default, contextvars-based runtime context
        with contextlib.suppress(ValueError):  # created in another Context: nothing to undo
            token.var.reset(token)
    else:
        otel_context.detach(token)


def _span_context(run: _Run | None) -> Any:
    if run is None or run.scope is None or run.scope.span is None:
        return otel_context.get_current()
    return trace.set_span_in_context(run.scope.span)


class GlassboxCallbackHandler:
    """The LangChain callback handler (built on ``BaseCallbackHandler`` at instrument time).

    Every method catches its own failures (reported, never raised); with the
    integration off or Glassbox not initialised it returns at once.
    """

    run_inline = True  # same thread and context as the run: spans and markers propagate
    raise_error = False
    ignore_llm = ignore_chain = ignore_agent = ignore_retriever = ignore_chat_model = False
    ignore_retry = ignore_custom_event = True

    def __init__(self) -> None:
        self.enabled = False
        self._runs: dict[UUID, _Run] = {}
        self._lock = threading.Lock()

    # --- bookkeeping --------------------------------------------------------------------

    def _add(self, run_id: UUID, run: _Run) -> None:
        with self._lock:
            if len(self._runs) >= _MAX_RUNS:
                self._runs.clear()
            self._runs[run_id] = run

    def _parent(self, parent_run_id: UUID | None) -> _Run | None:
        return self._runs.get(parent_run_id) if parent_run_id is not None else None

    def _active(self) -> bool:
        return self.enabled and current() is not None

    def _agent_of(self, run: _Run | None) -> AgentRun | None:
        """The agent run a tool under ``run`` belongs to."""
        node = run
        while node is not None:
            if node.kind == "agent" and node.scope is not None:
                return node.scope.agent_run
            if node.graph is not None:
                return node.graph.last_agent
            node = node.parent
        return None

    def _materialise(self, run: _Run | None) -> _Run | None:
        """Turn a workflow node that calls a model into an agent; return the enclosing run."""
        node = run
        while node is not None and node.scope is None:
            if node.kind == "node":
                workflow = node.enclosing()
                if workflow is not None and workflow.kind == "workflow":
                    node.scope = open_scope(
                        "invoke_agent",
                        node.name,
                        parent=_span_context(workflow),
                        at=node.started,
                    )
                    node.kind = "agent"
                    if node.scope is not None and workflow.graph is not None:
                        workflow.graph.last_agent = node.scope.agent_run
                    return node
            node = node.parent
        return run.enclosing() if run is not None else None

    def _end(self, run_id: UUID, error: BaseException | None) -> None:
        if isinstance(error, GeneratorExit):  # a stream abandoned half-way is no failure
            error = None
        run = self._runs.pop(run_id, None)
        if run is None:
            return
        _detach(run.context_token)
        if run.scope is not None:
            run.scope.close(error)

    # --- chains: graphs, nodes, everything else -----------------------------------------

    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if not self._active():
            return
        try:
            meta = metadata or {}
            parent = self._parent(parent_run_id)
            name = str(kwargs.get("name") or (serialized or {}).get("name") or "chain")
            namespace = str(meta.get("checkpoint_ns") or "")
            run = _Run("other", name, parent, namespace)
            graph_run = meta.get("ls_integration") == "langgraph" and (
                parent is None or parent.namespace != namespace
            )
            agent_name = meta.get("lc_agent_name")
            if graph_run and parent is None:
                run.kind = "workflow"
            elif graph_run or (agent_name and (parent is None or parent.kind == "node")):
                run.kind = "agent"
                name = run.name = str(agent_name or name)
            elif parent is not None and any(t.startswith("graph:step:") for t in tags or ()):
                run.kind = "node"
            if run.kind in ("workflow", "agent"):
                enclosing = parent.enclosing() if parent is not None else None
                operation = "invoke_workflow" if run.kind == "workflow" else "invoke_agent"
                run.scope = open_scope(operation, name, parent=_span_context(enclosing))
                run.graph = _Graph()
                if run.scope is not None:
                    run.context_token = _attach(trace.set_span_in_context(run.scope.span))
            self._add(run_id, run)
        except Exception as exc:
            report(_COMPONENT, exc)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            self._end(run_id, None)
        except Exception as exc:
            report(_COMPONENT, exc)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            self._end(run_id, error)
        except Exception as exc:
            report(_COMPONENT, exc)

    # --- tools ---------------------------------------------------------------------------

    def on_tool_start(
        self,
        serialized: dict[str, Any] | None,
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        if not self._active():
            return
        try:
            parent = self._parent(parent_run_id)
            name = str(kwargs.get("name") or (serialized or {}).get("name") or "tool")
            run = _Run("tool", name, parent, parent.namespace if parent else "")
            enclosing = parent.enclosing() if parent is not None else None
            run.scope = open_scope(
                "execute_tool", name, agent=self._agent_of(parent), parent=_span_context(enclosing)
            )
            if run.scope is not None:
                run.context_token = _attach(trace.set_span_in_context(run.scope.span))
            self._add(run_id, run)
        except Exception as exc:
            report(_COMPONENT, exc)

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            self._end(run_id, None)
        except Exception as exc:
            report(_COMPONENT, exc)

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            self._end(run_id, error)
        except Exception as exc:
            report(_COMPONENT, exc)

    # --- model calls ---------------------------------------------------------------------

    def _model_start(
        self,
        operation: str,
        run_id: UUID,
        parent_run_id: UUID | None,
        metadata: dict[str, Any] | None,
        params: dict[str, Any] | None,
    ) -> None:
        meta = metadata or {}
        invocation = params or {}
        parent = self._parent(parent_run_id)
        run = _Run("llm", "", parent, parent.namespace if parent else "")
        enclosing = self._materialise(parent)
        run.operation = operation
        run.provider = str(meta.get("ls_provider") or invocation.get("_type") or "langchain")
        run.model = str(
            meta.get("ls_model_name")
            or invocation.get("model")
            or invocation.get("model_name")
            or "unknown"
        )
        context = _span_context(enclosing)
        run.call = FrameworkCall(perf_counter(), context)
        run.context_token = _attach(context)
        run.marker_token = (FRAMEWORK_CALL.set(run.call), run.call)
        self._add(run_id, run)

    def on_chat_model_start(
        self,
        serialized: dict[str, Any] | None,
        messages: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        metadata: dict[str, Any] | None = None,
        invocation_params: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if not self._active():
            return
        try:
            self._model_start("chat", run_id, parent_run_id, metadata, invocation_params)
        except Exception as exc:
            report(_COMPONENT, exc)

    def on_llm_start(
        self,
        serialized: dict[str, Any] | None,
        prompts: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        metadata: dict[str, Any] | None = None,
        invocation_params: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if not self._active():
            return
        try:
            self._model_start("text_completion", run_id, parent_run_id, metadata, invocation_params)
        except Exception as exc:
            report(_COMPONENT, exc)

    def on_llm_new_token(self, token: str, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._runs.get(run_id)
        if run is not None and run.call is not None:
            run.call.chunks.append(perf_counter())

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            self._model_end(run_id, response, None)
        except Exception as exc:
            report(_COMPONENT, exc)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            self._model_end(run_id, None, error)
        except Exception as exc:
            report(_COMPONENT, exc)

    def _model_end(self, run_id: UUID, response: Any, error: BaseException | None) -> None:
        ended = perf_counter()
        if isinstance(error, GeneratorExit):  # as the provider layer: abandoned, not failed
            error = None
        run = self._runs.pop(run_id, None)
        if run is None or run.call is None:
            return
        pending = run.call
        pending.open = False
        if run.marker_token is not None and FRAMEWORK_CALL.get() is pending:
            with contextlib.suppress(ValueError):  # reset only where it was set
                FRAMEWORK_CALL.reset(run.marker_token[0])
        _detach(run.context_token)
        if pending.claimed or current() is None:
            return  # the provider integration underneath recorded this call
        _record(run, pending, response, error, ended)


def _record(
    run: _Run, pending: FrameworkCall, response: Any, error: BaseException | None, ended: float
) -> None:
    """Record a model call no provider integration saw, back-dated to its start."""
    call = llm_call(run.provider, run.model, run.operation, stream=bool(pending.chunks))
    token = otel_context.attach(pending.context)
    try:
        call.start(at=pending.started)
    finally:
        otel_context.detach(token)
    try:
        for at in pending.chunks:
            call.chunk(at=at)
        if response is not None:
            _read_response(call, response)
    except Exception as exc:
        report(_COMPONENT, exc)
    if error is not None:
        kind = _KINDS.kind(error)
        if kind is not None:
            call.set_error(kind)
    call.end(error, at=ended)


def _read_response(call: Any, response: Any) -> None:
    """Usage, response model, finish reasons and tool calls of an ``LLMResult``."""
    generations = [g for batch in getattr(response, "generations", None) or () for g in batch]
    message = getattr(generations[0], "message", None) if generations else None
    usage = getattr(message, "usage_metadata", None)
    llm_output = getattr(response, "llm_output", None) or {}
    if usage:
        details_in = usage.get("input_token_details") or {}
        details_out = usage.get("output_token_details") or {}
        call.set_usage(
            input_tokens=usage.get("input_tokens"),
            output_tokens=usage.get("output_tokens"),
            cache_read_tokens=details_in.get("cache_read"),
            cache_write_tokens=details_in.get("cache_creation"),
            reasoning_tokens=details_out.get("reasoning"),
        )
    elif isinstance(llm_output.get("token_usage"), dict):
        counts = llm_output["token_usage"]
        call.set_usage(
            input_tokens=counts.get("prompt_tokens"), output_tokens=counts.get("completion_tokens")
        )
    metadata = getattr(message, "response_metadata", None) or {}
    finish = [
        str(reason)
        for g in generations
        for reason in [
            (getattr(g, "generation_info", None) or {}).get("finish_reason")
            or (getattr(getattr(g, "message", None), "response_metadata", None) or {}).get(
                "finish_reason"
            )
            or (getattr(getattr(g, "message", None), "response_metadata", None) or {}).get(
                "stop_reason"
            )
        ]
        if reason
    ]
    call.set_response(
        model=metadata.get("model_name") or metadata.get("model") or llm_output.get("model_name"),
        response_id=metadata.get("id"),
        finish_reasons=finish,
    )
    tools = [
        str(t.get("name")) for t in getattr(message, "tool_calls", None) or () if t.get("name")
    ]
    if tools:
        call.tool_calls(tools)


# --- switching on and off ------------------------------------------------------------------

_HANDLER: GlassboxCallbackHandler | None = None
_LOCK = threading.Lock()


def _handler() -> GlassboxCallbackHandler:
    """The process's one handler, registered with LangChain's configure hook once."""
    global _HANDLER
    with _LOCK:
        if _HANDLER is None:
            from langchain_core.callbacks import BaseCallbackHandler
            from langchain_core.tracers.context import register_configure_hook

            handler_class = type(
                "GlassboxCallbackHandler", (GlassboxCallbackHandler, BaseCallbackHandler), {}
            )
            handler: GlassboxCallbackHandler = handler_class()
            # A ContextVar whose default is the handler: every thread and task sees it,
            # also threads started before instrument_langchain() was called.
            variable: ContextVar[Any] = ContextVar("glassbox_langchain", default=handler)
            register_configure_hook(variable, inheritable=True)
            _HANDLER = handler
        return _HANDLER


def instrument_langchain() -> None:
    """Trace LangChain and LangGraph runs (workflows, agents, tools, model calls); idempotent.

    Raises:
        ImportError: ``langchain-core`` is not installed (``pip install 'glassbox[langchain]'``).
    """
    _handler().enabled = True


def uninstrument_langchain() -> None:
    """Stop tracing LangChain runs (the handler stays registered but does nothing)."""
    if _HANDLER is not None:
        _HANDLER.enabled = False
        with _HANDLER._lock:
            _HANDLER._runs.clear()
