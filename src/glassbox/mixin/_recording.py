"""Recording rules, named ``level:metric:operations``.

``level`` lists the labels a rule aggregates by (``env_service`` is ``by (env, service)``,
``model`` adds provider and request model, ``le`` keeps histogram buckets), ``metric`` is
the contract's series name and ``operations`` the functions applied (``rate5m``). Every
dashboard panel and alert that aggregates rates or histograms reads these series.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prometheus_client.utils import floatToGoString

from glassbox import semconv as sc
from glassbox.mixin._decisions import Environment
from glassbox.mixin._external import (
    CELERY_QUEUE,
    CELERY_TASK,
    GEN_AI_SYSTEM,
    PROPOSED_TOKEN_COUNTERS,
    TRACELOOP_TOKEN_SUM,
    VLLM_MODEL,
)
from glassbox.prices import price_table
from glassbox.promql import ENV, SERVICE, by, eq, group_on, ne, re_, rule_scope, sel

__all__ = ["PRICE_PROVIDERS", "RATE_LIMITED_ERRORS", "Record", "Records", "recording_groups"]

#: Providers whose ``genai-prices`` table becomes recording rules (cost for any source).
PRICE_PROVIDERS = ("openai", "anthropic")
#: How instrumentations spell a rate-limited call in ``error_type``: Glassbox's
#: ``rate_limited``, ``RateLimitError`` (OpenLIT), ``<class 'openai.RateLimitError'>``
#: (OpenTelemetry openai-v2), ``429`` and ``TooManyRequests`` (HTTP-level sources).
RATE_LIMITED_ERRORS = "(?i).*(rate.?limit|429|too.?many.?requests).*"
#: Scratch label the normalization joins into; dropped by every rule's aggregation.
_SCRATCH = "glassbox_scratch"

S = (ENV, SERVICE)
MODEL = (*S, sc.PROVIDER, sc.REQUEST_MODEL)
LE = "le"


@dataclass(frozen=True)
class Record:
    """One recording rule: the series it writes, the labels it keeps and its expression."""

    name: str
    labels: tuple[str, ...]
    expr: str


def _level(labels: tuple[str, ...]) -> str:
    short = {
        sc.PROVIDER: "provider",
        sc.REQUEST_MODEL: "model",
        sc.OPERATION: "operation",
        sc.WORKFLOW: "workflow",
        sc.AGENT: "agent",
        sc.TOOL: "tool",
        sc.TASK: "task",
        sc.HTTP_ROUTE: "route",
        sc.HTTP_STATUS: "status",
        sc.TOKEN_TYPE: "token_type",
        CELERY_TASK: "task",
    }
    out: list[str] = []
    for label in labels:
        name = short.get(label, label)
        if name == "provider":
            continue  # provider and model always travel together: "model" names both
        out.append(name)
    return "_".join(out)


class Records:
    """The recording rules of one environment, addressable by attribute.

    Args:
        env: The environment (its rate window and selector shape the rules).
    """

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.window = str(env.rate_window)
        self.scope = rule_scope(env.name, env.selector)
        self.groups: dict[str, list[Record]] = {}
        self._group = ""
        self._build()

    # -- helpers ------------------------------------------------------------------------

    def _add(self, labels: tuple[str, ...], metric: str, op: str, expr: str) -> Record:
        record = Record(f"{_level(labels)}:{metric.replace(':', '_')}:{op}", labels, expr)
        self.groups.setdefault(self._group, []).append(record)
        return record

    def _rate(
        self, series: str, labels: tuple[str, ...], *matchers: str, window: str = ""
    ) -> Record:
        w = window or self.window
        expr = f"sum {by(labels)} (rate({sel(series, self.scope, *matchers)}[{w}]))"
        return self._add(labels, series, f"rate{w}", expr)

    def _rate_llm(self, series: str, labels: tuple[str, ...], *matchers: str) -> Record:
        """A rate of a GenAI series from any instrumentation, model and provider filled in."""
        inner = normalized(f"rate({sel(series, self.scope, *matchers)}[{self.window}])")
        return self._add(labels, series, f"rate{self.window}", f"sum {by(labels)} ({inner})")

    def _p95(self, buckets: Record, labels: tuple[str, ...]) -> Record:
        metric = buckets.name.split(":", 1)[1].rsplit(":", 1)[0].removesuffix("_bucket")
        expr = f"histogram_quantile(0.95, sum {by((*labels, LE))} ({buckets.name}))"
        return self._add(labels, metric, f"p95_rate{self.window}", expr)

    # -- the rules ------------------------------------------------------------------------

    def _build(self) -> None:
        self._group = "glassbox-llm.rules"
        count = sc.LLM_DURATION.count
        self.calls = self._rate_llm(count, MODEL)
        self.errors = self._rate_llm(count, (*MODEL, sc.ERROR_TYPE), ne(sc.ERROR_TYPE, ""))
        self.latency_buckets = self._rate_llm(sc.LLM_DURATION.bucket, (*MODEL, LE))
        self.latency_p95 = self._p95(self.latency_buckets, S)
        self.latency_p95_model = self._p95(self.latency_buckets, MODEL)
        self.ttfc_buckets = self._rate_llm(sc.LLM_TIME_TO_FIRST_CHUNK.bucket, (*MODEL, LE))
        self.ttfc_p95_model = self._p95(self.ttfc_buckets, MODEL)
        self.chunk_buckets = self._rate_llm(sc.LLM_TIME_PER_OUTPUT_CHUNK.bucket, (*MODEL, LE))
        self.chunk_p95_model = self._p95(self.chunk_buckets, MODEL)
        self.tokens = self._tokens((*S, sc.OPERATION, sc.PROVIDER, sc.REQUEST_MODEL, sc.TOKEN_TYPE))
        self.retries = self._rate(sc.LLM_RETRIES.total, MODEL)
        self.rate_limited = self._rate_limited()
        self.llm_tool_calls = self._rate(sc.LLM_TOOL_CALLS.total, MODEL)
        self.sdk_services = self._add(
            S,
            sc.LLM_TOKENS.total,
            "present",
            f"group {by(S)} ({sel(sc.LLM_TOKENS.total, self.scope)})",
        )

        self._group = "glassbox-prices.rules"
        self.prices = price_table(PRICE_PROVIDERS)
        self.price = self._add(
            (sc.PROVIDER, sc.REQUEST_MODEL, sc.TOKEN_TYPE),
            "glassbox_llm_price_usd_per_token",
            "value",
            "vector(0)",
        )  # one rule per price table entry, filled by recording_groups()
        self.groups[self._group] = []

        self._group = "glassbox-cost.rules"
        self.unpriced = self._unpriced()
        attribution = (*S, sc.OPERATION, sc.PROVIDER, sc.REQUEST_MODEL, sc.TEAM, sc.TENANT)
        self.cost = self._cost(attribution)
        team = (*S, sc.TEAM)
        self.cost_1d = self._add(
            team,
            sc.LLM_COST.total,
            "increase1d",
            f"sum {by(team)} (increase({sel(sc.LLM_COST.total, self.scope)}[1d]))\n"
            f" or sum {by(team)} (avg_over_time({sel(self.cost.name, self.scope)}[1d]) * 86400"
            f" unless on ({ENV}, {SERVICE}) {sel(self.sdk_services.name, self.scope)})",
        )  # services without the SDK: their priced token rate, averaged over the day
        self.budget_team = self._add(
            (ENV, sc.TEAM), "glassbox_budget_usd_per_day", "value", "vector(0)"
        )  # the expressions are filled per team by recording_groups()
        self.budget_env = self._add((ENV,), "glassbox_budget_usd_per_day", "value", "vector(0)")
        self.groups[self._group] = [
            r for r in self.groups[self._group] if r not in (self.budget_team, self.budget_env)
        ]

        self._group = "glassbox-agents.rules"
        self.workflows = self._rate(sc.WORKFLOW_DURATION.count, (*S, sc.WORKFLOW, sc.ERROR_TYPE))
        self.workflow_buckets = self._rate(sc.WORKFLOW_DURATION.bucket, (*S, sc.WORKFLOW, LE))
        self.agents = self._rate(sc.AGENT_DURATION.count, (*S, sc.AGENT, sc.ERROR_TYPE))
        self.agent_buckets = self._rate(sc.AGENT_DURATION.bucket, (*S, sc.AGENT, LE))
        self.tools = self._rate(sc.TOOL_DURATION.count, (*S, sc.AGENT, sc.TOOL, sc.ERROR_TYPE))
        self.tool_buckets = self._rate(sc.TOOL_DURATION.bucket, (*S, sc.TOOL, LE))
        self.tool_calls_per_run_buckets = self._rate(sc.AGENT_TOOL_CALLS.bucket, (*S, sc.AGENT, LE))
        self.tool_calls_per_run_p95 = self._p95(self.tool_calls_per_run_buckets, (*S, sc.AGENT))
        self.tasks = self._rate(sc.TASK_DURATION.count, (*S, sc.TASK, sc.ERROR_TYPE))

        self._group = "glassbox-queues.rules"
        q = (*S, sc.QUEUE)
        self.enqueued = self._rate(sc.QUEUE_ENQUEUED.total, q)
        self.queue_tasks = self._rate(sc.QUEUE_TASKS.total, (*q, sc.OUTCOME))
        self.queue_wait_buckets = self._rate(sc.QUEUE_WAIT.bucket, (*q, LE))
        self.queue_wait_p95 = self._p95(self.queue_wait_buckets, q)
        self.queue_task_buckets = self._rate(sc.QUEUE_TASK_DURATION.bucket, (*q, LE))
        self.queue_task_p95 = self._p95(self.queue_task_buckets, q)
        self.pipeline_items = self._rate(sc.PIPELINE_ITEMS.total, (*S, sc.STAGE, sc.OUTCOME))
        self.cache_requests = self._rate(sc.CACHE_REQUESTS.total, (*S, sc.CACHE, sc.RESULT))

        ct = (*S, CELERY_TASK)
        self.celery_succeeded = self._rate("celery_task_succeeded_total", ct)
        self.celery_failed = self._rate("celery_task_failed_total", ct)
        self.celery_retried = self._rate("celery_task_retried_total", ct)
        self.celery_sent = self._rate("celery_task_sent_total", (*S, CELERY_QUEUE))
        self.celery_runtime_p95 = self._p95(
            self._rate(sc.CELERY_TASK_RUNTIME.bucket, (*ct, LE)), ct
        )

        self._group = "glassbox-http.rules"
        self.http_requests = self._rate(sc.HTTP_DURATION.count, (*S, sc.HTTP_ROUTE, sc.HTTP_STATUS))
        self.http_buckets = self._rate(sc.HTTP_DURATION.bucket, (*S, sc.HTTP_ROUTE, LE))
        self.http_p95_route = self._p95(self.http_buckets, (*S, sc.HTTP_ROUTE))

        self._group = "glassbox-telemetry.rules"
        self.dropped = self._rate(sc.TELEMETRY_DROPPED.total, (*S, sc.SIGNAL))
        self.instrumentation_errors = self._rate(
            sc.INSTRUMENTATION_ERRORS.total, (*S, sc.COMPONENT)
        )
        self.folded = self._rate(sc.CARDINALITY_FOLDED.total, (*S, sc.LABEL))
        self.redactions = self._rate(sc.REDACTIONS.total, (*S, sc.ENTITY_TYPE))
        self.budget_blocked = self._rate(sc.BUDGET_BLOCKED.total, (*S, sc.BUDGET))

        self._group = "glassbox-serving.rules"
        v = (*S, VLLM_MODEL)
        self.vllm_ttft_buckets = self._rate("vllm:time_to_first_token_seconds_bucket", (*v, LE))
        self.vllm_ttft_p95 = self._p95(self.vllm_ttft_buckets, v)
        itl = self._rate("vllm:inter_token_latency_seconds_bucket", (*v, LE))
        legacy = (
            f"rate({sel('vllm:time_per_output_token_seconds_bucket', self.scope)}[{self.window}])"
        )
        self.vllm_itl_buckets = Record(
            itl.name, itl.labels, f"{itl.expr} or sum {by((*v, LE))} ({legacy})"
        )
        self.groups[self._group][-1] = self.vllm_itl_buckets
        self.vllm_itl_p95 = self._p95(self.vllm_itl_buckets, v)
        self.vllm_stage_p95: dict[str, Record] = {}
        for stage, series in (
            ("queue", "vllm:request_queue_time_seconds_bucket"),
            ("prefill", "vllm:request_prefill_time_seconds_bucket"),
            ("decode", "vllm:request_decode_time_seconds_bucket"),
            ("e2e", "vllm:e2e_request_latency_seconds_bucket"),
        ):
            self.vllm_stage_p95[stage] = self._p95(self._rate(series, (*v, LE)), v)
        self.sglang_ttft_p95 = self._p95(
            self._rate("sglang:time_to_first_token_seconds_bucket", (*v, LE)), v
        )
        self.tgi_queue_p95 = self._p95(self._rate("tgi_request_queue_duration_bucket", (*S, LE)), S)
        self.tgi_inference_p95 = self._p95(
            self._rate("tgi_request_inference_duration_bucket", (*S, LE)), S
        )
        self.llamacpp_output_tokens = self._rate("llamacpp:tokens_predicted_total", S)
        self.llamacpp_prompt_tokens = self._rate("llamacpp:prompt_tokens_total", S)
        self.vllm_preemptions = self._rate("vllm:num_preemptions_total", v)
        self.vllm_prefix_queries = self._rate("vllm:prefix_cache_queries_total", v)
        self.vllm_prefix_hits = self._rate("vllm:prefix_cache_hits_total", v)

        self._group = "glassbox-slo.rules"
        slos = self.env.slos
        windows = sorted(
            {str(w) for pair in (*slos.page_windows, *slos.ticket_windows) for w in pair[:2]},
            key=lambda w: _seconds(w),
        )
        self.slo_errors: dict[str, Record] = {}
        self.slo_slow: dict[str, Record] = {}
        le = floatToGoString(slos.latency_threshold_seconds)  # type: ignore[no-untyped-call]
        failed, fast_le = ne(sc.ERROR_TYPE, ""), eq(LE, le)
        for w in windows:
            total = f"sum {by(S)} (rate({sel(count, self.scope)}[{w}]))"
            bad = f"sum {by(S)} (rate({sel(count, self.scope, failed)}[{w}]))"
            fast = f"sum {by(S)} (rate({sel(sc.LLM_DURATION.bucket, self.scope, fast_le)}[{w}]))"
            self.slo_errors[w] = self._add(
                S, sc.LLM_DURATION.name, f"error_ratio_rate{w}", f"({bad} or 0 * {total}) / {total}"
            )
            self.slo_slow[w] = self._add(
                S, sc.LLM_DURATION.name, f"slow_ratio_rate{w}", f"1 - {fast} / {total}"
            )

    # -- GenAI telemetry from any instrumentation --------------------------------------

    def _tokens(self, labels: tuple[str, ...]) -> Record:
        """Tokens per second by kind: the SDK's counter, else any source's token series.

        Glassbox's counter knows cache and reasoning tokens; every semconv source has input
        and output in the token-usage histogram's ``_sum`` (Traceloop with a ``_token``
        unit suffix), and the proposed semconv revision has one counter per kind. ``or``
        keeps the first source of each label set, so a service is never counted twice.
        """
        w, agg = self.window, f"sum {by(labels)}"
        parts = [f"{agg} (rate({sel(sc.LLM_TOKENS.total, self.scope)}[{w}]))"]
        parts.extend(
            f"{agg} ({normalized(f'rate({sel(series, self.scope)}[{w}])')})"
            for series in (sc.LLM_TOKEN_USAGE.sum, TRACELOOP_TOKEN_SUM)
        )
        parts.extend(
            f"{agg} ({normalized(_typed(f'rate({sel(series, self.scope)}[{w}])', kind))})"
            for kind, series in PROPOSED_TOKEN_COUNTERS.items()
        )
        return self._add(labels, sc.LLM_TOKENS.total, f"rate{w}", "\n or ".join(parts))

    def _rate_limited(self) -> Record:
        """429s per second: the SDK's counter (retries included), else ``error_type``."""
        w = self.window
        sdk = f"sum {by(MODEL)} (rate({sel(sc.LLM_RATE_LIMITED.total, self.scope)}[{w}]))"
        failed = sel(sc.LLM_DURATION.count, self.scope, re_(sc.ERROR_TYPE, RATE_LIMITED_ERRORS))
        other = f"sum {by(MODEL)} ({normalized(f'rate({failed}[{w}])')})"
        return self._add(MODEL, sc.LLM_RATE_LIMITED.total, f"rate{w}", f"{sdk}\n or {other}")

    def _unpriced(self) -> Record:
        """Calls whose model has no price: the SDK's counter, else calls not in the table."""
        w = self.window
        sdk = f"sum {by(MODEL)} (rate({sel(sc.LLM_UNPRICED.total, self.scope)}[{w}]))"
        keys = (sc.PROVIDER, sc.REQUEST_MODEL)
        other = (
            f"({sel(self.calls.name, self.scope)} unless on ({', '.join(keys)})"
            f" {group_on(keys, self.price.name)})"
            f" unless on ({ENV}, {SERVICE}) {sel(self.sdk_services.name, self.scope)}"
        )
        return self._add(MODEL, sc.LLM_UNPRICED.total, f"rate{w}", f"{sdk}\n or {other}")

    def _cost(self, attribution: tuple[str, ...]) -> Record:
        """USD per second: the SDK's cost counter, else token rate × the price table.

        Services that run the Glassbox SDK keep its own cost (overrides, tiers and
        attribution included); every other service is priced from its token series.
        """
        w = self.window
        sdk = f"sum {by(attribution)} (rate({sel(sc.LLM_COST.total, self.scope)}[{w}]))"
        keys = ", ".join((sc.PROVIDER, sc.REQUEST_MODEL, sc.TOKEN_TYPE))
        priced = (
            f"{sel(self.tokens.name, self.scope)} * on ({keys}) group_left {self.price.name}"
            f" unless on ({ENV}, {SERVICE}) {sel(self.sdk_services.name, self.scope)}"
        )
        plain = tuple(label for label in attribution if label not in (sc.TEAM, sc.TENANT))
        return self._add(
            attribution, sc.LLM_COST.total, f"rate{w}", f"{sdk}\n or sum {by(plain)} ({priced})"
        )


