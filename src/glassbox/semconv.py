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


@dataclass(frozen=True)
class MetricSpec:
    """One metric family of the contract.

    Attributes:
        name: The Prometheus family name (without ``_total`` for counters).
        type: Counter, gauge or histogram.
        unit: The unit as a Prometheus suffix (``seconds``, ``usd``), or ``""``.
        description: The help text, one sentence.
        labels: Label names, in exposition order.
        buckets: Histogram bucket upper bounds (``+Inf`` is implied).
        semconv: The OpenTelemetry instrument name this translates, if any.
        multiprocess_mode: How gauges aggregate across processes in Prometheus
            multiprocess mode.
    """

    name: str
    type: MetricType
    unit: str
    description: str
    labels: tuple[str, ...]
    buckets: tuple[float, ...] = ()
    semconv: str | None = None
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
        """The ``_total`` sample name of a counter (what PromQL ``rate()`` takes)."""
        if self.type is not MetricType.COUNTER:
            raise ValueError(f"{self.name} is a {self.type.value}, not a counter")
        return f"{self.name}_total"


# --- Bucket layouts -------------------------------------------------------------------

#: GenAI semconv advisory buckets for ``gen_ai.client.operation.duration``.
DURATION_BUCKETS = (
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
)  # fmt: skip
#: GenAI semconv advisory buckets for ``gen_ai.client.token.usage``.
TOKEN_BUCKETS = (
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
)  # fmt: skip
#: Per-chunk intervals are much shorter than whole calls.
CHUNK_BUCKETS = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5,
)  # fmt: skip
#: OpenTelemetry HTTP semconv advisory buckets for ``http.server.request.duration``.
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
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
QUEUE = "queue"
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
        LabelSpec(QUEUE, "Queue name.", budget=50),
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
            "Drift statistic: psi, ks, wasserstein, chi2, js, mmd, classifier_auc, centroid.",
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


def _m(
    name: str,
    type_: MetricType,
    unit: str,
    description: str,
    labels: tuple[str, ...],
    buckets: tuple[float, ...] = (),
    semconv: str | None = None,
    multiprocess_mode: str = "livesum",
) -> MetricSpec:
    return MetricSpec(name, type_, unit, description, labels, buckets, semconv, multiprocess_mode)


C, G, H = MetricType.COUNTER, MetricType.GAUGE, MetricType.HISTOGRAM

# --- OpenTelemetry semantic conventions -------------------------------------------------

LLM_DURATION = _m(
    "gen_ai_client_operation_duration_seconds", H, "seconds",
    "Duration of GenAI client operations, measured by the client.",
    _LLM, DURATION_BUCKETS, "gen_ai.client.operation.duration",
)  # fmt: skip
LLM_TOKEN_USAGE = _m(
    "gen_ai_client_token_usage", H, "",
    "Input and output tokens used per GenAI client operation.",
    (*_LLM, TOKEN_TYPE), TOKEN_BUCKETS, "gen_ai.client.token.usage",
)  # fmt: skip
LLM_TIME_TO_FIRST_CHUNK = _m(
    "gen_ai_client_operation_time_to_first_chunk_seconds", H, "seconds",
    "Time from the request to the first streamed response chunk (streaming calls only).",
    _LLM, DURATION_BUCKETS, "gen_ai.client.operation.time_to_first_chunk",
)  # fmt: skip
LLM_TIME_PER_OUTPUT_CHUNK = _m(
    "gen_ai_client_operation_time_per_output_chunk_seconds", H, "seconds",
    "Time between consecutive streamed chunks, one observation per chunk after the first.",
    _LLM, CHUNK_BUCKETS, "gen_ai.client.operation.time_per_output_chunk",
)  # fmt: skip
WORKFLOW_DURATION = _m(
    "gen_ai_workflow_duration_seconds", H, "seconds",
    "Duration of a workflow run.",
    (WORKFLOW, ERROR_TYPE), DURATION_BUCKETS, "gen_ai.workflow.duration",
)  # fmt: skip
AGENT_DURATION = _m(
    "gen_ai_invoke_agent_duration_seconds", H, "seconds",
    "Duration of an agent invocation.",
    (AGENT, ERROR_TYPE), DURATION_BUCKETS, "gen_ai.invoke_agent.duration",
)  # fmt: skip
TOOL_DURATION = _m(
    "gen_ai_execute_tool_duration_seconds", H, "seconds",
    "Duration of a tool execution.",
    (TOOL, AGENT, ERROR_TYPE), DURATION_BUCKETS, "gen_ai.execute_tool.duration",
)  # fmt: skip
HTTP_DURATION = _m(
    "http_server_request_duration_seconds", H, "seconds",
    "Duration of HTTP server requests.",
    (HTTP_METHOD, HTTP_ROUTE, HTTP_STATUS), HTTP_BUCKETS, "http.server.request.duration",
)  # fmt: skip
HTTP_ACTIVE = _m(
    "http_server_active_requests", G, "",
    "Number of active HTTP server requests.",
    (HTTP_METHOD,), semconv="http.server.active_requests",
)  # fmt: skip

