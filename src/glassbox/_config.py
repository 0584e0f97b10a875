"""Settings for :func:`glassbox.init`: arguments, then ``GLASSBOX_*``, then ``OTEL_*``.

Every setting has one name used three ways: the ``init()`` keyword (``metrics_port``),
its environment variable (``GLASSBOX_METRICS_PORT``) and the docs. The standard
OpenTelemetry variables (``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``,
``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``,
``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``) are honoured as fallbacks.
Invalid values raise :class:`~glassbox.ConfigError` naming the setting.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from glassbox import semconv
from glassbox.exceptions import ConfigError

__all__ = [
    "SETTINGS",
    "UNSET",
    "Budget",
    "SettingSpec",
    "Settings",
    "init_docstring",
    "resolve_settings",
]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
_OFF = {"off", "none", "disabled", "false", ""}
_BUDGET_PERIODS = ("day", "month")


@dataclass(frozen=True)
class Budget:
    """A spend limit for LLM calls in a period (UTC calendar day or month).

    Attributes:
        name: Label value of ``glassbox_budget_*`` metrics.
        limit_usd: The limit per period.
        period: ``"day"`` or ``"month"``.
        team: Count only calls made under ``attributes(team=...)`` with this team.
        tenant: Likewise for the tenant.
        enforce: Refuse calls (raise :class:`~glassbox.BudgetExceededError`) once the
            limit is spent. Off by default: budgets observe unless asked to block.
    """

    name: str
    limit_usd: float
    period: str = "day"
    team: str | None = None
    tenant: str | None = None
    enforce: bool = False


@dataclass(frozen=True)
class Settings:
    """Resolved, validated configuration. See the README for each setting's meaning."""

    service_name: str = "unknown_service"
    environment: str = "dev"
    service_version: str | None = None
    metrics_port: int | None = 9464
    metrics_host: str = "127.0.0.1"
    app_metrics: bool = True
    otlp_endpoint: str | None = None
    otlp_logs_endpoint: str | None = None
    traces: bool = True
    span_queue_size: int = 2048
    shutdown_timeout: float = 2.0
    keep_spans: int = 0
    logs: bool = True
    log_level: str = "info"
    log_file: str | None = None
    log_flush_interval: float = 0.1
    log_llm_calls: bool = True
    log_queue_size: int = 2048
    raw_stream: bool = False
    raw_stream_dir: str | None = None
    capture_content: bool = False
    redaction: bool = True
    redaction_key_file: str | None = None
    attribution_labels: tuple[str, ...] = (semconv.TEAM, semconv.TENANT, semconv.WORKLOAD)
    cardinality_budgets: Mapping[str, int] = field(default_factory=dict)
    prices: Mapping[str, Any] | str | None = None
    budgets: tuple[Budget, ...] = ()
    instrument: tuple[str, ...] = ()
    multiprocess_dir: str | None = None


def _bool(setting: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(setting, value, "true or false (also 1/0, yes/no, on/off)")


def _port(setting: str, value: object) -> int | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in _OFF):
        return None
    if isinstance(value, bool):
        raise ConfigError(setting, value, "a port number from 0 to 65535, or 'off'")
    try:
        port = int(str(value).strip())
    except ValueError:
        raise ConfigError(setting, value, "a port number from 0 to 65535, or 'off'") from None
    if not 0 <= port <= 65535:
        raise ConfigError(setting, value, "a port number from 0 to 65535, or 'off'")
    return port


def _positive_int(setting: str, value: object, minimum: int = 1, maximum: int = 10**9) -> int:
    expected = f"a whole number from {minimum} to {maximum:,}"
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ConfigError(setting, value, expected) from None
    if not minimum <= number <= maximum or isinstance(value, bool):
        raise ConfigError(setting, value, expected)
    return number


def _seconds(setting: str, value: object) -> float:
    expected = "a number of seconds from 0 to 600"
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ConfigError(setting, value, expected) from None
    if isinstance(value, bool) or not 0 <= number <= 600:  # also rejects nan
        raise ConfigError(setting, value, expected)
    return number


def _log_level(setting: str, value: object) -> str:
    level = str(value).strip().lower()
    if level not in _LOG_LEVELS:
        raise ConfigError(setting, value, f"one of {', '.join(_LOG_LEVELS)}")
    return level


def _text(setting: str, value: object) -> str:
    text = str(value).strip()
    if not text:
        raise ConfigError(setting, repr(value), "a non-empty string")
    return text


