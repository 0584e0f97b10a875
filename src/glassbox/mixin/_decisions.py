"""The decisions file: a handful of validated values per environment and team.

A decisions file is YAML with ``defaults`` (merged under every environment) and
``environments``. Loading validates every key and value against the dataclasses below;
a bad file raises :class:`DecisionsError` naming the key path, the value and what was
expected. The shipped default (``glassbox.yaml`` in this package) is used when no file
is given.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import types
import typing
import urllib.parse
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from glassbox.exceptions import DecisionsError

__all__ = [
    "DEFAULT_DECISIONS",
    "SEVERITIES",
    "Datasource",
    "Datasources",
    "Decisions",
    "DecisionsError",
    "Environment",
    "Receiver",
    "Routing",
    "SLOs",
    "Team",
    "Thresholds",
    "load_decisions",
]

#: Alert severities, most urgent first (monitoring-mixins convention).
SEVERITIES = ("critical", "warning", "info")


class Duration(str):
    """A Prometheus duration such as ``30s``, ``5m`` or ``1h30m``."""

    @property
    def seconds(self) -> float:
        import promql_parser

        return float(promql_parser.parse_duration(self).total_seconds())


@dataclass(frozen=True)
class Datasource:
    """A Grafana data source: its stable uid and the URL Grafana reaches it at."""

    uid: str
    url: str


@dataclass(frozen=True)
class Datasources:
    """The data sources dashboards and provisioning refer to."""

    prometheus: Datasource
    loki: Datasource
    tempo: Datasource


@dataclass(frozen=True)
class Thresholds:
    """Alert thresholds (ratios are fractions of 1, latencies seconds)."""

    error_ratio: float = 0.05
    p95_latency_seconds: float = 10.0
    ttfc_p95_seconds: float = 4.0
    tokens_per_hour: float = 2_000_000.0
    rate_limited_ratio: float = 0.05
    tool_error_ratio: float = 0.1
    tool_calls_per_run: float = 20.0
    queue_backlog: float = 500.0
    queue_stuck_for: Duration = Duration("10m")  # noqa: RUF009
    eval_score_min: float = 0.0
    stale_job: Duration = Duration("2h")  # noqa: RUF009
    telemetry_dropped_per_second: float = 0.0
    kv_cache_usage: float = 0.9
    waiting_requests: float = 50.0
    budget_warning_fraction: float = 0.8
    no_traffic_for: Duration = Duration("15m")  # noqa: RUF009


@dataclass(frozen=True)
class SLOs:
    """Objectives for LLM calls and the burn-rate windows that page or ticket on them.

    ``latency_threshold_seconds`` must be a bucket bound of the duration histogram.
    Each window is ``[long, short, burn_rate]``.
    """

    availability: float = 0.99
    latency: float = 0.95
    latency_threshold_seconds: float = 10.24
    page_windows: tuple[tuple[Duration, Duration, float], ...] = (
        (Duration("1h"), Duration("5m"), 14.4),
        (Duration("6h"), Duration("30m"), 6.0),
    )
    ticket_windows: tuple[tuple[Duration, Duration, float], ...] = (
        (Duration("1d"), Duration("2h"), 3.0),
        (Duration("3d"), Duration("6h"), 1.0),
    )


@dataclass(frozen=True)
class Routing:
    """Which receiver gets alerts of each severity."""

    critical: str
    warning: str
    info: str


@dataclass(frozen=True)
class Receiver:
    """One Alertmanager receiver. Secrets are file paths, read by Alertmanager.

    Keys: ``slack`` (``channel``, ``api_url_file``), ``pagerduty``
    (``routing_key_file``), ``webhook`` (``url``, optional ``bearer_token_file``).
    A receiver with none of them discards notifications.
    """

    slack: dict[str, str] | None = None
    pagerduty: dict[str, str] | None = None
    webhook: dict[str, str] | None = None


@dataclass(frozen=True)
class Team:
    """A team: the services it owns, its daily budget and where its alerts go."""

    services: tuple[str, ...] = ()
    budget_usd_per_day: float | None = None
    routing: Routing | None = None


@dataclass(frozen=True)
class Environment:
    """Everything the mixin needs to project onto one environment."""

    name: str
    datasources: Datasources
    routing: Routing
    scrape_interval: Duration = Duration("15s")  # noqa: RUF009
    evaluation_interval: Duration = Duration("15s")  # noqa: RUF009
    rate_window: Duration = Duration("5m")  # noqa: RUF009
    alert_for: dict[str, Duration] = field(default_factory=dict)
    selector: dict[str, str] = field(default_factory=dict)
    thresholds: Thresholds = Thresholds()
    slos: SLOs = SLOs()
    budget_usd_per_day: float | None = None
    targets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pushgateway: str | None = None
    alertmanager: str = "127.0.0.1:9093"
    group_wait: Duration = Duration("30s")  # noqa: RUF009
    group_interval: Duration = Duration("5m")  # noqa: RUF009
    repeat_interval: Duration = Duration("4h")  # noqa: RUF009
    runbook_base_url: str = "https://github.com/glassbox-dev/glassbox/blob/main/docs/runbooks"
    receivers: dict[str, Receiver] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)

    def for_(self, severity: str) -> str:
        """The ``for:`` duration of alerts of ``severity``."""
        return str(self.alert_for.get(severity, Duration("5m")))


@dataclass(frozen=True)
class Decisions:
    """A loaded, validated decisions file."""

    environments: dict[str, Environment]
    source: str

    def environment(self, name: str) -> Environment:
        """The environment ``name``.

        Raises:
            DecisionsError: No such environment; the message lists the known ones.
        """
        if name not in self.environments:
            known = ", ".join(sorted(self.environments))
            raise DecisionsError(
                f"{self.source}: no environment {name!r}; expected one of: {known}"
            )
        return self.environments[name]


#: The decisions file shipped with the package.
DEFAULT_DECISIONS = "glassbox.yaml"


def load_decisions(path: Path | str | None = None) -> Decisions:
    """Load and validate a decisions file (the shipped default when ``path`` is None).

    Raises:
        DecisionsError: The file is missing, not YAML, or a value is invalid.
    """
    if path is None:
        text = resources.files("glassbox.mixin").joinpath(DEFAULT_DECISIONS).read_text()
        source = f"<default {DEFAULT_DECISIONS}>"
    else:
        source = str(path)
        try:
            text = Path(path).read_text()
        except OSError as exc:
            raise DecisionsError(f"cannot read decisions file {source}: {exc.strerror}") from exc
        except UnicodeDecodeError:
            raise DecisionsError(
                f"decisions file {source} is not UTF-8 text; expected a YAML file"
            ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DecisionsError(f"{source} is not valid YAML: {_yaml_problem(exc)}") from None
    return parse_decisions(data, source)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """The parser's complaint and where, on one line (its own message spans several)."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{problem}{where}"


