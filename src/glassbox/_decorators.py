"""``workflow``, ``agent``, ``tool`` and ``task``: spans and duration metrics for functions.

Each decorator works on plain, ``async``, generator and async-generator functions. The
span is current while the function body runs (for generators: during each step, never
across a ``yield``, so the caller's context is never disturbed). Exceptions propagate
unchanged; their class name becomes ``error_type``.

Inside an ``agent``, each ``tool`` execution is attributed to the agent
(``gen_ai_agent_name`` on the tool metrics) and counted, and the agent run records how many
tools it executed (``glassbox_agent_tool_calls_per_run``) — the signal of a runaway loop.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from time import perf_counter, time_ns
from typing import Any, TypeVar, overload

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from glassbox import semconv
from glassbox._args import as_flag, as_text
from glassbox._context import current_attributes
from glassbox._runtime import Runtime, current
from glassbox.semconv import Attr, MetricSpec

__all__ = ["AgentRun", "Scope", "agent", "open_scope", "task", "tool", "workflow"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class _Kind:
    operation: str
    name_attribute: str
    metric: MetricSpec


_WORKFLOW = _Kind("invoke_workflow", Attr.WORKFLOW_NAME, semconv.WORKFLOW_DURATION)
_AGENT = _Kind("invoke_agent", Attr.AGENT_NAME, semconv.AGENT_DURATION)
_TOOL = _Kind("execute_tool", Attr.TOOL_NAME, semconv.TOOL_DURATION)
_TASK = _Kind("task", Attr.TASK_NAME, semconv.TASK_DURATION)


class AgentRun:
    """One agent run: its name and how many tools it executed so far."""

    __slots__ = ("name", "tool_calls")

    def __init__(self, name: str) -> None:
        self.name = name
        self.tool_calls = 0


_CURRENT_AGENT: contextvars.ContextVar[AgentRun | None] = contextvars.ContextVar(
    "glassbox_agent", default=None
)


class Scope:
    """One execution of a decorated function: its span, timing and agent bookkeeping.

    Framework integrations (LangGraph) open scopes through :func:`open_scope`, with the
    parent and the owning agent given explicitly, because their callbacks do not run
    inside the work they describe.
    """

    __slots__ = ("_agent_run", "_kind", "_name", "_outer", "_parent", "_rt", "_span", "_t0")

    def __init__(
        self,
        rt: Runtime,
        kind: _Kind,
        name: str,
        *,
        outer: AgentRun | None = None,
        parent: otel_context.Context | None = None,
    ) -> None:
        self._rt = rt
        self._kind = kind
        self._name = name
        self._span: Any = None
        self._agent_run: AgentRun | None = None
        self._outer = outer
        self._parent = parent
        self._t0 = 0.0

    @property
    def span(self) -> Any:
        """The scope's span (``None`` if tracing failed)."""
        return self._span

    @property
    def agent_run(self) -> AgentRun | None:
        """The agent run of an agent scope, to attribute tools to."""
        return self._agent_run

    def _outer_agent(self) -> AgentRun | None:
        return self._outer if self._outer is not None else _CURRENT_AGENT.get()

    def open(self, at: float | None = None) -> None:
        """Open the span and start the clock (``at``: an earlier perf_counter reading)."""
        kind = self._kind
        try:
            attributes: dict[str, Any] = {
                Attr.OPERATION: kind.operation,
                kind.name_attribute: self._name,
            }
            if kind is _AGENT:
                self._agent_run = AgentRun(self._name)
            elif kind is _TOOL:
                outer = self._outer_agent()
                if outer is not None:
                    attributes[Attr.AGENT_NAME] = outer.name
            for key, value in current_attributes().items():
                attributes[Attr.ATTRIBUTE_PREFIX + key] = value
            span_kind = SpanKind.INTERNAL
            self._span = self._rt.tracer.start_span(
                f"{kind.operation} {self._name}",
                context=self._parent,
                kind=span_kind,
                attributes=attributes,
                start_time=None if at is None else time_ns() - int((perf_counter() - at) * 1e9),
            )
        except Exception as exc:
            self._rt.report_error("decorator", exc)
        self._t0 = perf_counter() if at is None else at

    def activate(self) -> tuple[Any, Any]:
        """Make the span (and agent run) current; return tokens for :meth:`deactivate`."""
        span_token = agent_token = None
        try:
            if self._span is not None:
                span_token = otel_context.attach(trace.set_span_in_context(self._span))
            if self._agent_run is not None:
                agent_token = _CURRENT_AGENT.set(self._agent_run)
        except Exception as exc:
            self._rt.report_error("decorator", exc)
        return span_token, agent_token

    def deactivate(self, tokens: tuple[Any, Any]) -> None:
        span_token, agent_token = tokens
        try:
            if agent_token is not None:
                _CURRENT_AGENT.reset(agent_token)
            if span_token is not None:
                otel_context.detach(span_token)
        except Exception as exc:
            self._rt.report_error("decorator", exc)

    def close(self, error: BaseException | None) -> None:
        """Record the duration metric (and tool count of an agent) and end the span."""
        duration = perf_counter() - self._t0
        rt = self._rt
        try:
            kind = self._kind
            error_type = type(error).__qualname__ if error is not None else ""
            metrics = rt.metrics
            exemplar = None
            span = self._span
            if span is not None and rt.exemplars:
                span_context = span.get_span_context()
                if span_context.trace_flags.sampled:
                    exemplar = {"trace_id": format(span_context.trace_id, "032x")}
            if kind is _TOOL:
                outer = self._outer_agent()
                agent_name = outer.name if outer is not None else ""
                if outer is not None:
                    outer.tool_calls += 1
                metrics.child(kind.metric, self._name, agent_name, error_type).observe(
                    duration, exemplar
                )
            else:
                metrics.child(kind.metric, self._name, error_type).observe(duration, exemplar)
            if self._agent_run is not None:
                metrics.child(semconv.AGENT_TOOL_CALLS, self._name).observe(
                    self._agent_run.tool_calls
                )
            if span is not None:
                if error is not None:
                    span.set_attribute(Attr.ERROR_TYPE, error_type)
                    span.set_status(Status(StatusCode.ERROR, str(error)))
                    span.record_exception(error)
                span.end()
        except Exception as exc:
            rt.report_error("decorator", exc)


