from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glassbox
from glassbox import _runtime
from glassbox.testing import Telemetry, capture

MODEL = "gpt-4o-mini"
LABELS = {
    "gen_ai_operation_name": "chat",
    "gen_ai_provider_name": "openai",
    "gen_ai_request_model": MODEL,
}


def test_call_records_duration_tokens_span_and_log(telemetry: Telemetry) -> None:
    with glassbox.llm_call("openai", MODEL, request={"temperature": 0.2, "max_tokens": 64}) as call:
        call.set_usage(
            input_tokens=812, output_tokens=95, cache_read_tokens=512, reasoning_tokens=20
        )
        call.set_response(
            model="gpt-4o-mini-2024-07-18", response_id="resp-1", finish_reasons=["stop"]
        )
    value = telemetry.value
    assert (
        value(
            "gen_ai_client_operation_duration_seconds_count",
            **LABELS,
            error_type="",
            gen_ai_response_model="gpt-4o-mini-2024-07-18",
        )
        == 1
    )
    assert value("gen_ai_client_token_usage_sum", gen_ai_token_type="input") == 812
    assert value("gen_ai_client_token_usage_sum", gen_ai_token_type="output") == 95
    # 812 falls in the (256, 1024] bucket of the semconv token layout
    assert value("gen_ai_client_token_usage_bucket", gen_ai_token_type="input", le="256.0") == 0
    assert value("gen_ai_client_token_usage_bucket", gen_ai_token_type="input", le="1024.0") == 1
    for kind, count in {"input": 812, "output": 95, "cache_read": 512, "reasoning": 20}.items():
        assert value("glassbox_llm_tokens_total", gen_ai_token_type=kind) == count
    assert value("glassbox_llm_tokens_total", gen_ai_token_type="cache_write") == 0
    assert value("glassbox_llm_calls_in_flight") == 0

    (span,) = telemetry.spans()
    attributes = dict(span.attributes or {})
    assert span.name == "chat gpt-4o-mini"
    assert span.kind.name == "CLIENT"
    assert attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.provider.name"] == "openai"
    assert attributes["gen_ai.request.model"] == MODEL
    assert attributes["gen_ai.request.temperature"] == 0.2
    assert attributes["gen_ai.request.max_tokens"] == 64
    assert attributes["gen_ai.response.model"] == "gpt-4o-mini-2024-07-18"
    assert attributes["gen_ai.response.id"] == "resp-1"
    assert tuple(attributes["gen_ai.response.finish_reasons"]) == ("stop",)
    assert attributes["gen_ai.usage.input_tokens"] == 812
    assert attributes["gen_ai.usage.output_tokens"] == 95
    assert attributes["gen_ai.usage.cache_read.input_tokens"] == 512
    assert attributes["glassbox.cost.usd"] > 0

    (line,) = telemetry.logs(event="gen_ai.call")
    assert line["trace_id"] == format(span.context.trace_id, "032x")
    assert line["span_id"] == format(span.context.span_id, "016x")
    assert line["input_tokens"] == 812
    assert line["level"] == "info"
    assert line["service"] == "test"


def test_streaming_records_time_to_first_chunk_and_each_chunk_interval(
    telemetry: Telemetry,
) -> None:
    with glassbox.llm_call("openai", MODEL, stream=True) as call:
        for _ in range(10):
            call.chunk()
        call.set_usage(input_tokens=10, output_tokens=10)
    assert telemetry.value("gen_ai_client_operation_time_to_first_chunk_seconds_count") == 1
    assert telemetry.value("gen_ai_client_operation_time_per_output_chunk_seconds_count") == 9
    inf = telemetry.value("gen_ai_client_operation_time_per_output_chunk_seconds_bucket", le="+Inf")
    assert inf == 9  # the batched observation keeps buckets cumulative and consistent
    (span,) = telemetry.spans()
    assert span.attributes is not None
    assert span.attributes["glassbox.chunks"] == 10


def test_non_streaming_call_has_no_chunk_metrics(telemetry: Telemetry) -> None:
    with glassbox.llm_call("openai", MODEL):
        pass
    assert telemetry.value("gen_ai_client_operation_time_to_first_chunk_seconds_count") == 0


class ProviderBoom(RuntimeError):
    pass


def test_exceptions_propagate_unchanged_with_error_type(telemetry: Telemetry) -> None:
    original = ProviderBoom("upstream said no")
    with pytest.raises(ProviderBoom) as info, glassbox.llm_call("openai", MODEL):
        raise original
    assert info.value is original
    assert (
        telemetry.value("gen_ai_client_operation_duration_seconds_count", error_type="ProviderBoom")
        == 1
    )
    (span,) = telemetry.spans()
    assert span.status.status_code.name == "ERROR"
    assert span.attributes is not None
    assert span.attributes["error.type"] == "ProviderBoom"
    assert [e.name for e in span.events] == ["exception"]
    (line,) = telemetry.logs(event="gen_ai.call")
    assert line["level"] == "warning"
    assert line["error_type"] == "ProviderBoom"


