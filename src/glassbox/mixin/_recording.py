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
from glassbox.mixin._external import VLLM_MODEL
from glassbox.promql import ENV, SERVICE, by, eq, ne, rule_scope, sel

__all__ = ["Record", "Records", "recording_groups"]

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

    def _p95(self, buckets: Record, labels: tuple[str, ...]) -> Record:
        metric = buckets.name.split(":", 1)[1].rsplit(":", 1)[0].removesuffix("_bucket")
        expr = f"histogram_quantile(0.95, sum {by((*labels, LE))} ({buckets.name}))"
        return self._add(labels, metric, f"p95_rate{self.window}", expr)

    # -- the rules ------------------------------------------------------------------------

    def _build(self) -> None:
        self._group = "glassbox-llm.rules"
        count = sc.LLM_DURATION.count
        self.calls = self._rate(count, MODEL)
        self.errors = self._rate(count, (*MODEL, sc.ERROR_TYPE), ne(sc.ERROR_TYPE, ""))
        self.latency_buckets = self._rate(sc.LLM_DURATION.bucket, (*MODEL, LE))
        self.latency_p95 = self._p95(self.latency_buckets, S)
        self.latency_p95_model = self._p95(self.latency_buckets, MODEL)
        self.ttfc_buckets = self._rate(sc.LLM_TIME_TO_FIRST_CHUNK.bucket, (*MODEL, LE))
        self.ttfc_p95_model = self._p95(self.ttfc_buckets, MODEL)
        self.chunk_buckets = self._rate(sc.LLM_TIME_PER_OUTPUT_CHUNK.bucket, (*MODEL, LE))
        self.chunk_p95_model = self._p95(self.chunk_buckets, MODEL)
        self.tokens = self._rate(sc.LLM_TOKENS.total, (*MODEL, sc.TOKEN_TYPE))
        self.retries = self._rate(sc.LLM_RETRIES.total, MODEL)
        self.rate_limited = self._rate(sc.LLM_RATE_LIMITED.total, MODEL)
        self.unpriced = self._rate(sc.LLM_UNPRICED.total, MODEL)
        self.llm_tool_calls = self._rate(sc.LLM_TOOL_CALLS.total, MODEL)

        self._group = "glassbox-cost.rules"
        attribution = (*S, sc.OPERATION, sc.PROVIDER, sc.REQUEST_MODEL, sc.TEAM, sc.TENANT)
        self.cost = self._rate(sc.LLM_COST.total, attribution)
        team = (*S, sc.TEAM)
        self.cost_1d = self._add(
            team,
            sc.LLM_COST.total,
            "increase1d",
            f"sum {by(team)} (increase({sel(sc.LLM_COST.total, self.scope)}[1d]))",
        )
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

        self._group = "glassbox-http.rules"
        self.http_requests = self._rate(sc.HTTP_DURATION.count, (*S, sc.HTTP_ROUTE, sc.HTTP_STATUS))
        self.http_buckets = self._rate(sc.HTTP_DURATION.bucket, (*S, sc.HTTP_ROUTE, LE))

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
