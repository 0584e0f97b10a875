"""Property-based: arbitrary values at every public SDK entry point never raise into the caller.

Hypothesis throws values of every shape (``None``, ``nan``, huge integers, lone
surrogates, nested containers, objects whose ``repr`` fails) at the names in
``glassbox.__all__`` that record telemetry and at the installed logging pipeline
(structlog and the standard ``logging`` bridge, with the real redactor). The only
exceptions allowed out are the user's own (re-raised unchanged) and the two Glassbox
raises on purpose: :class:`~glassbox.ConfigError` from ``init()`` and
:class:`~glassbox.BudgetExceededError` (no budgets are enforced here). Every log line
that was written must still be valid JSON.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import glassbox
from glassbox.testing import Telemetry, capture


class _Hostile:
    """An object whose ``repr``/``str`` raise, as some ORM proxies do."""

    def __repr__(self) -> str:
        raise RuntimeError("repr failed")

    __str__ = __repr__

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # for Hypothesis' reports
        printer.text("<_Hostile>")


def _deep(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"x": value}
    return value


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=3),
    st.binary(max_size=20),
    st.builds(_Hostile),
    st.builds(object),
    st.builds(_deep, st.just(300)),
    st.sampled_from([4111111111111111, "+1 415 555 0132", "alice@example.com"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.integers(), st.none()), inner, max_size=4
        ),
    ),
    max_leaves=8,
)
keywords = st.dictionaries(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(
        lambda k: k not in {"event", "self"}
    ),
    values,
    max_size=4,
)
USAGE_FIELDS = [
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
]
HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    """One live runtime for all examples of a test, content capture on."""
    with capture(capture_content=True) as recorded:
        yield recorded
    assert glassbox.current_attributes() == {}


def _lines_are_json(telemetry: Telemetry) -> None:
    assert telemetry.runtime is glassbox._runtime.current(), "the runtime must be live"
    telemetry.logs()  # parses every line written so far; raises on an invalid one


@HYPOTHESIS
@given(
    provider=values,
    model=values,
    operation=values,
    stream=values,
    usage=st.dictionaries(st.sampled_from(USAGE_FIELDS), values),
    response=st.dictionaries(st.sampled_from(["model", "response_id", "finish_reasons"]), values),
    request=keywords,
    anything=values,
)
def test_llm_call_never_raises(
    telemetry: Telemetry,
    provider: Any,
    model: Any,
    operation: Any,
    stream: Any,
    usage: dict[str, Any],
    response: dict[str, Any],
    request: dict[str, Any],
    anything: Any,
) -> None:
    with glassbox.llm_call(provider, model, operation, stream=stream, request=request) as call:
        call.chunk()
        call.set_usage(**usage)
        call.set_response(**response)
        call.set_request(**request)
        call.tool_calls(anything)
        call.set_error(anything)
        call.retry(rate_limited=anything)
        call.capture_input(anything)
        call.capture_output(anything)
        call.chunk()
    call.end(None)  # a second end is a no-op
    _lines_are_json(telemetry)


class UserError(Exception):
    pass


@HYPOTHESIS
@given(usage=values)
def test_user_exceptions_propagate_unchanged(telemetry: Telemetry, usage: Any) -> None:
    error = UserError("the provider said no")

    def provider_call() -> None:
        with glassbox.llm_call("openai", "gpt-4o") as call:
            call.set_usage(input_tokens=usage)
            raise error

    with pytest.raises(UserError) as info:
        provider_call()
    assert info.value is error


@HYPOTHESIS
@given(name=values, count=values, outcome=values, depth=values, stamp=values, hit=values)
def test_queues_stages_and_caches_never_raise(
    telemetry: Telemetry, name: Any, count: Any, outcome: Any, depth: Any, stamp: Any, hit: Any
) -> None:
    queue = glassbox.queue(name)
    queue.enqueued(count)
    queue.dequeued(stamp)
    with queue.processing(stamp) as task:
        task.retry()
    queue.set_depth(depth)
    queue.outcome(outcome, count)
    glassbox.stage(name).processed(outcome, count)
    cache = glassbox.cache(name)
    cache.hit(count)
    cache.miss(count)
    cache.record(hit, count)


@HYPOTHESIS
@given(name=values, attributes=keywords, request_id=values, argument=values)
def test_decorators_and_context_never_raise(
    telemetry: Telemetry, name: Any, attributes: dict[str, Any], request_id: Any, argument: Any
) -> None:
    @glassbox.tool(name)
    def tool(value: Any) -> Any:
        return value

    @glassbox.agent(name)
    async def agent(value: Any) -> Any:
        return tool(value)

    @glassbox.workflow(name)
    def workflow(value: Any) -> Any:
        yield from [value]

    with glassbox.attributes(**attributes), glassbox.request_id(request_id):
        assert tool(argument) is argument
        assert asyncio.run(agent(argument)) is argument
        assert list(workflow(argument)) == [argument]
        with glassbox.llm_call("openai", "gpt-4o") as call:
            call.set_usage(input_tokens=1, output_tokens=1)
        logging.getLogger("app").info("inside")
    assert glassbox.current_attributes() == {}
    _lines_are_json(telemetry)


@HYPOTHESIS
@given(event=values, fields=keywords, args=st.lists(values, max_size=3))
def test_the_logging_pipeline_never_raises_and_writes_every_line(
    telemetry: Telemetry, event: Any, fields: dict[str, Any], args: list[Any]
) -> None:
    before = len(telemetry.logs())
    structlog.get_logger("app").info(event, **fields)
    structlog.get_logger("app").warning("with fields", **fields)
    logging.getLogger("app").warning("stdlib %s", args)
    try:
        raise ValueError("failed with alice@example.com")
    except ValueError:
        structlog.get_logger("app").exception("boom", **fields)
        logging.getLogger("app").exception("boom %s", args)
    lines = telemetry.logs()  # every line is valid JSON
    assert len(lines) == before + 5, "a line was dropped"
    for line in lines[before:]:
        json.dumps(line)  # and only JSON types


def test_shutdown_twice_and_calls_after_it_never_raise() -> None:
    with capture():
        pass
    glassbox.shutdown()
    glassbox.shutdown()
    with glassbox.llm_call("openai", "gpt-4o") as call:
        call.set_usage(input_tokens=float("nan"))
    glassbox.queue("q").set_depth("abc")
