"""The Glassbox dashboards.

Panels that aggregate rates or histograms read the recording rules: graphs average the
recorded rate over ``$__rate_interval`` (so a zoomed-out graph still shows every spike's
average instead of one sample per step), stats read the latest recorded value, and
"today"/"this month" totals multiply the average recorded rate over ``$__range`` by its
length. Latency panels are the one exception: they read the raw histograms with
``$__rate_interval`` because exemplars, which lead from a spike to its trace, live only on
raw series.
"""

from __future__ import annotations

from typing import Any

from glassbox import semconv as sc
from glassbox.mixin._external import VLLM_MODEL
from glassbox.mixin._panels import Board, Q
from glassbox.mixin._recording import LE, Record, Records
from glassbox.promql import ENV, INSTANCE, SERVICE, by, dashboard_scope, eq, ne, re_, sel

__all__ = ["dashboards"]

D = dashboard_scope()
RI = "$__rate_interval"
MODEL = sc.REQUEST_MODEL


def _avg(record: Record, *matchers: str) -> str:
    return f"avg_over_time({sel(record.name, D, *matchers)}[{RI}])"


def _g(record: Record, labels: tuple[str, ...], *matchers: str) -> str:
    """Sum of a recorded rate by ``labels``, averaged over the rate interval (graphs)."""
    return f"sum {by(labels)} ({_avg(record, *matchers)})"


def _now(record: Record, labels: tuple[str, ...] = (), *matchers: str) -> str:
    """Sum of the latest recorded rate by ``labels`` (stats and tables)."""
    return (
        f"sum {by(labels)} ({sel(record.name, D, *matchers)})"
        if labels
        else f"sum({sel(record.name, D, *matchers)})"
    )


def _p95(series: str, labels: tuple[str, ...]) -> str:
    """p95 from a raw histogram (latency panels: exemplars live on raw series)."""
    return f"histogram_quantile(0.95, sum {by((*labels, LE))} (rate({sel(series, D)}[{RI}])))"


def _p95_rec(record: Record, labels: tuple[str, ...]) -> str:
    return f"histogram_quantile(0.95, sum {by((*labels, LE))} ({_avg(record)}))"


def _ratio(num: str, den: str) -> str:
    return f"{num} / {den}"


