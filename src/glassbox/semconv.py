"""The Glassbox metric contract: every metric name, type, unit, label and bucket layout.

This module is the single source of truth shared by the SDK, the mixin (dashboards,
alerting and recording rules) and the generated ``docs/metrics.md``. Nothing else in
Glassbox spells a metric or label name; everything imports it from here.

Where the OpenTelemetry GenAI and HTTP semantic conventions define a metric, Glassbox
uses it under the standard OTel-to-Prometheus translation (dots become underscores, the
unit becomes a suffix), so dashboards and alerts also work on data from other
semconv-conformant instrumentations. What the conventions do not cover lives under the
``glassbox_`` prefix.

Names given here are the *family* names. Prometheus appends ``_bucket``/``_sum``/
``_count`` to histograms and ``_total`` to counters (a counter's family name therefore
never ends in ``_total`` here; :attr:`MetricSpec.series` gives the sample names).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ALL_METRICS",
    "ERROR_KINDS",
    "LABELS",
    "Attr",
    "LabelSpec",
    "MetricSpec",
    "MetricType",
    "by_name",
]


class MetricType(StrEnum):
    """The Prometheus metric types Glassbox exposes."""

    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"


@dataclass(frozen=True)
class LabelSpec:
    """One label: its name, what it means, and the values it may take.

    Attributes:
        name: The Prometheus label name.
        description: One sentence for the docs.
        values: The closed set of values, or ``None`` where values are open but
            bounded by the cardinality guard (see :attr:`budget`).
        budget: Default number of distinct values kept before further values fold
            into ``other``; ``None`` for closed sets, which need no budget.
    """

    name: str
    description: str
    values: tuple[str, ...] | None = None
    budget: int | None = None


@dataclass(frozen=True, kw_only=True)
class MetricSpec:
    """One metric family of the contract.

    Attributes:
        name: The Prometheus family name (without ``_total`` for counters).
        type: Counter, gauge or histogram.
        unit: The unit as a Prometheus suffix (``seconds``, ``usd``), or ``""``.
        description: The help text, one sentence.
        labels: Label names, in exposition order.
        buckets: Histogram bucket upper bounds (``+Inf`` is implied).
        otel_name: The OpenTelemetry instrument name this translates, if any.
        multiprocess_mode: How gauges aggregate across processes in Prometheus
            multiprocess mode.
    """

    name: str
    type: MetricType
    description: str
    labels: tuple[str, ...]
    unit: str = ""
    buckets: tuple[float, ...] = ()
    otel_name: str | None = None
    multiprocess_mode: str = "livesum"

    @property
    def series(self) -> tuple[str, ...]:
        """The sample names this family produces in an exposition."""
        if self.type is MetricType.COUNTER:
            return (f"{self.name}_total", f"{self.name}_created")
        if self.type is MetricType.HISTOGRAM:
            return (
                f"{self.name}_bucket",
                f"{self.name}_sum",
                f"{self.name}_count",
                f"{self.name}_created",
            )
        return (self.name,)

    @property
    def total(self) -> str:
        """The ``_total`` sample of a counter (what PromQL ``rate()`` takes)."""
        return self._sample(MetricType.COUNTER, "_total")

    @property
    def bucket(self) -> str:
        """The ``_bucket`` samples of a histogram (what ``histogram_quantile`` takes)."""
        return self._sample(MetricType.HISTOGRAM, "_bucket")

    @property
    def count(self) -> str:
        """The ``_count`` sample of a histogram: how many observations."""
        return self._sample(MetricType.HISTOGRAM, "_count")

    @property
    def sum(self) -> str:
        """The ``_sum`` sample of a histogram: the total of the observations."""
        return self._sample(MetricType.HISTOGRAM, "_sum")

    def _sample(self, kind: MetricType, suffix: str) -> str:
        if self.type is not kind:
            raise ValueError(f"{self.name} is a {self.type.value}, not a {kind.value}")
        return f"{self.name}{suffix}"


# --- Bucket layouts -------------------------------------------------------------------

#: GenAI semconv advisory buckets for ``gen_ai.client.operation.duration``.
DURATION_BUCKETS = (
    0.01,
    0.02,
    0.04,
    0.08,
    0.16,
    0.32,
    0.64,
    1.28,
    2.56,
    5.12,
    10.24,
    20.48,
    40.96,
    81.92,
)
#: GenAI semconv advisory buckets for ``gen_ai.client.token.usage``.
TOKEN_BUCKETS = (
    1,
    4,
    16,
    64,
    256,
    1024,
    4096,
    16384,
    65536,
    262144,
    1048576,
    4194304,
    16777216,
    67108864,
)
#: Per-chunk intervals are much shorter than whole calls.
CHUNK_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.15,
    0.2,
    0.3,
    0.4,
    0.5,
    0.75,
    1.0,
    2.5,
)
#: OpenTelemetry HTTP semconv advisory buckets for ``http.server.request.duration``,
#: extended to 300 s: AI endpoints (a whole agent run behind one request) routinely take
#: minutes, and a p95 above the last bucket is unreadable.
HTTP_BUCKETS = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
    15.0,
    30.0,
    60.0,
    120.0,
    300.0,
)
#: MCP semconv advisory buckets for ``mcp.client/server.operation.duration``.
MCP_BUCKETS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
#: Queue waits and task durations range from milliseconds to many minutes.
QUEUE_BUCKETS = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    120.0,
    300.0,
    600.0,
)
#: Tool calls made during one agent run.
TOOL_CALLS_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55)


# --- Labels ---------------------------------------------------------------------------

OPERATION = "gen_ai_operation_name"
PROVIDER = "gen_ai_provider_name"
REQUEST_MODEL = "gen_ai_request_model"
RESPONSE_MODEL = "gen_ai_response_model"
TOKEN_TYPE = "gen_ai_token_type"
ERROR_TYPE = "error_type"
WORKFLOW = "gen_ai_workflow_name"
AGENT = "gen_ai_agent_name"
TOOL = "gen_ai_tool_name"
TASK = "glassbox_task_name"
HTTP_METHOD = "http_request_method"
HTTP_ROUTE = "http_route"
HTTP_STATUS = "http_response_status_code"
TEAM = "team"
TENANT = "tenant"
WORKLOAD = "workload"
QUEUE = "queue"
MCP_METHOD = "mcp_method_name"
CELERY_TASK = "name"
CELERY_QUEUE = "queue_name"
OUTCOME = "outcome"
STAGE = "stage"
CACHE = "cache"
RESULT = "result"
MONITOR = "monitor"
FEATURE = "feature"
STATISTIC = "statistic"
SUITE = "suite"
EVAL_METRIC = "eval_metric"
BUDGET = "budget"
SIGNAL = "signal"
COMPONENT = "component"
LABEL = "label"
ENTITY_TYPE = "entity_type"
VERSION = "version"

#: Token kinds of the ``glassbox_llm_tokens`` counter. ``input`` counts every input
#: token, cached ones included; ``output`` counts every output token, reasoning ones
#: included: ``cache_read``, ``cache_write`` and ``reasoning`` are the shares of those.
TOKEN_KINDS = ("input", "output", "cache_read", "cache_write", "reasoning")
#: Outcomes of a queued task.
QUEUE_OUTCOMES = ("success", "failure", "retry", "dead_letter")
#: Outcomes of a pipeline item at one stage.
ITEM_OUTCOMES = ("success", "failure", "skipped")
#: The fixed ``error_type`` values provider integrations map errors to (an
#: application's own exception class names are recorded as they are).
ERROR_KINDS = (
    "rate_limited",
    "server_error",
    "timeout",
    "connection",
    "bad_request",
    "authentication",
    "other",
)
#: The value a label takes once its cardinality budget is spent.
OTHER = "other"

LABELS: dict[str, LabelSpec] = {
    spec.name: spec
    for spec in (
        LabelSpec(
            OPERATION,
            "GenAI operation: chat, text_completion, embeddings, generate_content, …",
            budget=20,
        ),
        LabelSpec(PROVIDER, "GenAI provider: openai, anthropic, aws.bedrock, …", budget=20),
        LabelSpec(REQUEST_MODEL, "Model named in the request.", budget=50),
        LabelSpec(
            RESPONSE_MODEL, "Model named in the response (may carry a version suffix).", budget=50
        ),
        LabelSpec(TOKEN_TYPE, "Token kind.", values=TOKEN_KINDS),
        LabelSpec(
            ERROR_TYPE,
            "Error class or fixed error kind; empty when the operation succeeded.",
            budget=30,
        ),
        LabelSpec(WORKFLOW, "Workflow name from the workflow decorator.", budget=50),
        LabelSpec(AGENT, "Agent name from the agent decorator; empty outside an agent.", budget=50),
        LabelSpec(TOOL, "Tool name from the tool decorator.", budget=100),
        LabelSpec(TASK, "Task name from the task decorator.", budget=100),
        LabelSpec(HTTP_METHOD, "HTTP request method; unknown methods become _OTHER.", budget=10),
        LabelSpec(HTTP_ROUTE, "Route template, never the raw path.", budget=100),
        LabelSpec(HTTP_STATUS, "HTTP response status code.", budget=60),
        LabelSpec(
            TEAM, "Cost attribution: team, from glassbox.attributes(); empty when unset.", budget=30
        ),
        LabelSpec(
            TENANT,
            "Cost attribution: tenant, from glassbox.attributes(); empty when unset.",
            budget=100,
        ),
        LabelSpec(
            WORKLOAD,
            "Cost attribution: the workload (a Celery task name, from glassbox.attributes()); "
            "empty when unset.",
            budget=50,
        ),
        LabelSpec(QUEUE, "Queue name.", budget=50),
        LabelSpec(
            MCP_METHOD,
            "MCP JSON-RPC method: tools/call, tools/list, resources/read, initialize, …",
            budget=30,
        ),
        LabelSpec(CELERY_TASK, "Celery task name (as celery-exporter labels it).", budget=100),
        LabelSpec(CELERY_QUEUE, "Celery queue (routing key) of the task.", budget=50),
        LabelSpec(
            OUTCOME, "Outcome of a task or pipeline item.", values=(*QUEUE_OUTCOMES, "skipped")
        ),
        LabelSpec(STAGE, "Pipeline stage.", budget=50),
        LabelSpec(CACHE, "Application cache name.", budget=50),
        LabelSpec(RESULT, "Cache lookup result.", values=("hit", "miss")),
        LabelSpec(MONITOR, "Drift monitor name.", budget=50),
        LabelSpec(FEATURE, "Monitored feature.", budget=200),
        LabelSpec(
            STATISTIC,
            "Drift statistic: combined (the feature's p-value); tests mann_whitney, klotz, cvm, "
            "anderson, tail_upper, tail_lower, excess, rate, chi2, residual, mmd, centroid, whitened, "
            "principal, neighbours, classifier_auc; effects psi, ks, wasserstein, js.",
            budget=20,
        ),
        LabelSpec(SUITE, "Eval suite name.", budget=50),
        LabelSpec(EVAL_METRIC, "Eval scorer name.", budget=100),
        LabelSpec(BUDGET, "Budget name.", budget=50),
        LabelSpec(SIGNAL, "Telemetry signal.", values=("spans", "logs", "metrics")),
        LabelSpec(COMPONENT, "SDK component that failed.", budget=50),
        LabelSpec(LABEL, "Label whose cardinality budget was exceeded.", budget=100),
        LabelSpec(ENTITY_TYPE, "Redacted entity type (EMAIL, PHONE, OPENAI_KEY, …).", budget=60),
        LabelSpec(VERSION, "Glassbox SDK version.", budget=5),
    )
}

_LLM = (OPERATION, PROVIDER, REQUEST_MODEL, RESPONSE_MODEL, ERROR_TYPE)
_LLM_SHORT = (PROVIDER, REQUEST_MODEL)


# --- OpenTelemetry semantic conventions -------------------------------------------------

LLM_DURATION = MetricSpec(
    name="gen_ai_client_operation_duration_seconds",
    type=MetricType.HISTOGRAM,
    unit="seconds",
    description="Duration of GenAI client operations, measured by the client.",
    labels=_LLM,
    buckets=DURATION_BUCKETS,
    otel_name="gen_ai.client.operation.duration",
)
LLM_TOKEN_USAGE = MetricSpec(
    name="gen_ai_client_token_usage",
    type=MetricType.HISTOGRAM,
    description="Input and output tokens used per GenAI client operation.",
    labels=(*_LLM, TOKEN_TYPE),
    buckets=TOKEN_BUCKETS,
    otel_name="gen_ai.client.token.usage",
)
LLM_TIME_TO_FIRST_CHUNK = MetricSpec(
    name="gen_ai_client_operation_time_to_first_chunk_seconds",
    type=MetricType.HISTOGRAM,
    unit="seconds",
    description="Time from the request to the first streamed response chunk (streaming calls only).",
    labels=_LLM,
    buckets=DURATION_BUCKETS,
    otel_name="gen_ai.client.operation.time_to_first_chunk",
)
LLM_TIME_PER_OUTPUT_CHUNK = MetricSpec(
    name="gen_ai_client_operation_time_per_output_chunk_seconds",
    type=MetricType.HISTOGRAM,
    unit="seconds",
    description="Time between consecutive streamed chunks, one observation per chunk after the first.",
    labels=_LLM,
    buckets=CHUNK_BUCKETS,
    otel_name="gen_ai.client.operation.time_per_output_chunk",
)
WORKFLOW_DURATION = MetricSpec(
    name="gen_ai_workflow_duration_seconds",
    type=MetricType.HISTOGRAM,
    unit="seconds",
    description="Duration of a workflow run.",
    labels=(WORKFLOW, ERROR_TYPE),
    buckets=DURATION_BUCKETS,
    otel_name="gen_ai.workflow.duration",
)
AGENT_DURATION = MetricSpec(
    name="gen_ai_invoke_agent_duration_seconds",
    type=MetricType.HISTOGRAM,
    unit="seconds",
    description="Duration of an agent invocation.",
    labels=(AGENT, ERROR_TYPE),
    buckets=DURATION_BUCKETS,
    otel_name="gen_ai.invoke_agent.duration",
)
TOOL_DURATION = MetricSpec(
    name="gen_ai_execute_tool_duration_seconds",
    type=MetricType.HISTOGRAM,
    unit="seconds",
    description="Duration of a tool execution.",
    labels=(TOOL, AGENT, ERROR_TYPE),
    buckets=DURATION_BUCKETS,
    otel_name="gen_ai.execute_tool.duration",
)
HTTP_DURATION = MetricSpec(
    name="http_server_request_duration_seconds",
    type=MetricType.HISTOGRAM,
    unit="seconds",
    description="Duration of HTTP server requests.",
    labels=(HTTP_METHOD, HTTP_ROUTE, HTTP_STATUS),
    buckets=HTTP_BUCKETS,
    otel_name="http.server.request.duration",
)
HTTP_ACTIVE = MetricSpec(
    name="http_server_active_requests",
    type=MetricType.GAUGE,
    description="Number of active HTTP server requests.",
    labels=(HTTP_METHOD,),
    otel_name="http.server.active_requests",
)
MCP_CLIENT_DURATION = MetricSpec(
    name="mcp_client_operation_duration_seconds",
    type=MetricType.HISTOGRAM,
    unit="seconds",
    description="Duration of MCP requests as the client saw them; error_type tool_error counts failed tool calls.",
    labels=(MCP_METHOD, TOOL, ERROR_TYPE),
    buckets=MCP_BUCKETS,
    otel_name="mcp.client.operation.duration",
)
MCP_SERVER_DURATION = MetricSpec(
    name="mcp_server_operation_duration_seconds",
    type=MetricType.HISTOGRAM,
    unit="seconds",
    description="Duration of MCP requests as the server handled them; error_type tool_error counts failed tool calls.",
    labels=(MCP_METHOD, TOOL, ERROR_TYPE),
    buckets=MCP_BUCKETS,
    otel_name="mcp.server.operation.duration",
)

# --- Glassbox: LLM calls ------------------------------------------------------------------

LLM_TOKENS = MetricSpec(
    name="glassbox_llm_tokens",
    type=MetricType.COUNTER,
    description="Tokens by kind: input (cached included), output (reasoning included), cache_read, cache_write, reasoning.",
    labels=(OPERATION, PROVIDER, REQUEST_MODEL, TOKEN_TYPE),
)
LLM_COST = MetricSpec(
    name="glassbox_llm_cost_usd",
    type=MetricType.COUNTER,
    description="Estimated cost of LLM calls in US dollars, by token kind and attribution.",
    labels=(OPERATION, PROVIDER, REQUEST_MODEL, TOKEN_TYPE, TEAM, TENANT, WORKLOAD),
)
LLM_UNPRICED = MetricSpec(
    name="glassbox_llm_unpriced_calls",
    type=MetricType.COUNTER,
    description="LLM calls whose model has no known price; their cost is not counted, never guessed as zero.",
    labels=(OPERATION, PROVIDER, REQUEST_MODEL),
)
LLM_IN_FLIGHT = MetricSpec(
    name="glassbox_llm_calls_in_flight",
    type=MetricType.GAUGE,
    description="LLM calls started and not yet finished.",
    labels=_LLM_SHORT,
)
LLM_RETRIES = MetricSpec(
    name="glassbox_llm_retries",
    type=MetricType.COUNTER,
    description="Retried LLM requests (the client library's own retries included).",
    labels=_LLM_SHORT,
)
LLM_RATE_LIMITED = MetricSpec(
    name="glassbox_llm_rate_limited",
    type=MetricType.COUNTER,
    description="LLM responses that signalled rate limiting (HTTP 429).",
    labels=_LLM_SHORT,
)
LLM_TOOL_CALLS = MetricSpec(
    name="glassbox_llm_tool_calls",
    type=MetricType.COUNTER,
    description="Tool calls requested by the model in LLM responses.",
    labels=_LLM_SHORT,
)
AGENT_TOOL_CALLS = MetricSpec(
    name="glassbox_agent_tool_calls_per_run",
    type=MetricType.HISTOGRAM,
    description="Tool executions during one agent run.",
    labels=(AGENT,),
    buckets=TOOL_CALLS_BUCKETS,
)
TASK_DURATION = MetricSpec(
    name="glassbox_task_duration_seconds",
    type=MetricType.HISTOGRAM,
    unit="seconds",
    description="Duration of a task from the task decorator.",
    labels=(TASK, ERROR_TYPE),
    buckets=QUEUE_BUCKETS,
)

# --- Glassbox: queues, pipelines, caches ----------------------------------------------------

QUEUE_DEPTH = MetricSpec(
    name="glassbox_queue_depth",
    type=MetricType.GAUGE,
    description="Items waiting in the queue.",
    labels=(QUEUE,),
)
QUEUE_ENQUEUED = MetricSpec(
    name="glassbox_queue_enqueued",
    type=MetricType.COUNTER,
    description="Items put on the queue.",
    labels=(QUEUE,),
)
QUEUE_WAIT = MetricSpec(
    name="glassbox_queue_wait_seconds",
    type=MetricType.HISTOGRAM,
    unit="seconds",
    description="Time an item waited in the queue before a worker took it.",
    labels=(QUEUE,),
    buckets=QUEUE_BUCKETS,
)
QUEUE_TASK_DURATION = MetricSpec(
    name="glassbox_queue_task_duration_seconds",
    type=MetricType.HISTOGRAM,
    unit="seconds",
    description="Time a worker spent on one item.",
    labels=(QUEUE,),
    buckets=QUEUE_BUCKETS,
)
QUEUE_TASKS = MetricSpec(
    name="glassbox_queue_tasks",
    type=MetricType.COUNTER,
    description="Finished queue tasks by outcome: success, failure, retry, dead_letter.",
    labels=(QUEUE, OUTCOME),
)
QUEUE_BUSY_WORKERS = MetricSpec(
    name="glassbox_queue_busy_workers",
    type=MetricType.GAUGE,
    description="Workers currently processing an item.",
    labels=(QUEUE,),
)

# --- Celery: the names celery-exporter users know, measured inside producer and worker --------

CELERY_TASK_SENT = MetricSpec(
    name="celery_task_sent",
    type=MetricType.COUNTER,
    description="Celery tasks published by this process, by task name and queue.",
    labels=(CELERY_TASK, CELERY_QUEUE),
)
CELERY_TASK_STARTED = MetricSpec(
    name="celery_task_started",
    type=MetricType.COUNTER,
    description="Celery tasks a worker started running.",
    labels=(CELERY_TASK, CELERY_QUEUE),
)
CELERY_TASK_SUCCEEDED = MetricSpec(
    name="celery_task_succeeded",
    type=MetricType.COUNTER,
    description="Celery tasks that returned a result.",
    labels=(CELERY_TASK, CELERY_QUEUE),
)
CELERY_TASK_FAILED = MetricSpec(
    name="celery_task_failed",
    type=MetricType.COUNTER,
    description="Celery tasks that raised an exception (retries excluded).",
    labels=(CELERY_TASK, CELERY_QUEUE),
)
CELERY_TASK_RETRIED = MetricSpec(
    name="celery_task_retried",
    type=MetricType.COUNTER,
    description="Celery task runs that ended by scheduling a retry.",
    labels=(CELERY_TASK, CELERY_QUEUE),
)
CELERY_TASK_REJECTED = MetricSpec(
    name="celery_task_rejected",
    type=MetricType.COUNTER,
    description="Celery tasks that rejected their message (celery.exceptions.Reject).",
    labels=(CELERY_TASK, CELERY_QUEUE),
)
CELERY_TASK_REVOKED = MetricSpec(
    name="celery_task_revoked",
    type=MetricType.COUNTER,
    description="Celery tasks a worker discarded (revoked, or expired before they ran) or "
    "terminated.",
    labels=(CELERY_TASK, CELERY_QUEUE),
)
CELERY_TASK_RUNTIME = MetricSpec(
    name="celery_task_runtime",
    type=MetricType.HISTOGRAM,
    description="Run time of Celery tasks in seconds, every outcome (celery-exporter's name; "
    "it observes successes only).",
    labels=(CELERY_TASK, CELERY_QUEUE),
    buckets=QUEUE_BUCKETS,
)
CELERY_TASK_QUEUE_WAIT = MetricSpec(
    name="celery_task_queue_wait_seconds",
    type=MetricType.HISTOGRAM,
    unit="seconds",
    description="Time from publishing a Celery task to a worker starting it (wall clocks).",
    labels=(CELERY_TASK, CELERY_QUEUE),
    buckets=QUEUE_BUCKETS,
)

PIPELINE_ITEMS = MetricSpec(
    name="glassbox_pipeline_items",
    type=MetricType.COUNTER,
    description="Items processed by pipeline stage and outcome.",
    labels=(STAGE, OUTCOME),
)
CACHE_REQUESTS = MetricSpec(
    name="glassbox_cache_requests",
    type=MetricType.COUNTER,
    description="Application cache lookups by result (hit or miss).",
    labels=(CACHE, RESULT),
)

# --- Glassbox: drift, evals, budgets ---------------------------------------------------------

DRIFT_SCORE = MetricSpec(
    name="glassbox_drift_score",
    type=MetricType.GAUGE,
    description="Effect size of the latest drift check per monitor, feature and statistic.",
    labels=(MONITOR, FEATURE, STATISTIC),
    multiprocess_mode="mostrecent",
)
DRIFT_P_VALUE = MetricSpec(
    name="glassbox_drift_p_value",
    type=MetricType.GAUGE,
    description="Corrected p-value of the latest drift check per monitor, feature and statistic.",
    labels=(MONITOR, FEATURE, STATISTIC),
    multiprocess_mode="mostrecent",
)
DRIFT_DETECTED = MetricSpec(
    name="glassbox_drift_detected",
    type=MetricType.GAUGE,
    description="1 when the latest check decided drift, 0 when not, -1 when the window had insufficient data.",
    labels=(MONITOR, FEATURE),
    multiprocess_mode="mostrecent",
)
DRIFT_WINDOW_SAMPLES = MetricSpec(
    name="glassbox_drift_window_samples",
    type=MetricType.GAUGE,
    description="Rows in the current window of the latest drift check.",
    labels=(MONITOR, FEATURE),
    multiprocess_mode="mostrecent",
)
DRIFT_LAST_RUN = MetricSpec(
    name="glassbox_drift_last_run_timestamp_seconds",
    type=MetricType.GAUGE,
    unit="seconds",
    description="Unix time of the latest drift check of a monitor.",
    labels=(MONITOR,),
    multiprocess_mode="max",
)
EVAL_SCORE = MetricSpec(
    name="glassbox_eval_score",
    type=MetricType.GAUGE,
    description="Latest score of an eval suite per scorer.",
    labels=(SUITE, EVAL_METRIC),
    multiprocess_mode="mostrecent",
)
EVAL_SCORE_LOWER = MetricSpec(
    name="glassbox_eval_score_lower",
    type=MetricType.GAUGE,
    description="Lower bound of the 95% confidence interval of the latest eval score.",
    labels=(SUITE, EVAL_METRIC),
    multiprocess_mode="mostrecent",
)
EVAL_SCORE_UPPER = MetricSpec(
    name="glassbox_eval_score_upper",
    type=MetricType.GAUGE,
    description="Upper bound of the 95% confidence interval of the latest eval score.",
    labels=(SUITE, EVAL_METRIC),
    multiprocess_mode="mostrecent",
)
EVAL_SAMPLES = MetricSpec(
    name="glassbox_eval_samples",
    type=MetricType.GAUGE,
    description="Samples scored in the latest eval run.",
    labels=(SUITE, EVAL_METRIC),
    multiprocess_mode="mostrecent",
)
EVAL_REGRESSION = MetricSpec(
    name="glassbox_eval_regression",
    type=MetricType.GAUGE,
    description="1 when the latest score dropped below the baseline by more than its sampling error.",
    labels=(SUITE, EVAL_METRIC),
    multiprocess_mode="mostrecent",
)
EVAL_LAST_RUN = MetricSpec(
    name="glassbox_eval_last_run_timestamp_seconds",
    type=MetricType.GAUGE,
    unit="seconds",
    description="Unix time of the latest run of an eval suite.",
    labels=(SUITE,),
    multiprocess_mode="max",
)
BUDGET_LIMIT = MetricSpec(
    name="glassbox_budget_limit_usd",
    type=MetricType.GAUGE,
    description="Configured spend limit of a budget for its current period, in US dollars.",
    labels=(BUDGET,),
    multiprocess_mode="max",
)
BUDGET_SPEND = MetricSpec(
    name="glassbox_budget_spend_usd",
    type=MetricType.GAUGE,
    description="Spend counted against a budget in its current period, in US dollars.",
    labels=(BUDGET,),
)
BUDGET_BLOCKED = MetricSpec(
    name="glassbox_budget_blocked_calls",
    type=MetricType.COUNTER,
    description="LLM calls refused because their budget was exhausted.",
    labels=(BUDGET,),
)

# --- Glassbox: the SDK's own health -----------------------------------------------------------

TELEMETRY_DROPPED = MetricSpec(
    name="glassbox_telemetry_dropped",
    type=MetricType.COUNTER,
    description="Telemetry items dropped by the SDK (full export queue, failed export), by signal.",
    labels=(SIGNAL,),
)
INSTRUMENTATION_ERRORS = MetricSpec(
    name="glassbox_instrumentation_errors",
    type=MetricType.COUNTER,
    description="Internal SDK failures caught before they reached the application, by component.",
    labels=(COMPONENT,),
)
CARDINALITY_FOLDED = MetricSpec(
    name="glassbox_cardinality_folded",
    type=MetricType.COUNTER,
    description="Label values folded into 'other' because the label's cardinality budget was spent.",
    labels=(LABEL,),
)
REDACTIONS = MetricSpec(
    name="glassbox_redactions",
    type=MetricType.COUNTER,
    description="Values redacted from logs, spans and files, by entity type.",
    labels=(ENTITY_TYPE,),
)
BUILD_INFO = MetricSpec(
    name="glassbox_build_info",
    type=MetricType.GAUGE,
    description="Always 1; carries the Glassbox SDK version.",
    labels=(VERSION,),
    multiprocess_mode="max",
)


class Attr:
    """Span attribute names: OpenTelemetry GenAI/HTTP conventions, ``glassbox.*`` otherwise."""

    OPERATION = "gen_ai.operation.name"
    PROVIDER = "gen_ai.provider.name"
    REQUEST_MODEL = "gen_ai.request.model"
    RESPONSE_MODEL = "gen_ai.response.model"
    RESPONSE_ID = "gen_ai.response.id"
    FINISH_REASONS = "gen_ai.response.finish_reasons"
    INPUT_TOKENS = "gen_ai.usage.input_tokens"
    OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
    CACHE_READ_TOKENS = "gen_ai.usage.cache_read.input_tokens"
    CACHE_WRITE_TOKENS = "gen_ai.usage.cache_creation.input_tokens"
    REASONING_TOKENS = "glassbox.usage.reasoning_tokens"
    INPUT_MESSAGES = "gen_ai.input.messages"
    OUTPUT_MESSAGES = "gen_ai.output.messages"
    AGENT_NAME = "gen_ai.agent.name"
    TOOL_NAME = "gen_ai.tool.name"
    TOOL_CALLS = "glassbox.tool_calls"
    TOOL_CALL_NAMES = "glassbox.tool_call_names"
    WORKFLOW_NAME = "gen_ai.workflow.name"
    TASK_NAME = "glassbox.task.name"
    ERROR_TYPE = "error.type"
    SERVER_ADDRESS = "server.address"
    SERVER_PORT = "server.port"
    REQUEST_PREFIX = "gen_ai.request."
    COST_USD = "glassbox.cost.usd"
    UNPRICED = "glassbox.cost.unpriced"
    STREAMING = "glassbox.streaming"
    TIME_TO_FIRST_CHUNK = "glassbox.time_to_first_chunk"
    CHUNKS = "glassbox.chunks"
    RETRIES = "glassbox.retries"
    ATTRIBUTE_PREFIX = "glassbox."
    HTTP_METHOD = "http.request.method"
    HTTP_ROUTE = "http.route"
    HTTP_STATUS = "http.response.status_code"
    URL_PATH = "url.path"
    REQUEST_ID = "glassbox.request_id"
    MESSAGING_SYSTEM = "messaging.system"
    MESSAGING_OPERATION = "messaging.operation.type"
    MESSAGING_DESTINATION = "messaging.destination.name"
    MESSAGING_MESSAGE_ID = "messaging.message.id"
    TASK_STATE = "glassbox.task.state"
    MCP_METHOD = "mcp.method.name"
    MCP_SESSION_ID = "mcp.session.id"
    JSONRPC_REQUEST_ID = "jsonrpc.request.id"


#: Every metric of the contract, in documentation order.
ALL_METRICS: tuple[MetricSpec, ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, MetricSpec)
)

_BY_NAME = {spec.name: spec for spec in ALL_METRICS}


def by_name(name: str) -> MetricSpec:
    """Return the spec of a family name or of one of its sample names.

    Raises:
        KeyError: The name is not part of the contract.
    """
    if name in _BY_NAME:
        return _BY_NAME[name]
    for suffix in ("_total", "_bucket", "_sum", "_count", "_created"):
        if name.endswith(suffix) and name[: -len(suffix)] in _BY_NAME:
            return _BY_NAME[name[: -len(suffix)]]
    raise KeyError(f"{name!r} is not a Glassbox metric; see docs/metrics.md for the contract")


def _check() -> None:
    for spec in ALL_METRICS:
        for label in spec.labels:
            if label not in LABELS:
                raise AssertionError(f"{spec.name}: label {label!r} is not declared in LABELS")


_check()