def test_fixed_error_kind_overrides_class_name_and_marks_failure_without_exception(
    telemetry: Telemetry,
) -> None:
    def timed_out() -> None:
        with glassbox.llm_call("openai", MODEL) as call:
            call.set_error("timeout")
            raise TimeoutError

    with pytest.raises(TimeoutError):
        timed_out()
    with glassbox.llm_call("openai", MODEL, stream=True) as call:
        call.chunk()
        call.set_error("server_error")  # stream broke; the user's code swallowed it
    assert (
        telemetry.value("gen_ai_client_operation_duration_seconds_count", error_type="timeout") == 1
    )
    assert (
        telemetry.value("gen_ai_client_operation_duration_seconds_count", error_type="server_error")
        == 1
    )
    assert telemetry.value("gen_ai_client_operation_duration_seconds_count", error_type="") == 0


def test_a_rate_limited_failure_counts_its_final_429(telemetry: Telemetry) -> None:
    with glassbox.llm_call("openai", MODEL) as call:
        call.retry(rate_limited=True)  # first 429, retried
        call.set_error("rate_limited")  # second 429, given up
    assert telemetry.value("glassbox_llm_rate_limited_total") == 2
    assert telemetry.value("glassbox_llm_retries_total") == 1


def test_retries_rate_limits_and_tool_calls(telemetry: Telemetry) -> None:
    with glassbox.llm_call("openai", MODEL) as call:
        call.retry(rate_limited=True)
        call.retry()
        call.tool_calls(["archive_search", "stats_lookup"])
    assert telemetry.value("glassbox_llm_retries_total") == 2
    assert telemetry.value("glassbox_llm_rate_limited_total") == 1
    assert telemetry.value("glassbox_llm_tool_calls_total") == 2
    (span,) = telemetry.spans()
    assert span.attributes is not None
    assert tuple(span.attributes["glassbox.tool_call_names"]) == ("archive_search", "stats_lookup")
    assert span.attributes["glassbox.retries"] == 2


async def test_async_context_manager(telemetry: Telemetry) -> None:
    async with glassbox.llm_call("anthropic", "claude-3-5-haiku-latest") as call:
        await asyncio.sleep(0)
        call.set_usage(input_tokens=5, output_tokens=7)
    assert (
        telemetry.value(
            "gen_ai_client_operation_duration_seconds_count", gen_ai_provider_name="anthropic"
        )
        == 1
    )
    assert telemetry.value("glassbox_llm_tokens_total", gen_ai_token_type="output") == 7


def test_manual_start_end_for_calls_that_outlive_a_block(telemetry: Telemetry) -> None:
    call = glassbox.llm_call("openai", MODEL, stream=True).start()
    assert telemetry.value("glassbox_llm_calls_in_flight") == 1
    call.chunk()
    call.end()
    call.end()  # idempotent
    assert telemetry.value("glassbox_llm_calls_in_flight") == 0
    assert telemetry.value("gen_ai_client_operation_duration_seconds_count") == 1


def test_exemplars_carry_the_trace_id_in_openmetrics(telemetry: Telemetry) -> None:
    with glassbox.llm_call("openai", MODEL) as call:
        call.set_usage(input_tokens=100, output_tokens=10)
    (span,) = telemetry.spans()
    trace_id = format(span.context.trace_id, "032x")
    text = telemetry.exposition(openmetrics=True)
    duration_lines = [
        line
        for line in text.splitlines()
        if line.startswith("gen_ai_client_operation_duration_seconds_bucket")
    ]
    assert any(f'# {{trace_id="{trace_id}"}}' in line for line in duration_lines)
    cost_lines = [
        line for line in text.splitlines() if line.startswith("glassbox_llm_cost_usd_total")
    ]
    assert len(cost_lines) == 2  # input and output cost
    # one exemplar per call, on the largest share (100 input tokens cost more than 10 output)
    (with_exemplar,) = [line for line in cost_lines if f'trace_id="{trace_id}"' in line]
    assert 'gen_ai_token_type="input"' in with_exemplar
    assert "trace_id" not in telemetry.exposition(
        openmetrics=False
    )  # classic text has no exemplars