def overview(r: Records) -> dict[str, Any]:
    b = Board(
        "glassbox-overview",
        "Glassbox / Overview",
        "LLM traffic, errors, latency, tokens and cost at a glance.",
    )
    io = re_(sc.TOKEN_TYPE, "input|output")
    b.row("Now")
    b.stat("Request rate", "LLM calls per second, all services.", "reqps", Q(_now(r.calls)))
    b.stat(
        "Error rate",
        "Share of LLM calls that failed.",
        "percentunit",
        Q(f"({_now(r.errors)} or vector(0)) / {_now(r.calls)}"),
    )
    b.stat(
        "p95 latency",
        "95th percentile duration of LLM calls.",
        "s",
        Q(f"histogram_quantile(0.95, sum by ({LE}) ({sel(r.latency_buckets.name, D)}))"),
    )
    b.stat(
        "Tokens per hour",
        "Input and output tokens per hour at the current rate.",
        "short",
        Q(f"{_now(r.tokens, (), io)} * 3600"),
    )
    b.stat(
        "Cost today",
        "Estimated LLM spend since midnight (dashboard time zone).",
        "currencyUSD",
        Q(f"sum(avg_over_time({sel(r.cost.name, D)}[$__range])) * $__range_s"),
        time_from="now/d",
    )
    b.stat(
        "Calls in flight",
        "LLM calls started and not yet finished.",
        "short",
        Q(f"sum({sel(sc.LLM_IN_FLIGHT.name, D)})"),
    )
    b.row("Services")
    b.table(
        "Service health",
        "Per service: scrape health, call rate, error ratio and p95 latency.",
        "short",
        Q(f"min by ({ENV}, {SERVICE}) ({sel('up', D)})", "up"),
        Q(_now(r.calls, (ENV, SERVICE)), "calls/s"),
        Q(
            f"({_now(r.errors, (ENV, SERVICE))} or 0 * {_now(r.calls, (ENV, SERVICE))})"
            f" / {_now(r.calls, (ENV, SERVICE))}",
            "error ratio",
        ),
        Q(sel(r.latency_p95.name, D), "p95 s"),
    )
    b.graph(
        "Requests by service",
        "LLM calls per second by service.",
        "reqps",
        Q(_g(r.calls, (SERVICE,)), f"{{{{{SERVICE}}}}}"),
        span=8,
    )
    b.graph(
        "Errors by service",
        "Failed LLM calls per second by service.",
        "reqps",
        Q(_g(r.errors, (SERVICE,)), f"{{{{{SERVICE}}}}}"),
        span=8,
    )
    b.graph(
        "p95 latency by service",
        "95th percentile LLM call duration; exemplars link to traces.",
        "s",
        Q(_p95(sc.LLM_DURATION.bucket, (SERVICE,)), f"{{{{{SERVICE}}}}}"),
        exemplar=True,
        span=8,
    )
    b.graph(
        "Cost by model",
        "Estimated spend per hour by model.",
        "currencyUSD",
        Q(f"{_g(r.cost, (MODEL,))} * 3600", f"{{{{{MODEL}}}}}"),
        stack=True,
    )
    b.graph(
        "Tokens per hour by kind",
        "Tokens per hour by kind.",
        "short",
        Q(f"{_g(r.tokens, (sc.TOKEN_TYPE,))} * 3600", f"{{{{{sc.TOKEN_TYPE}}}}}"),
    )
    b.row("HTTP")
    b.graph(
        "HTTP requests by route",
        "HTTP server requests per second by route and status.",
        "reqps",
        Q(
            _g(r.http_requests, (sc.HTTP_ROUTE, sc.HTTP_STATUS)),
            f"{{{{{sc.HTTP_ROUTE}}}}} {{{{{sc.HTTP_STATUS}}}}}",
        ),
        span=8,
    )
    b.graph(
        "HTTP p95 latency by route",
        "95th percentile HTTP request duration; exemplars link to traces.",
        "s",
        Q(_p95(sc.HTTP_DURATION.bucket, (sc.HTTP_ROUTE,)), f"{{{{{sc.HTTP_ROUTE}}}}}"),
        exemplar=True,
        span=8,
    )
    b.graph(
        "HTTP requests in flight",
        "Active HTTP server requests.",
        "short",
        Q(
            f"sum {by((sc.HTTP_METHOD,))} ({sel(sc.HTTP_ACTIVE.name, D)})",
            f"{{{{{sc.HTTP_METHOD}}}}}",
        ),
        span=8,
    )
    return b.build()


