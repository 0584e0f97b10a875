from __future__ import annotations

from pathlib import Path

import pytest

import glassbox
from glassbox._config import Budget, resolve_settings


def test_defaults() -> None:
    settings = resolve_settings(environ={})
    assert settings.metrics_port == 9464
    assert settings.metrics_host == "127.0.0.1"
    assert settings.otlp_endpoint is None
    assert settings.capture_content is False
    assert settings.service_name == "unknown_service"


def test_arguments_win_over_glassbox_env_which_wins_over_otel_env() -> None:
    env = {
        "OTEL_SERVICE_NAME": "from-otel",
        "GLASSBOX_SERVICE_NAME": "from-glassbox",
        "GLASSBOX_METRICS_PORT": "9999",
    }
    assert resolve_settings(environ=env).service_name == "from-glassbox"
    assert resolve_settings(environ=env, service_name="from-arg").service_name == "from-arg"
    assert resolve_settings(environ={"OTEL_SERVICE_NAME": "from-otel"}).service_name == "from-otel"
    assert resolve_settings(environ=env).metrics_port == 9999


def test_otel_standard_variables_are_honoured() -> None:
    env = {
        "OTEL_RESOURCE_ATTRIBUTES": (
            "service.name=svc,deployment.environment.name=prod,service.version=1.2.3"
        ),
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318/",
        "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true",
    }
    settings = resolve_settings(environ=env)
    assert (settings.service_name, settings.environment, settings.service_version) == (
        "svc",
        "prod",
        "1.2.3",
    )
    assert settings.otlp_endpoint == "http://127.0.0.1:4318/v1/traces"
    assert settings.capture_content is True
    traces_only = resolve_settings(
        environ={"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}
    )
    assert traces_only.otlp_endpoint == "http://collector:4318/v1/traces"
    assert resolve_settings(environ={"OTEL_TRACES_EXPORTER": "none"}).traces is False


@pytest.mark.parametrize("value", ["off", "none", "disabled"])
def test_metrics_endpoint_can_be_disabled(value: str) -> None:
    assert resolve_settings(environ={"GLASSBOX_METRICS_PORT": value}).metrics_port is None
    assert resolve_settings(environ={}, metrics_port=None).metrics_port is None


@pytest.mark.parametrize(
    ("kwargs", "env", "setting", "fragment"),
    [
        ({}, {"GLASSBOX_METRICS_PORT": "http"}, "GLASSBOX_METRICS_PORT", "port number"),
        ({"metrics_port": 70000}, {}, "metrics_port", "port number"),
        ({"log_level": "verbose"}, {}, "log_level", "one of debug, info"),
        ({}, {"GLASSBOX_CAPTURE_CONTENT": "maybe"}, "GLASSBOX_CAPTURE_CONTENT", "true or false"),
        ({"otlp_endpoint": "collector:4318"}, {}, "otlp_endpoint", "http:// or https:// URL"),
        ({"span_queue_size": 0}, {}, "span_queue_size", "from 1 to"),
        ({"span_queue_size": 10**12}, {}, "span_queue_size", "from 1 to 1,000,000"),
        ({"shutdown_timeout": -1}, {}, "shutdown_timeout", "seconds from 0 to 600"),
        ({"shutdown_timeout": "nan"}, {}, "shutdown_timeout", "seconds from 0 to 600"),
        ({"budgets": {"daily": float("nan")}}, {}, "budgets[daily].limit_usd", "finite"),
        ({"budgets": {"daily": float("inf")}}, {}, "budgets[daily].limit_usd", "finite"),
        ({"budgets": [Budget("b", float("inf"))]}, {}, "budgets[0].limit_usd", "finite"),
        ({"log_file": "/nonexistent/dir/app.log"}, {}, "log_file", "opened for appending"),
        ({}, {"OTEL_SERVICE_NAME": " "}, "OTEL_SERVICE_NAME", "non-empty"),
        (
            {},
            {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "collector:4318"},
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "http://",
        ),
        (
            {},
            {"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "maybe"},
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
            "true or false",
        ),
        ({"attribution_labels": ["user_id"]}, {}, "attribution_labels", "team, tenant"),
        (
            {"cardinality_budgets": {"tenant": "lots"}},
            {},
            "cardinality_budgets[tenant]",
            "whole number",
        ),
        (
            {"cardinality_budgets": {"prompt": 3}},
            {},
            "cardinality_budgets",
            "a label of the contract",
        ),
        ({"budgets": {"daily": -5}}, {}, "budgets[daily].limit_usd", "positive"),
        (
            {"budgets": {"daily": {"limit_usd": 5, "period": "week"}}},
            {},
            "budgets[daily].period",
            "day or month",
        ),
        ({"service_name": "  "}, {}, "service_name", "non-empty"),
        ({"prices": "/nonexistent/prices.yaml"}, {}, "prices", "existing YAML"),
        ({"multiprocess_dir": "/nonexistent/dir"}, {}, "PROMETHEUS_MULTIPROC_DIR", "existing"),
        ({"metrics_prot": 9000}, {}, "init() argument", "metrics_prot"),
    ],
)
def test_invalid_settings_name_the_setting_and_what_is_expected(
    kwargs: dict[str, object], env: dict[str, str], setting: str, fragment: str
) -> None:
    with pytest.raises(glassbox.ConfigError) as info:
        resolve_settings(environ=env, **kwargs)
    message = str(info.value)
    assert setting in message
    assert fragment in message


def test_init_rejects_invalid_settings_without_starting() -> None:
    with pytest.raises(glassbox.ConfigError, match="metrics_port"):
        glassbox.init(metrics_port="nine")
    from glassbox import _runtime

    assert _runtime.current() is None


def test_budgets_accept_mapping_and_objects(tmp_path: Path) -> None:
    settings = resolve_settings(
        environ={},
        budgets={"daily": 25, "search": {"limit_usd": 5, "team": "search", "enforce": True}},
    )
    assert settings.budgets == (
        Budget("daily", 25.0),
        Budget("search", 5.0, team="search", enforce=True),
    )
    assert (
        resolve_settings(environ={}, budgets=[Budget("m", 1.0, period="month")]).budgets[0].period
        == "month"
    )


def test_a_binary_price_file_is_a_config_error(tmp_path: Path) -> None:
    prices = tmp_path / "prices.yaml"
    prices.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(glassbox.ConfigError, match="prices"):
        glassbox.init(prices=str(prices), metrics_port=None)


def test_a_directory_as_log_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(glassbox.ConfigError, match="log_file"):
        glassbox.init(log_file=str(tmp_path), metrics_port=None)