def parse_decisions(data: Any, source: str = "<decisions>") -> Decisions:
    """Validate already-parsed decisions data (see :func:`load_decisions`)."""
    root = _mapping(data, "", source)
    unknown = set(root) - {"version", "defaults", "environments"}
    if unknown:
        raise DecisionsError(
            f"{source}: unknown top-level key {sorted(unknown)[0]!r}; "
            "expected version, defaults and environments"
        )
    if root.get("version", 1) != 1:
        raise DecisionsError(f"{source}: version = {root['version']!r}; expected 1")
    defaults = _mapping(root.get("defaults", {}), "defaults", source)
    envs = _mapping(root.get("environments"), "environments", source)
    if not envs:
        raise DecisionsError(f"{source}: environments is empty; expected at least one environment")
    environments: dict[str, Environment] = {}
    for name, body in envs.items():
        merged = _merge(defaults, _mapping(body, f"environments.{name}", source))
        merged["name"] = name
        env = _build(Environment, merged, f"environments.{name}", source)
        _check_references(env, f"environments.{name}", source)
        environments[str(name)] = env
    return Decisions(environments, source)


def _check_references(env: Environment, path: str, source: str) -> None:
    for severity in env.alert_for:
        if severity not in SEVERITIES:
            raise DecisionsError(
                f"{source}: {path}.alert_for.{severity}: unknown severity; expected one of {SEVERITIES}"  # noqa: E501
            )
    routings = [(f"{path}.routing", env.routing)]
    routings += [
        (f"{path}.teams.{n}.routing", t.routing) for n, t in env.teams.items() if t.routing
    ]
    for where, routing in routings:
        for severity in SEVERITIES:
            receiver = getattr(routing, severity)
            if receiver not in env.receivers:
                raise DecisionsError(
                    f"{source}: {where}.{severity} = {receiver!r}: no such receiver; "
                    f"expected one of {sorted(env.receivers)} (declare it under receivers)"
                )
    for name, receiver in env.receivers.items():
        _check_name(name, f"{path}.receivers", source, "receiver")
        _check_receiver(receiver, f"{path}.receivers.{name}", source)
    for service, addresses in env.targets.items():
        _check_name(service, f"{path}.targets", source, "service")
        if not addresses:
            raise DecisionsError(
                f"{source}: {path}.targets.{service} is empty; expected one or more host:port"
            )
        for address in addresses:
            _check_address(address, f"{path}.targets.{service}", source)
    for key in ("alertmanager", "pushgateway"):
        if getattr(env, key) is not None:
            _check_address(getattr(env, key), f"{path}.{key}", source)
    for team, body in env.teams.items():
        _check_name(team, f"{path}.teams", source, "team")
        for service in body.services:
            _check_name(service, f"{path}.teams.{team}.services", source, "service")
    for key, value in (("availability", env.slos.availability), ("latency", env.slos.latency)):
        if not 0 < value < 1:
            raise DecisionsError(
                f"{source}: {path}.slos.{key} = {value!r}; expected a fraction between 0 and 1 (e.g. 0.99)"  # noqa: E501
            )
    for kind, objective in (("availability", env.slos.availability), ("latency", env.slos.latency)):
        for key in ("page_windows", "ticket_windows"):
            for i, (_, _, burn) in enumerate(getattr(env.slos, key)):
                if burn * (1 - objective) >= 1:
                    raise DecisionsError(
                        f"{source}: {path}.slos.{key}[{i}] burn rate = {burn:g}; with the {kind} "
                        f"objective {objective:g} the alert could never fire; expected a burn rate "
                        f"below {1 / (1 - objective):g}"
                    )
    from glassbox import semconv

    if env.slos.latency_threshold_seconds not in semconv.LLM_DURATION.buckets:
        raise DecisionsError(
            f"{source}: {path}.slos.latency_threshold_seconds = {env.slos.latency_threshold_seconds!r}; "  # noqa: E501
            f"expected a bucket bound of {semconv.LLM_DURATION.name}: {semconv.LLM_DURATION.buckets}"  # noqa: E501
        )