_KINDS = {kind.operation: kind for kind in (_WORKFLOW, _AGENT, _TOOL, _TASK)}


def open_scope(
    operation: str,
    name: str,
    *,
    agent: AgentRun | None = None,
    parent: otel_context.Context | None = None,
    at: float | None = None,
) -> Scope | None:
    """Open a workflow, agent or tool scope the way the decorators do; ``None`` before init.

    The caller ends it with :meth:`Scope.close`. Spans and metrics are those of
    ``@glassbox.workflow``/``agent``/``tool``, so hand-decorated and framework-traced
    code aggregate together.

    Args:
        operation: ``invoke_workflow``, ``invoke_agent``, ``execute_tool`` or ``task``.
        name: The workflow, agent or tool name.
        agent: For a tool: the agent run it belongs to (default: the current agent).
        parent: The span context to open under (default: the current one).
        at: When it started (a :func:`time.perf_counter` reading; default now).
    """
    rt = current()
    if rt is None:
        return None
    scope = Scope(rt, _KINDS[operation], name, outer=agent, parent=parent)
    scope.open(at)
    return scope


def _wrap(fn: Callable[..., Any], kind: _Kind, name: str) -> Callable[..., Any]:
    if inspect.isasyncgenfunction(fn):
        return _wrap_async_generator(fn, kind, name)
    if inspect.isgeneratorfunction(fn):
        return _wrap_generator(fn, kind, name)
    if inspect.iscoroutinefunction(fn):
        return _wrap_coroutine(fn, kind, name)
    return _wrap_function(fn, kind, name)


def _wrap_function(fn: Callable[..., Any], kind: _Kind, name: str) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        rt = current()
        if rt is None:
            return fn(*args, **kwargs)
        scope = Scope(rt, kind, name)
        scope.open()
        tokens = scope.activate()
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:
            scope.deactivate(tokens)
            scope.close(exc)
            raise
        scope.deactivate(tokens)
        scope.close(None)
        return result

    return wrapper