def test_content_is_not_captured_unless_enabled(telemetry: Telemetry) -> None:
    with glassbox.llm_call("openai", MODEL) as call:
        assert call.capture_enabled is False
        call.capture_input([{"role": "user", "content": "hello"}])
    (span,) = telemetry.spans()
    assert "gen_ai.input.messages" not in (span.attributes or {})


def test_captured_content_passes_the_redactor() -> None:
    from glassbox.testing import capture

    class Upper:
        def redact(self, text: str) -> str:
            return text.replace("secret", "<SECRET>")

    with capture(capture_content=True) as telemetry:
        telemetry.runtime.redactor = Upper()
        with glassbox.llm_call("openai", MODEL) as call:
            assert call.capture_enabled
            call.capture_input([{"role": "user", "content": "my secret"}])
            call.capture_output("the secret answer")
        (span,) = telemetry.spans()
        assert span.attributes is not None
        assert "<SECRET>" in str(span.attributes["gen_ai.input.messages"])
        assert "secret answer" not in str(span.attributes["gen_ai.output.messages"])


def test_failing_redactor_drops_content_instead_of_writing_it_raw() -> None:
    from glassbox.testing import capture

    class Broken:
        def redact(self, text: str) -> str:
            raise RuntimeError("regex engine exploded")

    with capture(capture_content=True) as telemetry:
        telemetry.runtime.redactor = Broken()
        with glassbox.llm_call("openai", MODEL) as call:
            call.capture_input("card 4111 1111 1111 1111")
        (span,) = telemetry.spans()
        assert "gen_ai.input.messages" not in (span.attributes or {})
        assert (
            telemetry.value("glassbox_instrumentation_errors_total", component="content_capture")
            == 1
        )


def test_internal_failure_never_reaches_the_application(
    telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_cost(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("price data corrupt")

    monkeypatch.setattr(telemetry.runtime.prices, "prices", broken_cost)
    for _ in range(3):
        with glassbox.llm_call("openai", MODEL) as call:
            call.set_usage(input_tokens=1, output_tokens=1)
            result = "the application's own result"
    assert result == "the application's own result"
    assert telemetry.value("glassbox_instrumentation_errors_total", component="llm_call") == 3
    warnings = telemetry.logs(event="glassbox.instrumentation_error")
    assert len(warnings) == 1  # logged once, counted every time
    assert "price data corrupt" in warnings[0]["error"]


def test_before_init_calls_are_noops_that_cost_nothing() -> None:
    assert _runtime.current() is None
    with glassbox.llm_call("openai", MODEL) as call:
        call.chunk()
        call.set_usage(input_tokens=1)
        call.retry()
    assert not call.capture_enabled


def test_in_flight_gauge_counts_open_calls(telemetry: Telemetry) -> None:
    outer = glassbox.llm_call("openai", MODEL).start()
    with glassbox.llm_call("openai", MODEL):
        assert telemetry.value("glassbox_llm_calls_in_flight") == 2
    outer.end()
    assert telemetry.value("glassbox_llm_calls_in_flight") == 0


def test_log_line_is_one_json_object_per_line(telemetry: Telemetry) -> None:
    with glassbox.llm_call("openai", MODEL):
        pass
    telemetry.flush_logs()
    raw = telemetry._log_stream.getvalue()
    assert re.fullmatch(r"(\{.*\}\n)+", raw)


# --- one lookup per call shape (the series a finished call updates, kept together) ---------

_CALL = st.fixed_dictionaries(
    {
        "model": st.sampled_from(["gpt-4o", "gpt-4o-mini"]),
        "response_model": st.sampled_from(["", "gpt-4o-2024-08-06", "not-a-known-model"]),
        "error": st.sampled_from(["", "timeout"]),
        "tenant": st.sampled_from(["", "acme", "globex"]),
        "tokens": st.tuples(*[st.integers(0, 3)] * 5),
    }
)


@settings(max_examples=40, deadline=None)
@given(calls=st.lists(_CALL, max_size=12))
def test_calls_of_every_shape_count_in_their_own_series(calls: list[dict[str, Any]]) -> None:
    """Every series a call updates is its own: sums per label set, no empty token series."""
    kinds = ("input", "output", "cache_read", "cache_write", "reasoning")
    with capture(attribution_labels=["tenant"]) as telemetry:
        for spec in calls:
            with (
                glassbox.attributes(tenant=spec["tenant"]),
                glassbox.llm_call("openai", spec["model"]) as call,
            ):
                call.set_usage(
                    **{f"{kind}_tokens": n for kind, n in zip(kinds, spec["tokens"], strict=True)}
                )
                call.set_response(model=spec["response_model"])
                if spec["error"]:
                    call.set_error(spec["error"])
        for model in ("gpt-4o", "gpt-4o-mini"):
            mine = [c for c in calls if c["model"] == model]
            for index, kind in enumerate(kinds):
                total = sum(c["tokens"][index] for c in mine)
                labels = {"gen_ai_request_model": model, "gen_ai_token_type": kind}
                assert telemetry.value("glassbox_llm_tokens_total", **labels) == total
                if total == 0:  # never reported: no series at all, not a zero one
                    assert not [
                        s for s in telemetry.series("glassbox_llm_tokens_total")
                        if s.items() >= labels.items()
                    ]  # fmt: skip
            for response in ("", "gpt-4o-2024-08-06", "not-a-known-model"):
                for error in ("", "timeout"):
                    count = sum(
                        c["response_model"] == response and c["error"] == error for c in mine
                    )
                    labels = {
                        "gen_ai_request_model": model,
                        "gen_ai_response_model": response,
                        "error_type": error,
                    }
                    duration = "gen_ai_client_operation_duration_seconds_count"
                    assert telemetry.value(duration, **labels) == count
            for tenant in ("", "acme", "globex"):
                spent = [c for c in mine if c["tenant"] == tenant and any(c["tokens"][:4])]
                cost = telemetry.value(
                    "glassbox_llm_cost_usd_total", gen_ai_request_model=model, tenant=tenant
                )
                assert (cost > 0) == bool(
                    spent
                )  # priced: the unknown response model by the request's
        assert telemetry.value("glassbox_llm_calls_in_flight") == 0


def test_a_folded_label_value_is_checked_on_every_call() -> None:
    """A call whose model is past the budget is folded each time, never kept as its own."""
    with capture(cardinality_budgets={"gen_ai_request_model": 1}) as telemetry:
        folds: list[float] = []
        for _ in range(3):
            with glassbox.llm_call("openai", "gpt-4o") as call:
                call.set_usage(input_tokens=10, output_tokens=5)
            before = telemetry.value("glassbox_cardinality_folded_total")
            with glassbox.llm_call("openai", "gpt-4o-mini") as call:  # past the budget
                call.set_usage(input_tokens=1, output_tokens=1)
            folds.append(telemetry.value("glassbox_cardinality_folded_total") - before)
        # every series of the folded call went through the guard again, every time
        assert folds[0] > 1
        assert folds == [folds[0]] * 3
        assert telemetry.value("glassbox_llm_tokens_total", gen_ai_request_model="gpt-4o") == 45
        other = telemetry.value("glassbox_llm_tokens_total", gen_ai_request_model="other")
        assert other == 6


_TOKEN_VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-5, max_value=2**64),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["12", " 7 ", "1e3", "-3", "0x10"]),
)