_RECEIVER_KEYS = {
    "slack": ({"api_url_file", "channel"}, {"api_url_file"}),
    "pagerduty": ({"routing_key_file"}, {"routing_key_file"}),
    "webhook": ({"url", "bearer_token_file"}, {"url"}),
}


#: Names that become Prometheus job names, label values and Kubernetes object names
#: (``glassbox-<service>``): a DNS-1123 label, so every generated file accepts them.
_NAME = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
#: ``host:port`` with a DNS name, an IPv4 address or a bracketed IPv6 address.
_ADDRESS = re.compile(
    r"(?:[A-Za-z0-9](?:[-A-Za-z0-9.]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})"
)


def _check_name(name: str, path: str, source: str, what: str) -> None:
    if not _NAME.fullmatch(str(name)):
        raise DecisionsError(
            f"{source}: {path}: {what} name {name!r} is not valid; expected lower-case letters, "
            "digits and '-', starting and ending with a letter or digit, at most 63 characters "
            "(it becomes a Prometheus job and a Kubernetes object name)"
        )


def _check_address(address: str, path: str, source: str) -> None:
    match = _ADDRESS.fullmatch(str(address))
    if match is None or not 0 < int(match.group(1)) < 65536:
        raise DecisionsError(
            f"{source}: {path} = {address!r}; expected host:port (e.g. newsroom:8000 or "
            "10.0.0.5:9464), without a scheme or path"
        )


