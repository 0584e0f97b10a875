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
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from glassbox import semconv
from glassbox.exceptions import ConfigError

__all__ = ["Budget", "Settings", "resolve_settings"]

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
    traces: bool = True
    span_queue_size: int = 2048
    keep_spans: int = 0
    logs: bool = True
    log_level: str = "info"
    log_file: str | None = None
    log_llm_calls: bool = True
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


def _positive_int(setting: str, value: object, minimum: int = 1) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ConfigError(setting, value, f"a whole number of at least {minimum}") from None
    if number < minimum or isinstance(value, bool):
        raise ConfigError(setting, value, f"a whole number of at least {minimum}")
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
        return (value,)
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
            b if isinstance(b, Budget) else _budget(f"{setting}[{i}]", b)
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
    if limit <= 0:
        raise ConfigError(f"{setting}.limit_usd", limit, "a positive number of US dollars")
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


# init() keyword -> (validator, OTEL fallback lookup)
_Validator = Callable[[str, Any], Any]
_VALIDATORS: dict[str, _Validator] = {
    "service_name": _text,
    "environment": _text,
    "service_version": _text,
    "metrics_port": _port,
    "metrics_host": _text,
    "app_metrics": _bool,
    "otlp_endpoint": _endpoint,
    "traces": _bool,
    "span_queue_size": _positive_int,
    "keep_spans": lambda s, v: _positive_int(s, v, minimum=0),
    "logs": _bool,
    "log_level": _log_level,
    "log_file": _text,
    "log_llm_calls": _bool,
    "capture_content": _bool,
    "redaction": _bool,
    "redaction_key_file": _text,
    "attribution_labels": _attribution,
    "cardinality_budgets": _budgets_by_label,
    "prices": lambda s, v: v if isinstance(v, Mapping) else _text(s, v),
    "budgets": _budget_list,
    "instrument": _names,
    "multiprocess_dir": _text,
}
# Settings only read from the environment as JSON would be awkward; budgets come from init().
_NOT_FROM_ENV = {"budgets"}


def _otel_fallback(name: str, environ: Mapping[str, str]) -> str | None:
    resource = _resource_attributes(environ)
    if name == "service_name":
        return environ.get("OTEL_SERVICE_NAME") or resource.get("service.name")
    if name == "environment":
        return resource.get("deployment.environment.name") or resource.get("deployment.environment")
    if name == "service_version":
        return resource.get("service.version")
    if name == "otlp_endpoint":
        traces = environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        if traces:
            return traces
        base = environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        return f"{base.rstrip('/')}/v1/traces" if base else None
    if name == "capture_content":
        return environ.get("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT")
    if name == "traces":
        exporter = environ.get("OTEL_TRACES_EXPORTER")
        return "false" if exporter and exporter.strip().lower() == "none" else None
    if name == "multiprocess_dir":
        return environ.get("PROMETHEUS_MULTIPROC_DIR") or environ.get("prometheus_multiproc_dir")
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
        if name in kwargs and (
            kwargs[name] is not None or name in {"metrics_port", "otlp_endpoint"}
        ):
            raw, source = kwargs[name], name
        elif name not in _NOT_FROM_ENV and env.get(env_name) is not None:
            raw, source = env[env_name], env_name
        elif (fallback := _otel_fallback(name, env)) is not None:
            raw, source = fallback, "OTEL_* environment"
        else:
            continue
        values[name] = None if raw is None else validate(source, raw)
    if values.get("prices") is not None and not isinstance(values["prices"], Mapping):
        path = Path(values["prices"])
        if not path.is_file():
            raise ConfigError("prices", path, "the path of an existing YAML price table")
    settings = Settings(**values)
    if settings.multiprocess_dir is not None and not Path(settings.multiprocess_dir).is_dir():
        raise ConfigError(
            "PROMETHEUS_MULTIPROC_DIR", settings.multiprocess_dir, "an existing, writable directory"
        )
    return settings