def _endpoint(setting: str, value: object) -> str | None:
    if value is None or str(value).strip().lower() in _OFF:
        return None
    text = str(value).strip()
    if not text.startswith(("http://", "https://")):
        raise ConfigError(setting, value, "an http:// or https:// URL, e.g. http://127.0.0.1:4318")
    return text.rstrip("/")


def _names(setting: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",")]
    elif isinstance(value, Sequence):
        items = [str(part).strip() for part in value]
    else:
        raise ConfigError(setting, value, "a list of names or a comma-separated string")
    return tuple(item for item in items if item)


def _attribution(setting: str, value: object) -> tuple[str, ...]:
    names = _names(setting, value)
    allowed = (semconv.TEAM, semconv.TENANT, semconv.WORKLOAD)
    for name in names:
        if name not in allowed:
            raise ConfigError(setting, name, f"attribution labels among {', '.join(allowed)}")
    return names


def _budgets_by_label(setting: str, value: object) -> dict[str, int]:
    if isinstance(value, str):
        pairs: dict[str, object] = {}
        for part in filter(None, (p.strip() for p in value.split(","))):
            name, sep, number = part.partition("=")
            if not sep:
                raise ConfigError(
                    setting, part, "label=N pairs separated by commas, e.g. tenant=200"
                )
            pairs[name.strip()] = number
        value = pairs
    if not isinstance(value, Mapping):
        raise ConfigError(setting, value, "a mapping of label name to a whole number")
    budgets: dict[str, int] = {}
    for label, number in value.items():
        if label not in semconv.LABELS:
            raise ConfigError(
                setting, label, f"a label of the contract ({', '.join(sorted(semconv.LABELS))})"
            )
        budgets[str(label)] = _positive_int(f"{setting}[{label}]", number)
    return budgets


def _budget_list(setting: str, value: object) -> tuple[Budget, ...]:
    if isinstance(value, Budget):
        return (_budget(setting, dataclasses.asdict(value)),)
    if isinstance(value, Mapping):  # {"daily": 25.0} or {"daily": {"limit_usd": 25, ...}}
        items: list[Budget] = []
        for name, spec in value.items():
            if isinstance(spec, Mapping):
                items.append(_budget(f"{setting}[{name}]", {"name": name, **spec}))
            else:
                items.append(_budget(f"{setting}[{name}]", {"name": name, "limit_usd": spec}))
        return tuple(items)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return tuple(
            _budget(f"{setting}[{i}]", dataclasses.asdict(b) if isinstance(b, Budget) else b)
            for i, b in enumerate(value)
        )
    raise ConfigError(
        setting, value, "a mapping of budget name to USD limit, or a list of glassbox.Budget"
    )