def _typed(vector: str, kind: str) -> str:
    """``vector`` with ``gen_ai_token_type`` set to ``kind`` (one counter per kind)."""
    return f'label_replace({vector}, "{sc.TOKEN_TYPE}", "{kind}", "", "")'


def normalized(vector: str) -> str:
    """``vector`` with the request model and provider filled in where a source omits them.

    Traceloop sends no ``gen_ai_request_model`` (the response model stands in) and older
    sources send ``gen_ai_system`` instead of ``gen_ai_provider_name``. Each label is
    joined with its stand-in into a scratch label; the replacement regex matches only when
    the label itself is empty, so series that carry it are unchanged. The caller's
    aggregation drops the scratch label.
    """
    out = vector
    for label, stand_in in ((sc.REQUEST_MODEL, sc.RESPONSE_MODEL), (sc.PROVIDER, GEN_AI_SYSTEM)):
        joined = f'label_join({out}, "{_SCRATCH}", ";", "{label}", "{stand_in}")'
        out = f'label_replace({joined}, "{label}", "$1", "{_SCRATCH}", ";(.+)")'
    return out


def _seconds(window: str) -> float:
    import promql_parser

    return float(promql_parser.parse_duration(window).total_seconds())


def recording_groups(records: Records) -> list[dict[str, Any]]:
    """The Prometheus rule groups (``groups:`` entries) of ``records``, budgets included."""
    env = records.env
    interval = str(env.evaluation_interval)
    out: list[dict[str, Any]] = []
    for name, rules in records.groups.items():
        rendered: list[dict[str, Any]] = [{"record": r.name, "expr": r.expr} for r in rules]
        if name == "glassbox-prices.rules":
            rendered = [
                {
                    "record": records.price.name,
                    "expr": f"vector({entry.usd_per_token:.6g})",
                    "labels": {
                        sc.PROVIDER: entry.provider,
                        sc.REQUEST_MODEL: entry.model,
                        sc.TOKEN_TYPE: entry.token_type,
                    },
                }
                for entry in records.prices
            ]
        if name == "glassbox-cost.rules":
            if env.budget_usd_per_day is not None:
                rendered.append(
                    {
                        "record": records.budget_env.name,
                        "expr": f"vector({env.budget_usd_per_day:g})",
                        "labels": {ENV: env.name},
                    }
                )
            for team, spec in sorted(env.teams.items()):
                if spec.budget_usd_per_day is not None:
                    rendered.append(
                        {
                            "record": records.budget_team.name,
                            "expr": f"vector({spec.budget_usd_per_day:g})",
                            "labels": {ENV: env.name, sc.TEAM: team},
                        }
                    )
        out.append({"name": name, "interval": interval, "rules": rendered})
    return out