def llm(r: Records) -> dict[str, Any]:
    b = Board(
        "glassbox-llm",
        "Glassbox / LLM calls",
        "Latency by stage, throughput, errors, rate limits, retries and caching per model.",
    )
    m = (sc.PROVIDER, MODEL)
    lm = f"{{{{{MODEL}}}}}"
    b.row("Latency")
    b.graph(
        "Latency by stage (p95)",
        "p95 of each stage: queue wait, time to first chunk, time per chunk, whole call. Exemplars link to traces.",  # noqa: E501
        "s",
        Q(_p95(sc.QUEUE_WAIT.bucket, ()), "queue wait"),
        Q(_p95(sc.LLM_TIME_TO_FIRST_CHUNK.bucket, ()), "time to first chunk"),
        Q(_p95(sc.LLM_TIME_PER_OUTPUT_CHUNK.bucket, ()), "time per chunk"),
        Q(_p95(sc.LLM_DURATION.bucket, ()), "total"),
        exemplar=True,
    )
    b.graph(
        "p95 latency by model",
        "95th percentile call duration per model; exemplars link to traces.",
        "s",
        Q(_p95(sc.LLM_DURATION.bucket, m), lm),
        exemplar=True,
    )
    b.graph(
        "Time to first chunk by model (p95)",
        "Streaming calls only.",
        "s",
        Q(_p95(sc.LLM_TIME_TO_FIRST_CHUNK.bucket, m), lm),
        exemplar=True,
    )
    b.graph(
        "Time per output chunk by model (p95)",
        "Interval between streamed chunks.",
        "s",
        Q(_p95(sc.LLM_TIME_PER_OUTPUT_CHUNK.bucket, m), lm),
        exemplar=True,
    )
    b.row("Throughput")
    b.graph("Calls by model", "LLM calls per second by model.", "reqps", Q(_g(r.calls, m), lm))
    b.graph(
        "Output tokens per second by model",
        "Generated tokens per second by model.",
        "short",
        Q(_g(r.tokens, m, eq(sc.TOKEN_TYPE, "output")), lm),
    )
    b.graph(
        "Tokens per second by kind",
        "Input, output, cache and reasoning tokens per second.",
        "short",
        Q(_g(r.tokens, (sc.TOKEN_TYPE,)), f"{{{{{sc.TOKEN_TYPE}}}}}"),
    )
    b.graph(
        "Prompt cache hit ratio by model",
        "Share of input tokens read from the provider's prompt cache.",
        "percentunit",
        Q(
            _ratio(
                _g(r.tokens, m, eq(sc.TOKEN_TYPE, "cache_read")),
                _g(r.tokens, m, eq(sc.TOKEN_TYPE, "input")),
            ),
            lm,
        ),
    )
    b.graph(
        "Calls in flight by model",
        "LLM calls started and not yet finished.",
        "short",
        Q(f"sum {by(m)} ({sel(sc.LLM_IN_FLIGHT.name, D)})", lm),
    )
    b.row("Failures")
    b.graph(
        "Errors by type",
        "Failed LLM calls per second by error type.",
        "reqps",
        Q(_g(r.errors, (sc.ERROR_TYPE,)), f"{{{{{sc.ERROR_TYPE}}}}}"),
    )
    b.graph(
        "Error ratio by model",
        "Share of calls that failed, per model.",
        "percentunit",
        Q(_ratio(_g(r.errors, m), _g(r.calls, m)), lm),
    )
    b.graph(
        "Rate-limited responses by model",
        "HTTP 429 responses per second.",
        "reqps",
        Q(_g(r.rate_limited, m), lm),
    )
    b.graph("Retries by model", "Retried requests per second.", "reqps", Q(_g(r.retries, m), lm))
    b.graph(
        "Unpriced calls by model",
        "Calls whose model has no known price (cost not counted).",
        "reqps",
        Q(_g(r.unpriced, m), lm),
    )
    return b.build()