def _budget(setting: str, spec: object) -> Budget:
    if not isinstance(spec, Mapping):
        raise ConfigError(
            setting, spec, "a mapping with name, limit_usd, period, team, tenant, enforce"
        )
    fields = {f.name for f in dataclasses.fields(Budget)}
    unknown = set(spec) - fields
    if unknown:
        raise ConfigError(
            setting, ", ".join(sorted(unknown)), f"keys among {', '.join(sorted(fields))}"
        )
    try:
        limit = float(spec.get("limit_usd"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(
            f"{setting}.limit_usd", spec.get("limit_usd"), "a number of US dollars"
        ) from None
    if not 0 < limit < math.inf:  # also rejects nan
        raise ConfigError(f"{setting}.limit_usd", limit, "a positive, finite number of US dollars")
    period = str(spec.get("period", "day"))
    if period not in _BUDGET_PERIODS:
        raise ConfigError(f"{setting}.period", period, " or ".join(_BUDGET_PERIODS))
    return Budget(
        name=_text(f"{setting}.name", spec.get("name", "")),
        limit_usd=limit,
        period=period,
        team=spec.get("team"),
        tenant=spec.get("tenant"),
        enforce=_bool(f"{setting}.enforce", spec.get("enforce", False)),
    )


def _resource_attributes(environ: Mapping[str, str]) -> dict[str, str]:
    """Parse ``OTEL_RESOURCE_ATTRIBUTES`` (``key=value,key=value``, values URL-encoded)."""
    from urllib.parse import unquote

    attributes: dict[str, str] = {}
    for part in environ.get("OTEL_RESOURCE_ATTRIBUTES", "").split(","):
        key, sep, value = part.partition("=")
        if sep and key.strip():
            attributes[key.strip()] = unquote(value.strip())
    return attributes


_Validator = Callable[[str, Any], Any]

#: The default of every ``glassbox.init()`` keyword: "not given" (``None`` is a value).
UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()


@dataclass(frozen=True)
class SettingSpec:
    """One row of the settings table: everything said about one ``init()`` setting.

    The :class:`Settings` dataclass holds the resolved value and its default; this row
    holds the rest. The validators, the ``init()`` docstring and
    ``docs/configuration.md`` are all generated from :data:`SETTINGS`, and a test checks
    that ``glassbox.init``'s keyword signature and :class:`Settings` name the same
    settings with the same types.

    Attributes:
        name: The ``init()`` keyword (``GLASSBOX_<NAME>`` in the environment).
        type: The keyword's type as written in ``init()``'s signature.
        help: What it does, one or two sentences (Markdown/reST inline code allowed).
        validate: ``(source, raw value) -> value``; raises :class:`ConfigError`.
        fallback: Standard variables consulted when neither is given.
        env: Whether ``GLASSBOX_<NAME>`` is read (not for structured values).
    """

    name: str
    type: str
    help: str
    validate: _Validator
    fallback: str = ""
    env: bool = True


def _setting(name: str, type: str, help: str, validate: _Validator, **kw: Any) -> SettingSpec:
    return SettingSpec(name=name, type=type, help=help, validate=validate, **kw)


#: The settings of :func:`glassbox.init`, in documentation order.
SETTINGS: tuple[SettingSpec, ...] = (
    _setting("service_name", "str | None", "``service.name`` on spans, logs and metrics.", _text,
             fallback="OTEL_SERVICE_NAME, service.name in OTEL_RESOURCE_ATTRIBUTES"),
    _setting("environment", "str | None", "``deployment.environment.name`` on spans and logs.",
             _text, fallback="deployment.environment.name in OTEL_RESOURCE_ATTRIBUTES"),
    _setting("service_version", "str | None", "``service.version``.", _text,
             fallback="service.version in OTEL_RESOURCE_ATTRIBUTES"),
    _setting("metrics_port", "int | str | None",
             "Port of the Prometheus endpoint; ``None``/``off`` disables it, ``0`` picks a "
             "free port. Serves OpenMetrics with ``trace_id`` exemplars when asked.", _port),
    _setting("metrics_host", "str | None", "Address the metrics endpoint binds.", _text),
    _setting("app_metrics", "bool | str | None",
             "The endpoint also serves the application's default ``prometheus_client`` "
             "registry (its own metrics and the ``process_*``/``python_*`` collectors) beside "
             "Glassbox's; a name both define is served once, Glassbox's.", _bool),
    _setting("otlp_endpoint", "str | None",
             "OTLP/HTTP traces URL; without one spans are not exported.", _endpoint,
             fallback="OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, "
             "OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces"),
    _setting("otlp_logs_endpoint", "str | None",
             "OTLP/HTTP logs URL: every log record (Glassbox's, structlog's, ``logging``'s) "
             "is also exported there, redacted, with trace context; without one log records "
             "are only written as JSON lines.", _endpoint,
             fallback="OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT + "
             "/v1/logs; OTEL_LOGS_EXPORTER=none turns it off"),
    _setting("traces", "bool | str | None", "Record spans at all.", _bool,
             fallback="OTEL_TRACES_EXPORTER=none turns it off"),
    _setting("span_queue_size", "int | str | None",
             "Spans buffered for export (at most 1,000,000); beyond it spans are dropped and "
             "counted in ``glassbox_telemetry_dropped_total{signal=\"spans\"}``.",
             lambda s, v: _positive_int(s, v, maximum=1_000_000)),
    _setting("shutdown_timeout", "float | str | None",
             "Seconds ``shutdown()`` may spend exporting the last spans (0-600); what has not "
             "left by then is counted as dropped.", _seconds),
    _setting("keep_spans", "int | str | None",
             "Keep the last N finished spans in process (the demo's span tree, tests).",
             lambda s, v: _positive_int(s, v, minimum=0)),
    _setting("logs", "bool | str | None",
             "Configure structlog and bridge the standard ``logging`` module into the JSON "
             "log stream; when false only Glassbox's own events are written.", _bool),
    _setting("log_level", "str | None", "``debug``, ``info``, ``warning``, ``error`` or "
             "``critical``.", _log_level),
    _setting("log_file", "str | None",
             "Append log lines to this file instead of stderr (checked at ``init()``).", _text),
    _setting("log_flush_interval", "float | str | None",
             "Seconds a log line may wait to be written together with others (0-600). A "
             "writer thread writes what is pending, ``shutdown()``, interpreter exit and "
             "``multiprocessing`` children write the rest; ``0`` writes each line at once "
             "(one system call per line).", _seconds),
    _setting("log_llm_calls", "bool | str | None", "One log line per LLM call.", _bool),
    _setting("log_queue_size", "int | str | None",
             "Log records buffered for OTLP export (at most 1,000,000); beyond it records "
             "are dropped and counted in ``glassbox_telemetry_dropped_total{signal=\"logs\"}``.",
             lambda s, v: _positive_int(s, v, maximum=1_000_000)),
    _setting("raw_stream", "bool | str | None",
             "Also keep unredacted events in the restricted raw stream: over OTLP (marked "
             "``glassbox.stream=raw``; the deploy bundles route it to its own Loki tenant "
             "with 24 h retention) when a logs endpoint is set, else encrypted hourly files "
             "in ``raw_stream_dir``. Never part of the normal stream.", _bool),
    _setting("raw_stream_dir", "str | None",
             "Directory of the raw stream's encrypted files (default ``.glassbox/raw``; key "
             "in ``GLASSBOX_RAW_KEY_FILE``).", _text),
    _setting("capture_content", "bool | str | None",
             "Record prompts and completions on spans, redacted.", _bool,
             fallback="OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"),
    _setting("redaction", "bool | str | None",
             "Redact PII and secrets from every log line and span; needs the ``redaction`` "
             "extra (``init()`` fails without it).", _bool),
    _setting("redaction_key_file", "str | None", "The HMAC key file of the redactor.", _text),
    _setting("attribution_labels", "Sequence[str] | str | None",
             "Which of ``team``/``tenant``/``workload`` (the Celery task name) label the cost "
             "metric.", _attribution),
    _setting("cardinality_budgets", "Mapping[str, int] | str | None",
             "Distinct values kept per label before folding into ``other``, e.g. "
             "``{\"tenant\": 200}`` or ``tenant=200``.", _budgets_by_label),
    _setting("prices", "Mapping[str, Any] | str | None",
             "Price overrides (a mapping or a YAML file, USD per million tokens) that win "
             "over ``genai-prices``.", lambda s, v: v if isinstance(v, Mapping) else _text(s, v)),
    _setting("budgets", "Mapping[str, Any] | Sequence[Budget] | Budget | None",
             "Spend limits per UTC day or month, e.g. ``{\"daily\": 25.0}`` or a list of "
             "``Budget``; enforced only when asked.", _budget_list, env=False),
    _setting("instrument", "Sequence[str] | str | None",
             "Integrations to switch on: ``openai``, ``anthropic``, ``langchain``, ``litellm``, "
             "``httpx``, ``requests``, ``aiohttp``, ``mcp``, ``celery``, or ``auto`` (every "
             "installed one).", _names),
    _setting("multiprocess_dir", "str | None",
             "Prometheus multiprocess directory for pre-fork servers (see "
             "``glassbox.workers``).", _text,
             fallback="PROMETHEUS_MULTIPROC_DIR"),
)  # fmt: skip
_VALIDATORS: dict[str, _Validator] = {spec.name: spec.validate for spec in SETTINGS}
#: Settings where an explicit ``None`` turns the feature off (instead of "not given").
_NONE_DISABLES = frozenset({"metrics_port", "otlp_endpoint", "otlp_logs_endpoint"})
# Settings only read from the environment as JSON would be awkward; budgets come from init().
_NOT_FROM_ENV = {spec.name for spec in SETTINGS if not spec.env}


def _otel_fallback(name: str, environ: Mapping[str, str]) -> tuple[str, str] | None:
    """The standard variable's value for setting ``name`` and the variable's name."""
    resource = _resource_attributes(environ)

    def first(*candidates: tuple[str, str | None]) -> tuple[str, str] | None:
        for source, value in candidates:
            if value:
                return value, source
        return None

    attributes = "OTEL_RESOURCE_ATTRIBUTES"
    if name == "service_name":
        return first(
            ("OTEL_SERVICE_NAME", environ.get("OTEL_SERVICE_NAME")),
            (attributes, resource.get("service.name")),
        )
    if name == "environment":
        return first(
            (attributes, resource.get("deployment.environment.name")),
            (attributes, resource.get("deployment.environment")),
        )
    if name == "service_version":
        return first((attributes, resource.get("service.version")))
    if name == "otlp_endpoint":
        base = environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        return first(
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
            ),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", f"{base.rstrip('/')}/v1/traces" if base else None),
        )
    if name == "otlp_logs_endpoint":
        exporter = environ.get("OTEL_LOGS_EXPORTER")
        if exporter is not None and exporter.strip().lower() == "none":
            return None
        base = environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        return first(
            ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", environ.get("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", f"{base.rstrip('/')}/v1/logs" if base else None),
        )
    if name == "capture_content":
        variable = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
        return first((variable, environ.get(variable)))
    if name == "traces":
        exporter = environ.get("OTEL_TRACES_EXPORTER")
        none = exporter is not None and exporter.strip().lower() == "none"
        return first(("OTEL_TRACES_EXPORTER", "false" if none else None))
    if name == "multiprocess_dir":
        return first(
            ("PROMETHEUS_MULTIPROC_DIR", environ.get("PROMETHEUS_MULTIPROC_DIR")),
            ("prometheus_multiproc_dir", environ.get("prometheus_multiproc_dir")),
        )
    return None


def resolve_settings(environ: Mapping[str, str] | None = None, **kwargs: Any) -> Settings:
    """Build :class:`Settings` from keyword arguments, then the environment.

    A keyword argument given as ``None`` counts as not given, except ``metrics_port``
    and ``otlp_endpoint`` where ``None`` explicitly disables.

    Raises:
        ConfigError: An unknown keyword or an invalid value; the message names the
            argument or environment variable and what is expected.
    """
    env = os.environ if environ is None else environ
    unknown = set(kwargs) - set(_VALIDATORS)
    if unknown:
        raise ConfigError(
            "init() argument",
            ", ".join(sorted(unknown)),
            f"one of {', '.join(sorted(_VALIDATORS))}",
        )
    values: dict[str, Any] = {}
    for name, validate in _VALIDATORS.items():
        env_name = f"GLASSBOX_{name.upper()}"
        if name in kwargs and (kwargs[name] is not None or name in _NONE_DISABLES):
            raw, source = kwargs[name], name
        elif name not in _NOT_FROM_ENV and env.get(env_name) is not None:
            raw, source = env[env_name], env_name
        elif (fallback := _otel_fallback(name, env)) is not None:
            raw, source = fallback
        else:
            continue
        values[name] = None if raw is None else validate(source, raw)
    if values.get("prices") is not None and not isinstance(values["prices"], Mapping):
        path = Path(values["prices"])
        if not path.is_file():
            raise ConfigError("prices", path, "the path of an existing YAML price table")
    if values.get("log_file") is not None:
        _check_writable("log_file", Path(values["log_file"]))
    settings = Settings(**values)
    if settings.multiprocess_dir is not None and not Path(settings.multiprocess_dir).is_dir():
        raise ConfigError(
            "PROMETHEUS_MULTIPROC_DIR", settings.multiprocess_dir, "an existing, writable directory"
        )
    return settings


def _check_writable(setting: str, path: Path) -> None:
    """Fail at ``init()``, naming the setting, if ``path`` cannot be opened for appending."""
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise ConfigError(
            setting, path, f"a file that can be opened for appending ({exc.strerror or exc})"
        ) from None


def _default(name: str) -> Any:
    return next(f for f in dataclasses.fields(Settings) if f.name == name).default


def init_docstring() -> str:
    """The docstring of :func:`glassbox.init`, generated from :data:`SETTINGS`."""
    import textwrap

    lines = [
        "Initialise Glassbox once per process; later calls return the same runtime.",
        "",
        "Every setting can also come from the environment variable ``GLASSBOX_<NAME>``; the",
        "standard ``OTEL_*`` variables are honoured as fallbacks. Arguments win; an argument",
        "given as ``None`` counts as not given (except ``metrics_port``, ``otlp_endpoint`` and",
        "``otlp_logs_endpoint``,",
        "where ``None`` turns the feature off). The generated table with defaults is",
        "``docs/configuration.md``.",
        "",
        "Args:",
    ]
    for spec in SETTINGS:
        default = _default(spec.name)
        text = spec.help
        if default not in (None, (), dataclasses.MISSING) and not callable(default):
            text += f" Default ``{_shown(default)}``."
        if spec.fallback:
            text += f" Fallback: {spec.fallback}."
        wrapped = textwrap.wrap(f"{spec.name}: {text}", 84, subsequent_indent="    ")
        lines += ["    " + line for line in wrapped]
    lines += [
        "",
        "Returns:",
        "    The :class:`Runtime` (its ``metrics_url`` tells where metrics are served).",
        "",
        "Raises:",
        "    ConfigError: A setting is invalid; the message names it and what is expected.",
    ]
    return "\n".join(lines) + "\n"


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