# --- Glassbox: LLM calls ------------------------------------------------------------------

LLM_TOKENS = _m(
    "glassbox_llm_tokens", C, "",
    "Tokens by kind: input (cached included), output (reasoning included), cache_read, cache_write, reasoning.",
    (OPERATION, PROVIDER, REQUEST_MODEL, TOKEN_TYPE),
)  # fmt: skip
LLM_COST = _m(
    "glassbox_llm_cost_usd", C, "",
    "Estimated cost of LLM calls in US dollars, by token kind and attribution.",
    (OPERATION, PROVIDER, REQUEST_MODEL, TOKEN_TYPE, TEAM, TENANT),
)  # fmt: skip
LLM_UNPRICED = _m(
    "glassbox_llm_unpriced_calls", C, "",
    "LLM calls whose model has no known price; their cost is not counted, never guessed as zero.",
    (OPERATION, PROVIDER, REQUEST_MODEL),
)  # fmt: skip
LLM_IN_FLIGHT = _m(
    "glassbox_llm_calls_in_flight", G, "",
    "LLM calls started and not yet finished.",
    _LLM_SHORT,
)  # fmt: skip
LLM_RETRIES = _m(
    "glassbox_llm_retries", C, "",
    "Retried LLM requests (the client library's own retries included).",
    _LLM_SHORT,
)  # fmt: skip
LLM_RATE_LIMITED = _m(
    "glassbox_llm_rate_limited", C, "",
    "LLM responses that signalled rate limiting (HTTP 429).",
    _LLM_SHORT,
)  # fmt: skip
LLM_TOOL_CALLS = _m(
    "glassbox_llm_tool_calls", C, "",
    "Tool calls requested by the model in LLM responses.",
    _LLM_SHORT,
)  # fmt: skip
AGENT_TOOL_CALLS = _m(
    "glassbox_agent_tool_calls_per_run", H, "",
    "Tool executions during one agent run.",
    (AGENT,), TOOL_CALLS_BUCKETS,
)  # fmt: skip
TASK_DURATION = _m(
    "glassbox_task_duration_seconds", H, "seconds",
    "Duration of a task from the task decorator.",
    (TASK, ERROR_TYPE), QUEUE_BUCKETS,
)  # fmt: skip

# --- Glassbox: queues, pipelines, caches ----------------------------------------------------

QUEUE_DEPTH = _m(
    "glassbox_queue_depth", G, "",
    "Items waiting in the queue.",
    (QUEUE,), multiprocess_mode="livesum",
)  # fmt: skip
QUEUE_ENQUEUED = _m(
    "glassbox_queue_enqueued", C, "",
    "Items put on the queue.",
    (QUEUE,),
)  # fmt: skip
QUEUE_WAIT = _m(
    "glassbox_queue_wait_seconds", H, "seconds",
    "Time an item waited in the queue before a worker took it.",
    (QUEUE,), QUEUE_BUCKETS,
)  # fmt: skip
QUEUE_TASK_DURATION = _m(
    "glassbox_queue_task_duration_seconds", H, "seconds",
    "Time a worker spent on one item.",
    (QUEUE,), QUEUE_BUCKETS,
)  # fmt: skip
QUEUE_TASKS = _m(
    "glassbox_queue_tasks", C, "",
    "Finished queue tasks by outcome: success, failure, retry, dead_letter.",
    (QUEUE, OUTCOME),
)  # fmt: skip
QUEUE_BUSY_WORKERS = _m(
    "glassbox_queue_busy_workers", G, "",
    "Workers currently processing an item.",
    (QUEUE,),
)  # fmt: skip
PIPELINE_ITEMS = _m(
    "glassbox_pipeline_items", C, "",
    "Items processed by pipeline stage and outcome.",
    (STAGE, OUTCOME),
)  # fmt: skip
CACHE_REQUESTS = _m(
    "glassbox_cache_requests", C, "",
    "Application cache lookups by result (hit or miss).",
    (CACHE, RESULT),
)  # fmt: skip

# --- Glassbox: drift, evals, budgets ---------------------------------------------------------