def cost(r: Records) -> dict[str, Any]:
    b = Board(
        "glassbox-cost",
        "Glassbox / Cost and budgets",
        "Spend by model, team, tenant and workload; daily spend and forecasts against budget.",
    )
    today = f"sum(avg_over_time({sel(r.cost.name, D)}[$__range])) * $__range_s"
    rate_now = _now(r.cost)
    budget = f"sum({sel(r.budget_env.name, re_(ENV, '$' + ENV))})"
    b.row("Budget")
    b.stat(
        "Spend today",
        "Estimated LLM spend since midnight (dashboard time zone).",
        "currencyUSD",
        Q(today),
        time_from="now/d",
    )
    b.stat(
        "Forecast end of day",
        "Spend today plus the current rate until midnight UTC.",
        "currencyUSD",
        Q(f"{today} + {rate_now} * (86400 - time() % 86400)"),
        time_from="now/d",
    )
    b.stat(
        "Daily budget",
        "Daily budget of the environment from the decisions file.",
        "currencyUSD",
        Q(budget),
    )
    b.stat(
        "Spend this month",
        "Estimated LLM spend since the first of the month.",
        "currencyUSD",
        Q(today),
        time_from="now/M",
    )
    b.stat(
        "Forecast end of month",
        "Spend this month plus the current rate until the month ends (UTC).",
        "currencyUSD",
        Q(
            f"{today} + {rate_now} * ((scalar(days_in_month()) - scalar(day_of_month())) * 86400 + 86400 - time() % 86400)"  # noqa: E501
        ),
        time_from="now/M",
    )
    b.stat(
        "Monthly budget",
        "Daily budget times the days of this month.",
        "currencyUSD",
        Q(f"{budget} * scalar(days_in_month())"),
    )
    b.graph(
        "Spend over the last 24 hours vs budget",
        "Rolling 24-hour spend per team and of the environment, with their daily budgets.",
        "currencyUSD",
        Q(f"sum {by((sc.TEAM,))} ({sel(r.cost_1d.name, D)})", f"{{{{{sc.TEAM}}}}}"),
        Q(
            f"sum {by((sc.TEAM,))} ({sel(r.budget_team.name, re_(ENV, '$' + ENV))})",
            f"budget {{{{{sc.TEAM}}}}}",
        ),
        Q(budget, "environment budget"),
    )
    b.row("Breakdown")
    hour = "* 3600"
    for title, label in (("model", MODEL), ("team", sc.TEAM), ("tenant", sc.TENANT)):
        b.graph(
            f"Spend per hour by {title}",
            f"Estimated USD per hour by {title}.",
            "currencyUSD",
            Q(f"{_g(r.cost, (label,))} {hour}", f"{{{{{label}}}}}"),
            span=8,
            stack=True,
        )
    b.graph(
        "Spend per hour by workload",
        "Estimated USD per hour by service and operation.",
        "currencyUSD",
        Q(
            f"{_g(r.cost, (SERVICE, sc.OPERATION))} {hour}",
            f"{{{{{SERVICE}}}}} {{{{{sc.OPERATION}}}}}",
        ),
        stack=True,
    )
    b.table(
        "Spend today by model",
        "Estimated spend since midnight by model.",
        "currencyUSD",
        Q(f"sum by ({MODEL}) (avg_over_time({sel(r.cost.name, D)}[1d])) * 86400", "USD"),
    )
    b.row("SDK budgets")
    b.graph(
        "Budget spend vs limit",
        "Spend and limit of each SDK-enforced budget in its current period.",
        "currencyUSD",
        Q(f"sum {by((sc.BUDGET,))} ({sel(sc.BUDGET_SPEND.name, D)})", f"spend {{{{{sc.BUDGET}}}}}"),
        Q(f"max {by((sc.BUDGET,))} ({sel(sc.BUDGET_LIMIT.name, D)})", f"limit {{{{{sc.BUDGET}}}}}"),
    )
    b.graph(
        "Calls blocked by budget",
        "LLM calls refused because their budget was exhausted.",
        "reqps",
        Q(_g(r.budget_blocked, (sc.BUDGET,)), f"{{{{{sc.BUDGET}}}}}"),
    )
    return b.build()


def agents(r: Records) -> dict[str, Any]:
    b = Board(
        "glassbox-agents",
        "Glassbox / Agents and tools",
        "Workflows, agent invocations, tool calls and their failures.",
    )
    la, lt = f"{{{{{sc.AGENT}}}}}", f"{{{{{sc.TOOL}}}}}"
    b.row("Agents")
    b.graph(
        "Agent invocations",
        "Agent runs per second by agent.",
        "reqps",
        Q(_g(r.agents, (sc.AGENT,)), la),
        span=8,
    )
    b.graph(
        "Agent duration (p95)",
        "95th percentile agent run duration; exemplars link to traces.",
        "s",
        Q(_p95(sc.AGENT_DURATION.bucket, (sc.AGENT,)), la),
        exemplar=True,
        span=8,
    )
    b.graph(
        "Tool calls per agent run (p95)",
        "95th percentile tool executions in one agent run.",
        "short",
        Q(f"max {by((sc.AGENT,))} ({sel(r.tool_calls_per_run_p95.name, D)})", la),
        span=8,
    )
    b.row("Tools")
    b.graph(
        "Tool calls",
        "Tool executions per second by tool.",
        "reqps",
        Q(_g(r.tools, (sc.TOOL,)), lt),
        span=8,
    )
    b.graph(
        "Tool error ratio",
        "Share of tool executions that failed, per tool.",
        "percentunit",
        Q(_ratio(_g(r.tools, (sc.TOOL,), ne(sc.ERROR_TYPE, "")), _g(r.tools, (sc.TOOL,))), lt),
        span=8,
    )
    b.graph(
        "Tool duration (p95)",
        "95th percentile tool duration; exemplars link to traces.",
        "s",
        Q(_p95(sc.TOOL_DURATION.bucket, (sc.TOOL,)), lt),
        exemplar=True,
        span=8,
    )
    b.graph(
        "Tool calls requested by models",
        "Tool calls LLM responses asked for, by model.",
        "reqps",
        Q(_g(r.llm_tool_calls, (MODEL,)), f"{{{{{MODEL}}}}}"),
    )
    b.row("Workflows and tasks")
    lw = f"{{{{{sc.WORKFLOW}}}}}"
    b.graph(
        "Workflow runs",
        "Workflow runs per second by workflow and error type.",
        "reqps",
        Q(_g(r.workflows, (sc.WORKFLOW, sc.ERROR_TYPE)), f"{lw} {{{{{sc.ERROR_TYPE}}}}}"),
        span=8,
    )
    b.graph(
        "Workflow duration (p95)",
        "95th percentile workflow duration; exemplars link to traces.",
        "s",
        Q(_p95(sc.WORKFLOW_DURATION.bucket, (sc.WORKFLOW,)), lw),
        exemplar=True,
        span=8,
    )
    b.graph(
        "Tasks",
        "Task runs per second by task and error type.",
        "reqps",
        Q(_g(r.tasks, (sc.TASK, sc.ERROR_TYPE)), f"{{{{{sc.TASK}}}}} {{{{{sc.ERROR_TYPE}}}}}"),
        span=8,
    )
    return b.build()