@settings(max_examples=150, deadline=None)
@given(first=_TOKEN_VALUES, second=_TOKEN_VALUES)
def test_token_counts_are_taken_converted_or_refused_like_as_count(first: Any, second: Any) -> None:
    """A count is kept when it is one (ints taken as they are), converted when it can be,
    refused (and the earlier one kept) otherwise — whatever path the value takes."""
    from glassbox._args import as_count

    with capture() as telemetry:
        with glassbox.llm_call("openai", MODEL) as call:
            call.set_usage(input_tokens=first, reasoning_tokens=first)
            call.set_usage(input_tokens=second, reasoning_tokens=second)
        expected = 0
        for value in (first, second):
            if value is not None and as_count(value) is not None:
                expected = as_count(value)
        (span,) = telemetry.spans()
        attributes = dict(span.attributes or {})
        assert attributes["gen_ai.usage.input_tokens"] == expected
        assert attributes.get("glassbox.usage.reasoning_tokens", 0) == expected
        tokens = telemetry.value("glassbox_llm_tokens_total", gen_ai_token_type="input")
        assert tokens == float(expected)  # a Prometheus value is a float


def test_shapes_with_folded_values_are_not_kept() -> None:
    """Unbounded raw label values cannot fill memory with kept shapes: only shapes whose
    every value passed the cardinality guard are kept, so their number follows the budget."""
    with capture(attribution_labels=["tenant"], cardinality_budgets={"tenant": 3}) as telemetry:
        for index in range(200):
            with (
                glassbox.attributes(tenant=f"tenant-{index}"),
                glassbox.llm_call("openai", MODEL) as call,
            ):
                call.set_usage(input_tokens=10, output_tokens=5)
        kept = telemetry.runtime.metrics._kept
        assert 1 <= len(kept) <= 3
        cost = "glassbox_llm_cost_usd_total"
        assert telemetry.value(cost, tenant="other") > 0  # the rest folded, still counted
        assert telemetry.value("glassbox_llm_tokens_total", gen_ai_token_type="input") == 2000