DRIFT_SCORE = _m(
    "glassbox_drift_score", G, "",
    "Effect size of the latest drift check per monitor, feature and statistic.",
    (MONITOR, FEATURE, STATISTIC), multiprocess_mode="mostrecent",
)  # fmt: skip
DRIFT_P_VALUE = _m(
    "glassbox_drift_p_value", G, "",
    "Corrected p-value of the latest drift check per monitor, feature and statistic.",
    (MONITOR, FEATURE, STATISTIC), multiprocess_mode="mostrecent",
)  # fmt: skip
DRIFT_DETECTED = _m(
    "glassbox_drift_detected", G, "",
    "1 when the latest check decided drift, 0 when not, -1 when the window had insufficient data.",
    (MONITOR, FEATURE), multiprocess_mode="mostrecent",
)  # fmt: skip
DRIFT_WINDOW_SAMPLES = _m(
    "glassbox_drift_window_samples", G, "",
    "Rows in the current window of the latest drift check.",
    (MONITOR, FEATURE), multiprocess_mode="mostrecent",
)  # fmt: skip
DRIFT_LAST_RUN = _m(
    "glassbox_drift_last_run_timestamp_seconds", G, "seconds",
    "Unix time of the latest drift check of a monitor.",
    (MONITOR,), multiprocess_mode="max",
)  # fmt: skip
EVAL_SCORE = _m(
    "glassbox_eval_score", G, "",
    "Latest score of an eval suite per scorer.",
    (SUITE, EVAL_METRIC), multiprocess_mode="mostrecent",
)  # fmt: skip
EVAL_SCORE_LOWER = _m(
    "glassbox_eval_score_lower", G, "",
    "Lower bound of the 95% confidence interval of the latest eval score.",
    (SUITE, EVAL_METRIC), multiprocess_mode="mostrecent",
)  # fmt: skip
EVAL_SCORE_UPPER = _m(
    "glassbox_eval_score_upper", G, "",
    "Upper bound of the 95% confidence interval of the latest eval score.",
    (SUITE, EVAL_METRIC), multiprocess_mode="mostrecent",
)  # fmt: skip
EVAL_SAMPLES = _m(
    "glassbox_eval_samples", G, "",
    "Samples scored in the latest eval run.",
    (SUITE, EVAL_METRIC), multiprocess_mode="mostrecent",
)  # fmt: skip
EVAL_REGRESSION = _m(
    "glassbox_eval_regression", G, "",
    "1 when the latest score dropped below the baseline by more than its sampling error.",
    (SUITE, EVAL_METRIC), multiprocess_mode="mostrecent",
)  # fmt: skip
EVAL_LAST_RUN = _m(
    "glassbox_eval_last_run_timestamp_seconds", G, "seconds",
    "Unix time of the latest run of an eval suite.",
    (SUITE,), multiprocess_mode="max",
)  # fmt: skip
BUDGET_LIMIT = _m(
    "glassbox_budget_limit_usd", G, "",
    "Configured spend limit of a budget for its current period, in US dollars.",
    (BUDGET,), multiprocess_mode="max",
)  # fmt: skip
BUDGET_SPEND = _m(
    "glassbox_budget_spend_usd", G, "",
    "Spend counted against a budget in its current period, in US dollars.",
    (BUDGET,), multiprocess_mode="livesum",
)  # fmt: skip
BUDGET_BLOCKED = _m(
    "glassbox_budget_blocked_calls", C, "",
    "LLM calls refused because their budget was exhausted.",
    (BUDGET,),
)  # fmt: skip

# --- Glassbox: the SDK's own health -----------------------------------------------------------

TELEMETRY_DROPPED = _m(
    "glassbox_telemetry_dropped", C, "",
    "Telemetry items dropped by the SDK (full export queue, failed export), by signal.",
    (SIGNAL,),
)  # fmt: skip
INSTRUMENTATION_ERRORS = _m(
    "glassbox_instrumentation_errors", C, "",
    "Internal SDK failures caught before they reached the application, by component.",
    (COMPONENT,),
)  # fmt: skip
CARDINALITY_FOLDED = _m(
    "glassbox_cardinality_folded", C, "",
    "Label values folded into 'other' because the label's cardinality budget was spent.",
    (LABEL,),
)  # fmt: skip
REDACTIONS = _m(
    "glassbox_redactions", C, "",
    "Values redacted from logs, spans and files, by entity type.",
    (ENTITY_TYPE,),
)  # fmt: skip
BUILD_INFO = _m(
    "glassbox_build_info", G, "",
    "Always 1; carries the Glassbox SDK version.",
    (VERSION,), multiprocess_mode="max",
)  # fmt: skip


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