def queues(r: Records) -> dict[str, Any]:
    b = Board(
        "glassbox-queues",
        "Glassbox / Queues and pipelines",
        "Queue depth, wait, throughput and failures; pipeline items per stage; cache hit ratio.",
    )
    lq = f"{{{{{sc.QUEUE}}}}}"
    q = (sc.QUEUE,)
    b.row("Queues")
    b.graph(
        "Depth",
        "Items waiting per queue.",
        "short",
        Q(f"sum {by(q)} ({sel(sc.QUEUE_DEPTH.name, D)})", lq),
        span=8,
    )
    b.graph(
        "Busy workers",
        "Workers processing an item.",
        "short",
        Q(f"sum {by(q)} ({sel(sc.QUEUE_BUSY_WORKERS.name, D)})", lq),
        span=8,
    )
    b.graph(
        "Wait (p95)",
        "95th percentile time items wait before a worker takes them; exemplars link to traces.",
        "s",
        Q(_p95(sc.QUEUE_WAIT.bucket, q), lq),
        exemplar=True,
        span=8,
    )
    b.graph(
        "Throughput",
        "Items enqueued and finished per second.",
        "ops",
        Q(_g(r.enqueued, q), f"enqueued {lq}"),
        Q(_g(r.queue_tasks, q, eq(sc.OUTCOME, "success")), f"done {lq}"),
        span=8,
    )
    b.graph(
        "Failures, retries and dead letters",
        "Finished tasks per second that did not succeed, by outcome.",
        "ops",
        Q(
            _g(r.queue_tasks, (sc.QUEUE, sc.OUTCOME), ne(sc.OUTCOME, "success")),
            f"{lq} {{{{{sc.OUTCOME}}}}}",
        ),
        span=8,
    )
    b.graph(
        "Task duration (p95)",
        "95th percentile time a worker spends on one item; exemplars link to traces.",
        "s",
        Q(_p95(sc.QUEUE_TASK_DURATION.bucket, q), lq),
        exemplar=True,
        span=8,
    )
    b.row("Pipelines and caches")
    b.graph(
        "Items per stage",
        "Pipeline items per second by stage and outcome.",
        "ops",
        Q(_g(r.pipeline_items, (sc.STAGE, sc.OUTCOME)), f"{{{{{sc.STAGE}}}}} {{{{{sc.OUTCOME}}}}}"),
        span=12,
    )
    b.graph(
        "Cache hit ratio",
        "Share of application cache lookups that hit, per cache.",
        "percentunit",
        Q(
            _ratio(
                _g(r.cache_requests, (sc.CACHE,), eq(sc.RESULT, "hit")),
                _g(r.cache_requests, (sc.CACHE,)),
            ),
            f"{{{{{sc.CACHE}}}}}",
        ),
        span=12,
    )
    return b.build()