def _wrap_coroutine(fn: Callable[..., Any], kind: _Kind, name: str) -> Callable[..., Any]:
    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        rt = current()
        if rt is None:
            return await fn(*args, **kwargs)
        scope = Scope(rt, kind, name)
        scope.open()
        tokens = scope.activate()
        try:
            result = await fn(*args, **kwargs)
        except BaseException as exc:
            scope.deactivate(tokens)
            scope.close(exc)
            raise
        scope.deactivate(tokens)
        scope.close(None)
        return result

    return wrapper


def _wrap_generator(fn: Callable[..., Any], kind: _Kind, name: str) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        rt = current()
        if rt is None:
            return (yield from fn(*args, **kwargs))
        scope = Scope(rt, kind, name)
        scope.open()
        generator = fn(*args, **kwargs)
        error: BaseException | None = None
        try:
            send: Callable[[Any], Any] = generator.send
            value: Any = None
            while True:
                tokens = scope.activate()
                try:
                    item = send(value)
                except StopIteration as stop:
                    return stop.value
                finally:
                    scope.deactivate(tokens)
                try:
                    value = yield item
                    send = generator.send
                except GeneratorExit:
                    generator.close()
                    raise
                except BaseException as exc:  # thrown in by the caller: pass it on
                    send, value = generator.throw, exc
        except GeneratorExit:
            raise
        except BaseException as exc:
            error = exc
            raise
        finally:
            scope.close(error)

    return wrapper


def _wrap_async_generator(fn: Callable[..., Any], kind: _Kind, name: str) -> Callable[..., Any]:
    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
        rt = current()
        generator = fn(*args, **kwargs)
        if rt is None:
            async for item in generator:
                yield item
            return
        scope = Scope(rt, kind, name)
        scope.open()
        error: BaseException | None = None
        try:
            send: Callable[[Any], Any] = generator.asend
            value: Any = None
            while True:
                tokens = scope.activate()
                try:
                    item = await send(value)
                except StopAsyncIteration:
                    return
                finally:
                    scope.deactivate(tokens)
                try:
                    value = yield item
                    send = generator.asend
                except GeneratorExit:
                    await generator.aclose()
                    raise
                except BaseException as exc:
                    send, value = generator.athrow, exc
        except GeneratorExit:
            raise
        except BaseException as exc:
            error = exc
            raise
        finally:
            scope.close(error)

    return wrapper


class _Decorator:
    """One of the four decorators; usable bare or with a name, typed for both forms."""

    def __init__(self, kind: _Kind, doc: str) -> None:
        self._kind = kind
        self.__doc__ = doc

    @overload
    def __call__(self, fn: F, /) -> F: ...
    @overload
    def __call__(self, name: str | None = None, /) -> Callable[[F], F]: ...

    def __call__(self, name: Any = None, /) -> Any:
        kind = self._kind
        if callable(name):  # used bare: @glassbox.tool
            return _wrap(name, kind, name.__name__)

        def apply(fn: F) -> F:
            label = as_text(name) if as_flag(name) else fn.__name__
            return _wrap(fn, kind, label)  # type: ignore[return-value]

        return apply

    def __repr__(self) -> str:
        return f"<glassbox.{self._kind.operation} decorator>"


workflow = _Decorator(
    _WORKFLOW,
    """Trace a workflow run: an ``invoke_workflow`` span and its duration metric.

    Use bare (``@glassbox.workflow``) or with a name (``@glassbox.workflow("ingest")``).
    """,
)
agent = _Decorator(
    _AGENT,
    """Trace an agent run: an ``invoke_agent`` span, its duration, its tool count.

    Use bare (``@glassbox.agent``) or with a name (``@glassbox.agent("editor")``).
    """,
)
tool = _Decorator(
    _TOOL,
    """Trace a tool execution: an ``execute_tool`` span and its duration metric.

    Use bare (``@glassbox.tool``) or with a name (``@glassbox.tool("archive_search")``).
    """,
)
task = _Decorator(
    _TASK,
    """Trace a unit of work: a ``task`` span and ``glassbox_task_duration_seconds``.

    Use bare (``@glassbox.task``) or with a name (``@glassbox.task("embed")``).
    """,
)
