"""Alerting rules, following the monitoring-mixins conventions.

Names are CamelCase with the ``Glassbox`` prefix; ``severity`` is critical, warning or
info; ``summary`` is one static sentence; ``description`` is templated from the alert's
labels (never from ``$value``, so that rule tests can state the exact annotation); and
``runbook_url`` points at ``docs/runbooks/<AlertName>.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from glassbox import semconv as sc
from glassbox.mixin._decisions import Environment
from glassbox.mixin._external import VLLM_MODEL
from glassbox.mixin._recording import MODEL, Records, S
from glassbox.promql import ENV, INSTANCE, JOB, SERVICE, by, ne, re_, sel

__all__ = ["Alert", "alert_groups", "alerts"]


@dataclass(frozen=True)
class Alert:
    """One alerting rule.

    Attributes:
        name: CamelCase alert name.
        severity: critical, warning or info.
        expr: The PromQL condition.
        for_: How long the condition must hold.
        labels: The labels every firing alert carries (besides ``severity``).
        summary: One static sentence.
        description: A ``{{ $labels.x }}`` template.
        group: The rule group.
    """

    name: str
    severity: str
    expr: str
    for_: str
    labels: tuple[str, ...]
    summary: str
    description: str
    group: str

    def rule(self, runbook_base_url: str) -> dict[str, Any]:
        """The rule as Prometheus rule-file data."""
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": self.for_,
            "labels": {"severity": self.severity},
            "annotations": {
                "summary": self.summary,
                "description": self.description,
                "runbook_url": f"{runbook_base_url.rstrip('/')}/{self.name}.md",
            },
        }


def _pct(ratio: float) -> str:
    return f"{ratio * 100:g}%"


def _l(label: str) -> str:
    return f"{{{{ $labels.{label} }}}}"


def alerts(env: Environment, records: Records) -> list[Alert]:
    """Every alert of the mixin for ``env``."""
    t, r, w, scope = env.thresholds, records, records.window, records.scope
    crit, warn, info = env.for_("critical"), env.for_("warning"), env.for_("info")
    out: list[Alert] = []

    def add(
        name: str,
        severity: str,
        expr: str,
        labels: tuple[str, ...],
        summary: str,
        description: str,
        group: str,
        for_: str | None = None,
    ) -> None:
        default = {"critical": crit, "warning": warn, "info": info}[severity]
        out.append(
            Alert(name, severity, expr, for_ or default, labels, summary, description, group)
        )

    def rec(record: Any) -> str:
        return sel(record.name, scope)

    llm = "glassbox-llm.alerts"
    model = f"{_l(sc.REQUEST_MODEL)} ({_l(sc.PROVIDER)}) in {_l(SERVICE)}"
    errors = f"sum {by(MODEL)} ({rec(r.errors)})"
    add(
        "GlassboxLLMHighErrorRate",
        "warning",
        f"{errors} / {rec(r.calls)} > {t.error_ratio:g}",
        MODEL,
        "LLM calls are failing more often than the threshold.",
        f"More than {_pct(t.error_ratio)} of LLM calls to {model} failed over the last {w}.",
        llm,
    )
    add(
        "GlassboxLLMSlowLatency",
        "warning",
        f"{rec(r.latency_p95_model)} > {t.p95_latency_seconds:g}",
        MODEL,
        "LLM calls are slower than the latency threshold.",
        f"p95 latency of LLM calls to {model} is above {t.p95_latency_seconds:g}s.",
        llm,
    )
    add(
        "GlassboxLLMSlowTimeToFirstChunk",
        "warning",
        f"{rec(r.ttfc_p95_model)} > {t.ttfc_p95_seconds:g}",
        MODEL,
        "Streaming LLM calls take too long to return their first chunk.",
        f"p95 time to first chunk of {model} is above {t.ttfc_p95_seconds:g}s.",
        llm,
    )
    add(
        "GlassboxLLMRateLimited",
        "warning",
        f"{rec(r.rate_limited)} / {rec(r.calls)} > {t.rate_limited_ratio:g}",
        MODEL,
        "The provider is rate limiting LLM calls.",
        f"More than {_pct(t.rate_limited_ratio)} of LLM calls to {model} were rate limited over the last {w}.",  # noqa: E501
        llm,
    )
    add(
        "GlassboxHighTokenUsage",
        "warning",
        f"sum {by(S)} ({sel(r.tokens.name, scope, re_(sc.TOKEN_TYPE, 'input|output'))}) * 3600 > {t.tokens_per_hour:g}",  # noqa: E501
        S,
        "Token usage is above the hourly threshold.",
        f"{_l(SERVICE)} is using more than {t.tokens_per_hour:g} tokens per hour.",
        llm,
    )
    add(
        "GlassboxUnpricedModelUsage",
        "info",
        f"{rec(r.unpriced)} > 0",
        MODEL,
        "LLM calls use a model without a known price, so their cost is not counted.",
        f"Calls to {model} have no known price; add it to the price table.",
        llm,
    )

    svc = "glassbox-service.alerts"
    add(
        "GlassboxServiceDown",
        "critical",
        f"{sel('up', scope)} == 0",
        (ENV, SERVICE, JOB, INSTANCE),
        "A service's metrics endpoint cannot be scraped.",
        f"Prometheus cannot scrape {_l(SERVICE)} at {_l(INSTANCE)}.",
        svc,
    )
    add(
        "GlassboxNoTraffic",
        "warning",
        f"sum {by(S)} ({rec(r.calls)}) == 0",
        S,
        "A service made no LLM calls for a long time.",
        f"{_l(SERVICE)} has made no LLM calls for {t.no_traffic_for}.",
        svc,
        str(t.no_traffic_for),
    )

    cost = "glassbox-cost.alerts"
    team = (ENV, sc.TEAM)
    spend_team = f"sum {by(team)} ({rec(r.cost_1d)})"
    spend_env = f"sum {by((ENV,))} ({rec(r.cost_1d)})"
    frac = t.budget_warning_fraction
    add(
        "GlassboxDailyBudgetWarning",
        "warning",
        f"({spend_team} > on ({ENV}, {sc.TEAM}) {frac:g} * {rec(r.budget_team)})"
        f" or ({spend_env} > on ({ENV}) {frac:g} * {rec(r.budget_env)})",
        (ENV,),
        "LLM spend over the last 24 hours is close to the daily budget.",
        f"LLM spend of {{{{ if $labels.team }}}}team {_l(sc.TEAM)}{{{{ else }}}}environment {_l(ENV)}{{{{ end }}}} "  # noqa: E501
        f"over the last 24 hours is above {_pct(frac)} of its daily budget.",
        cost,
    )
    burn_team = f"sum {by(team)} ({rec(r.cost)}) * 86400"
    burn_env = f"sum {by((ENV,))} ({rec(r.cost)}) * 86400"
    add(
        "GlassboxBudgetExhaustionForecast",
        "warning",
        f"({burn_team} > on ({ENV}, {sc.TEAM}) {rec(r.budget_team)})"
        f" or ({burn_env} > on ({ENV}) {rec(r.budget_env)})",
        (ENV,),
        "At the current spend rate the daily budget will be exhausted.",
        f"At the spend rate of the last {w}, {{{{ if $labels.team }}}}team {_l(sc.TEAM)}{{{{ else }}}}environment "  # noqa: E501
        f"{_l(ENV)}{{{{ end }}}} would spend more than its daily budget in 24 hours.",
        cost,
    )

    q = "glassbox-queues.alerts"
    queue = (*S, sc.QUEUE)
    depth = f"sum {by(queue)} ({sel(sc.QUEUE_DEPTH.name, scope)})"
    add(
        "GlassboxQueueBacklog",
        "warning",
        f"{depth} > {t.queue_backlog:g}",
        queue,
        "A queue holds more items than the backlog threshold.",
        f"Queue {_l(sc.QUEUE)} of {_l(SERVICE)} holds more than {t.queue_backlog:g} items.",
        q,
    )
    add(
        "GlassboxQueueStuck",
        "critical",
        f"{depth} > 0 unless on ({', '.join(queue)}) sum {by(queue)} ({rec(r.queue_tasks)}) > 0",
        queue,
        "A queue has waiting items and no worker finished any.",
        f"Queue {_l(sc.QUEUE)} of {_l(SERVICE)} has waiting items and finished none for {t.queue_stuck_for}.",  # noqa: E501
        q,
        str(t.queue_stuck_for),
    )

    ag = "glassbox-agents.alerts"
    tool = (*S, sc.TOOL)
    tool_errors = f"sum {by(tool)} ({sel(r.tools.name, scope, ne(sc.ERROR_TYPE, ''))})"
    add(
        "GlassboxToolHighErrorRate",
        "warning",
        f"{tool_errors} / sum {by(tool)} ({rec(r.tools)}) > {t.tool_error_ratio:g}",
        tool,
        "A tool is failing more often than the threshold.",
        f"More than {_pct(t.tool_error_ratio)} of calls to tool {_l(sc.TOOL)} in {_l(SERVICE)} failed over the last {w}.",  # noqa: E501
        ag,
    )
    add(
        "GlassboxRunawayAgent",
        "warning",
        f"{rec(r.tool_calls_per_run_p95)} > {t.tool_calls_per_run:g}",
        (*S, sc.AGENT),
        "Agent runs make far more tool calls than expected.",
        f"p95 tool calls per run of agent {_l(sc.AGENT)} in {_l(SERVICE)} is above {t.tool_calls_per_run:g}.",  # noqa: E501
        ag,
    )

    qual = "glassbox-quality.alerts"
    mon = (ENV, JOB, sc.MONITOR, sc.FEATURE)
    add(
        "GlassboxDriftDetected",
        "warning",
        f"max {by(mon)} ({sel(sc.DRIFT_DETECTED.name, scope)}) == 1",
        mon,
        "A drift monitor detected drift.",
        f"Monitor {_l(sc.MONITOR)} detected drift in feature {_l(sc.FEATURE)}.",
        qual,
        "0s",
    )
    suite = (ENV, JOB, sc.SUITE, sc.EVAL_METRIC)
    add(
        "GlassboxEvalScoreDrop",
        "warning",
        f"max {by(suite)} ({sel(sc.EVAL_REGRESSION.name, scope)}) == 1"
        f" or min {by(suite)} ({sel(sc.EVAL_SCORE.name, scope)}) < {t.eval_score_min:g}",
        suite,
        "An eval score dropped below its baseline.",
        f"Eval {_l(sc.EVAL_METRIC)} of suite {_l(sc.SUITE)} dropped below its baseline by more than its sampling error.",  # noqa: E501
        qual,
        "0s",
    )
    stale = f"{t.stale_job.seconds:g}"
    add(
        "GlassboxEvalJobStale",
        "warning",
        f"time() - max {by((ENV, JOB, sc.SUITE))} ({sel(sc.EVAL_LAST_RUN.name, scope)}) > {stale}",
        (ENV, JOB, sc.SUITE),
        "An eval suite has not run for too long.",
        f"Eval suite {_l(sc.SUITE)} has not run for more than {t.stale_job}.",
        qual,
    )
    add(
        "GlassboxDriftJobStale",
        "warning",
        f"time() - max {by((ENV, JOB, sc.MONITOR))} ({sel(sc.DRIFT_LAST_RUN.name, scope)}) > {stale}",  # noqa: E501
        (ENV, JOB, sc.MONITOR),
        "A drift monitor has not run for too long.",
        f"Drift monitor {_l(sc.MONITOR)} has not run for more than {t.stale_job}.",
        qual,
    )

    tel = "glassbox-telemetry.alerts"
    add(
        "GlassboxTelemetryDropped",
        "warning",
        f"{rec(r.dropped)} > {t.telemetry_dropped_per_second:g}",
        (*S, sc.SIGNAL),
        "The SDK is dropping telemetry.",
        f"{_l(SERVICE)} is dropping {_l(sc.SIGNAL)}: the exporter or collector cannot keep up.",
        tel,
    )

    srv = "glassbox-serving.alerts"
    v = (*S, VLLM_MODEL)
    kv = f"max {by(v)} ({sel('vllm:kv_cache_usage_perc', scope)} or {sel('vllm:gpu_cache_usage_perc', scope)})"  # noqa: E501
    add(
        "GlassboxServingKVCacheSaturated",
        "warning",
        f"{kv} > {t.kv_cache_usage:g}",
        v,
        "The serving engine's KV cache is nearly full.",
        f"vLLM KV cache use of {_l(VLLM_MODEL)} in {_l(SERVICE)} is above {_pct(t.kv_cache_usage)}.",  # noqa: E501
        srv,
    )
    add(
        "GlassboxServingRequestsWaiting",
        "warning",
        f"max {by(v)} ({sel('vllm:num_requests_waiting', scope)}) > {t.waiting_requests:g}",
        v,
        "Requests are queueing in the serving engine.",
        f"More than {t.waiting_requests:g} requests wait in vLLM for {_l(VLLM_MODEL)} in {_l(SERVICE)}.",  # noqa: E501
        srv,
    )

    out.extend(_slo_alerts(env, records))
    return out


def _slo_alerts(env: Environment, r: Records) -> list[Alert]:
    slos, scope = env.slos, r.scope
    out: list[Alert] = []
    kinds = (
        (
            "GlassboxLLMAvailabilityBudgetBurn",
            1 - slos.availability,
            r.slo_errors,
            "availability",
            f"{_pct(slos.availability)} of LLM calls succeed",
        ),
        (
            "GlassboxLLMLatencyBudgetBurn",
            1 - slos.latency,
            r.slo_slow,
            "latency",
            f"{_pct(slos.latency)} of LLM calls finish within {slos.latency_threshold_seconds:g}s",
        ),
    )
    for name, budget, series, kind, objective in kinds:
        for severity, windows, for_ in (
            ("critical", slos.page_windows, env.for_("critical")),
            ("warning", slos.ticket_windows, env.for_("warning")),
        ):
            clauses = [
                f"({sel(series[str(long)].name, scope)} > {burn:g} * {budget:.6g}"
                f" and {sel(series[str(short)].name, scope)} > {burn:g} * {budget:.6g})"
                for long, short, burn in windows
            ]
            out.append(
                Alert(
                    name,
                    severity,
                    " or ".join(clauses),
                    for_,
                    S,
                    f"LLM calls are burning the {kind} error budget too fast.",
                    f"{_l(SERVICE)} is burning its {kind} error budget (objective: {objective}) "
                    f"fast enough to {'exhaust it within days' if severity == 'critical' else 'miss the objective'}.",  # noqa: E501
                    "glassbox-slo.alerts",
                )
            )
    return out


def alert_groups(env: Environment, records: Records) -> list[dict[str, Any]]:
    """The Prometheus rule groups of every alert for ``env``."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for alert in alerts(env, records):
        groups.setdefault(alert.group, []).append(alert.rule(env.runbook_base_url))
    interval = str(env.evaluation_interval)
    return [{"name": name, "interval": interval, "rules": rules} for name, rules in groups.items()]