def quality(r: Records) -> dict[str, Any]:
    b = Board(
        "glassbox-quality",
        "Glassbox / Quality",
        "Drift scores and decisions, eval scores with confidence bounds, and job staleness.",
    )
    mf = (sc.MONITOR, sc.FEATURE)
    lmf = f"{{{{{sc.MONITOR}}}}} {{{{{sc.FEATURE}}}}}"
    se = (sc.SUITE, sc.EVAL_METRIC)
    lse = f"{{{{{sc.SUITE}}}}} {{{{{sc.EVAL_METRIC}}}}}"
    b.row("Drift")
    b.graph(
        "Drift score",
        "Effect size of the latest check per monitor, feature and statistic.",
        "short",
        Q(
            f"max {by((*mf, sc.STATISTIC))} ({sel(sc.DRIFT_SCORE.name, D)})",
            f"{lmf} {{{{{sc.STATISTIC}}}}}",
        ),
        span=8,
    )
    b.graph(
        "Drift p-value",
        "Corrected p-value of the latest check.",
        "short",
        Q(
            f"min {by((*mf, sc.STATISTIC))} ({sel(sc.DRIFT_P_VALUE.name, D)})",
            f"{lmf} {{{{{sc.STATISTIC}}}}}",
        ),
        span=8,
    )
    b.graph(
        "Drift detected",
        "1 drift, 0 no drift, -1 too little data in the window.",
        "short",
        Q(f"max {by(mf)} ({sel(sc.DRIFT_DETECTED.name, D)})", lmf),
        span=8,
    )
    b.graph(
        "Drift window samples",
        "Rows in the current window of the latest check.",
        "short",
        Q(f"max {by(mf)} ({sel(sc.DRIFT_WINDOW_SAMPLES.name, D)})", lmf),
        span=12,
    )
    b.row("Evals")
    b.graph(
        "Eval scores with 95% bounds",
        "Latest score per suite and scorer with its confidence interval.",
        "short",
        Q(f"max {by(se)} ({sel(sc.EVAL_SCORE.name, D)})", lse),
        Q(f"max {by(se)} ({sel(sc.EVAL_SCORE_LOWER.name, D)})", f"lower {lse}"),
        Q(f"max {by(se)} ({sel(sc.EVAL_SCORE_UPPER.name, D)})", f"upper {lse}"),
        span=12,
    )
    b.graph(
        "Eval regressions",
        "1 when the latest score fell below the baseline by more than its sampling error.",
        "short",
        Q(f"max {by(se)} ({sel(sc.EVAL_REGRESSION.name, D)})", lse),
        span=6,
    )
    b.graph(
        "Eval samples",
        "Samples scored in the latest run.",
        "short",
        Q(f"max {by(se)} ({sel(sc.EVAL_SAMPLES.name, D)})", lse),
        span=6,
    )
    b.row("Staleness")
    b.graph(
        "Time since last drift check",
        "Seconds since each monitor last ran.",
        "s",
        Q(
            f"time() - max {by((sc.MONITOR,))} ({sel(sc.DRIFT_LAST_RUN.name, D)})",
            f"{{{{{sc.MONITOR}}}}}",
        ),
    )
    b.graph(
        "Time since last eval run",
        "Seconds since each suite last ran.",
        "s",
        Q(
            f"time() - max {by((sc.SUITE,))} ({sel(sc.EVAL_LAST_RUN.name, D)})",
            f"{{{{{sc.SUITE}}}}}",
        ),
    )
    return b.build()