def _check_url(url: str, path: str, source: str) -> None:
    parsed = urllib.parse.urlsplit(str(url))
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise DecisionsError(
            f"{source}: {path} = {url!r}; expected an http:// or https:// URL with a host"
        )


def _check_receiver(receiver: Receiver, path: str, source: str) -> None:
    for kind, (allowed, required) in _RECEIVER_KEYS.items():
        body = getattr(receiver, kind)
        if body is None:
            continue
        for key in body:
            if key not in allowed:
                hint = (
                    " (secrets are given as files: use api_url_file/routing_key_file)"
                    if "file" not in key
                    else ""
                )
                raise DecisionsError(
                    f"{source}: {path}.{kind}.{key}: unknown key; expected {sorted(allowed)}{hint}"
                )
        for key in required - set(body):
            raise DecisionsError(
                f"{source}: {path}.{kind}: missing {key!r}; expected keys {sorted(allowed)}"
            )
        for key, value in body.items():
            if key.endswith("_file") and not posixpath.isabs(str(value)):
                raise DecisionsError(
                    f"{source}: {path}.{kind}.{key} = {value!r}; expected an absolute path "
                    "(where Alertmanager reads the secret, e.g. /etc/alertmanager/secrets/…)"
                )
        if kind == "webhook":
            _check_url(body["url"], f"{path}.webhook.url", source)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _mapping(value: Any, path: str, source: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        where = path or "the top level"
        raise DecisionsError(f"{source}: {where} = {value!r}; expected a mapping")
    return value


def _fail(source: str, path: str, value: Any, expected: str) -> typing.NoReturn:
    raise DecisionsError(f"{source}: {path} = {value!r}; expected {expected}")


def _build(cls: type[Any], data: Any, path: str, source: str) -> Any:
    body = _mapping(data, path, source)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in body:
        if key not in fields:
            _fail(source, f"{path}.{key}", body[key], f"one of the keys {sorted(fields)}")
    kwargs: dict[str, Any] = {}
    for name, spec in fields.items():
        if name in body:
            kwargs[name] = _convert(hints[name], body[name], f"{path}.{name}", source)
        elif spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            raise DecisionsError(f"{source}: {path}.{name} is missing; it is required")
    return cls(**kwargs)


def _convert(hint: Any, value: Any, path: str, source: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(inner, value, path, source)
    if hint is Duration:
        return _duration(value, path, source)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            _fail(source, path, value, "a non-negative number")
        return float(value)
    if hint is str:
        if not isinstance(value, str) or not value:
            _fail(source, path, value, "a non-empty string")
        return value
    if origin is dict:
        body = _mapping(value, path, source)
        return {str(k): _convert(args[1], v, f"{path}.{k}", source) for k, v in body.items()}
    if origin is tuple:
        if not isinstance(value, list | tuple):
            _fail(source, path, value, "a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, f"{path}[{i}]", source) for i, v in enumerate(value))
        if len(value) != len(args):
            _fail(source, path, value, f"a list of {len(args)} values")
        return tuple(
            _convert(a, v, f"{path}[{i}]", source)
            for i, (a, v) in enumerate(zip(args, value, strict=True))
        )
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, path, source)  # type: ignore[arg-type]
    raise TypeError(f"unsupported field type {hint!r} at {path}")  # pragma: no cover


def _duration(value: Any, path: str, source: str) -> Duration:
    import promql_parser

    if not isinstance(value, str):
        _fail(source, path, value, "a duration such as 30s, 5m or 1h")
    try:
        seconds = promql_parser.parse_duration(value).total_seconds()
    except (ValueError, TypeError):
        _fail(source, path, value, "a duration such as 30s, 5m or 1h")
    if seconds <= 0:
        _fail(source, path, value, "a positive duration")
    return Duration(value)