def serving(r: Records) -> dict[str, Any]:
    b = Board(
        "glassbox-serving",
        "Glassbox / Serving",
        "The vLLM serving engine: queueing, latency stages, KV cache, preemptions, prefix cache.",
    )
    lm = f"{{{{{VLLM_MODEL}}}}}"
    v = (VLLM_MODEL,)
    b.row("Load")
    b.graph(
        "Waiting requests",
        "Requests queued in the engine.",
        "short",
        Q(f"sum {by(v)} ({sel('vllm:num_requests_waiting', D)})", lm),
        span=8,
    )
    b.graph(
        "Running requests",
        "Requests being processed.",
        "short",
        Q(f"sum {by(v)} ({sel('vllm:num_requests_running', D)})", lm),
        span=8,
    )
    b.graph(
        "KV cache use",
        "Share of the KV cache in use.",
        "percentunit",
        Q(
            f"max {by(v)} ({sel('vllm:kv_cache_usage_perc', D)} or {sel('vllm:gpu_cache_usage_perc', D)})",  # noqa: E501
            lm,
        ),
        span=8,
    )
    b.row("Latency")
    b.graph(
        "Time to first token (p95)",
        "Server-side time to the first token.",
        "s",
        Q(_p95_rec(r.vllm_ttft_buckets, v), lm),
        span=12,
    )
    b.graph(
        "Inter-token latency (p95)",
        "Server-side time between output tokens.",
        "s",
        Q(_p95_rec(r.vllm_itl_buckets, v), lm),
        span=12,
    )
    b.row("Efficiency")
    b.graph(
        "Preemptions",
        "Requests preempted per second (KV cache pressure).",
        "ops",
        Q(_g(r.vllm_preemptions, v), lm),
        span=12,
    )
    b.graph(
        "Prefix cache hit ratio",
        "Share of prefix cache queries that hit.",
        "percentunit",
        Q(_ratio(_g(r.vllm_prefix_hits, v), _g(r.vllm_prefix_queries, v)), lm),
        span=12,
    )
    return b.build()


def telemetry(r: Records) -> dict[str, Any]:
    b = Board(
        "glassbox-telemetry",
        "Glassbox / Telemetry health",
        "Is Glassbox itself healthy: scrapes, dropped telemetry, SDK errors, cardinality folds, redactions.",  # noqa: E501
    )
    b.row("Collection")
    b.graph(
        "Targets up",
        "1 when Prometheus can scrape the target.",
        "short",
        Q(
            f"min {by((SERVICE, INSTANCE))} ({sel('up', D)})",
            f"{{{{{SERVICE}}}}} {{{{{INSTANCE}}}}}",
        ),
        span=12,
    )
    b.table(
        "SDK versions",
        "Glassbox SDK version per service and instance.",
        "short",
        Q(f"max {by((SERVICE, INSTANCE, sc.VERSION))} ({sel(sc.BUILD_INFO.name, D)})", "build"),
        span=12,
    )
    b.row("SDK")
    b.graph(
        "Telemetry dropped",
        "Items dropped per second by signal (full queue, failed export).",
        "ops",
        Q(_g(r.dropped, (SERVICE, sc.SIGNAL)), f"{{{{{SERVICE}}}}} {{{{{sc.SIGNAL}}}}}"),
        span=12,
    )
    b.graph(
        "Instrumentation errors",
        "Internal SDK failures caught before they reached the application.",
        "ops",
        Q(
            _g(r.instrumentation_errors, (SERVICE, sc.COMPONENT)),
            f"{{{{{SERVICE}}}}} {{{{{sc.COMPONENT}}}}}",
        ),
        span=12,
    )
    b.graph(
        "Cardinality folds",
        "Label values folded into 'other' per second, by label.",
        "ops",
        Q(_g(r.folded, (sc.LABEL,)), f"{{{{{sc.LABEL}}}}}"),
        span=12,
    )
    b.graph(
        "Redactions",
        "Values redacted per second by entity type.",
        "ops",
        Q(_g(r.redactions, (sc.ENTITY_TYPE,)), f"{{{{{sc.ENTITY_TYPE}}}}}"),
        span=12,
    )
    return b.build()


def dashboards(records: Records) -> dict[str, dict[str, Any]]:
    """Every dashboard of the mixin, by file stem (its uid without the prefix)."""
    builders = (overview, llm, cost, agents, queues, quality, serving, telemetry)
    out = {}
    for make in builders:
        board = make(records)
        out[board["uid"].removeprefix("glassbox-")] = board
    return out
