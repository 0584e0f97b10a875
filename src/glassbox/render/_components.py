"""The production stack's components: images, ports, and each tool's configuration.

Shared by the Compose and Kubernetes forms, so both run the same configuration. Every
service is reached by its name (a Compose service or a Kubernetes Service in the same
namespace) on the port listed in :data:`PORTS`; the configuration of each tool is
written here with those names and ports, never elsewhere.

Data flow: applications send OTLP to the Collector, which sends traces to Tempo (OTLP
gRPC), logs to Loki (Loki's native OTLP endpoint) and metrics to Prometheus (a
Prometheus exporter that Prometheus scrapes, exemplars kept). Prometheus also scrapes
the SDK's ``/metrics`` endpoints named in the decisions file, the Pushgateway and the
stack itself, evaluates the mixin's rules and sends alerts to Alertmanager. Tempo's
metrics generator remote-writes service-graph and span metrics into Prometheus. Grafana
reads all three, with exemplar → trace, trace → logs and log → trace links.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from glassbox.exceptions import ConfigError
from glassbox.mixin import Environment, Mixin
from glassbox.render._formats import dump_yaml
from glassbox.render._logs import (
    LOG_LABEL_ATTRIBUTES,
    LOKI_INDEX_LABELS,
    LOKI_RAW_TENANT,
    LOKI_TENANT,
    RAW_RETENTION,
    RAW_STREAM_ATTRIBUTE,
)
from glassbox.render._mixin import mixin_files
from glassbox.render._prometheus import prometheus_config

__all__ = [
    "COLLECTOR_PORTS",
    "DATA_PATHS",
    "IMAGES",
    "PORTS",
    "REMOTE_WRITE_TOKEN_FILE",
    "alertmanager_secret_files",
    "check_namespace",
    "component_configs",
    "prometheus_args",
    "resolve_images",
    "secret_basename",
]

#: Pinned images (bump deliberately; the configuration below targets these versions).
#: A deployment may replace any of them, e.g. with a digest: see :func:`resolve_images`.
IMAGES: dict[str, str] = {
    "prometheus": "prom/prometheus:v2.55.1",
    "alertmanager": "prom/alertmanager:v0.28.1",
    "pushgateway": "prom/pushgateway:v1.11.0",
    "grafana": "grafana/grafana:11.5.2",
    "loki": "grafana/loki:3.4.2",
    "tempo": "grafana/tempo:2.7.1",
    "otel-collector": "otel/opentelemetry-collector-contrib:0.120.0",
}

#: The main (HTTP) port of every service.
PORTS: dict[str, int] = {
    "prometheus": 9090,
    "alertmanager": 9093,
    "pushgateway": 9091,
    "grafana": 3000,
    "loki": 3100,
    "tempo": 3200,
    "otel-collector": 4318,
}

#: The Collector's ports: OTLP in, the Prometheus exporter, its own metrics, health.
COLLECTOR_PORTS: dict[str, int] = {
    "otlp-grpc": 4317,
    "otlp-http": 4318,
    "prom-export": 8889,
    "metrics": 8888,
    "health": 13133,
}
_TEMPO_OTLP_GRPC = 4317
_LOKI_GRPC = 9096
_TEMPO_GRPC = 9095

#: Where each stateful service keeps its data inside its container.
DATA_PATHS: dict[str, str] = {
    "prometheus": "/prometheus",
    "alertmanager": "/alertmanager",
    "grafana": "/var/lib/grafana",
    "loki": "/loki",
    "tempo": "/var/tempo",
}

#: Where Grafana reads the mixin's dashboards (matches the mixin's provider).
#: The remote-write credential file inside the Prometheus container.
REMOTE_WRITE_TOKEN_FILE = "/etc/prometheus-secrets/remote-write-token"

_REMOTE_WRITE_HINT = """\

# remote_write: ship every sample to a horizontally scaled store (Mimir, Thanos Receive,
# Cortex, VictoriaMetrics). Regenerate with `glassbox deploy … --remote-write-url URL`,
# which also mounts the credential file below from a secret; or uncomment and edit:
#
# remote_write:
#   - url: https://metrics.example.com/api/v1/push
#     authorization:
#       credentials_file: {token}
#     send_exemplars: true
#     queue_config: {{capacity: 10000, max_shards: 50, max_samples_per_send: 2000}}
"""


#: ``name[:tag][@sha256:<64 hex>]`` with at least a tag or a digest (never an implied latest).
_IMAGE_REF = re.compile(
    r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?"
)
#: A Kubernetes namespace: a DNS-1123 label.
_NAMESPACE = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


def resolve_images(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The image of every component: the pinned defaults, replaced where ``overrides`` says.

    Raises:
        ConfigError: An unknown component, or a reference with neither a version tag
            nor a digest (or ``latest``).
    """
    images = dict(IMAGES)
    for name, ref in (overrides or {}).items():
        if name not in IMAGES:
            raise ConfigError("--image", f"{name}={ref}", f"a component of {sorted(IMAGES)}")
        match = _IMAGE_REF.fullmatch(ref)
        if match is None or not (match["tag"] or match["digest"]) or match["tag"] == "latest":
            raise ConfigError(
                "--image",
                f"{name}={ref}",
                "an image reference pinned by a version tag or a digest "
                "(repository:1.2.3 or repository@sha256:<64 hex digits>), never latest",
            )
        images[name] = ref
    return images


def check_namespace(namespace: str) -> str:
    """Return ``namespace`` if it is a valid Kubernetes namespace name.

    Raises:
        ConfigError: It is not a DNS-1123 label.
    """
    if not _NAMESPACE.fullmatch(namespace):
        raise ConfigError(
            "--namespace",
            namespace,
            "a Kubernetes namespace: lower-case letters, digits and '-', starting and ending "
            "with a letter or digit, at most 63 characters",
        )
    return namespace


def prometheus_args() -> list[str]:
    """Prometheus's command line in both forms (config and data paths in the container)."""
    return [
        "--config.file=/etc/prometheus/prometheus.yml",
        f"--storage.tsdb.path={DATA_PATHS['prometheus']}",
        "--storage.tsdb.retention.time=15d",
        f"--web.listen-address=0.0.0.0:{PORTS['prometheus']}",
        "--web.enable-lifecycle",
        "--web.enable-remote-write-receiver",  # Tempo's metrics generator writes here
        "--enable-feature=exemplar-storage",
    ]


def alertmanager_secret_files(env: Environment) -> list[str]:
    """Every credential file the decisions' receivers name (absolute container paths)."""
    files: set[str] = set()
    for receiver in env.receivers.values():
        for body, key in (
            (receiver.slack, "api_url_file"),
            (receiver.pagerduty, "routing_key_file"),
            (receiver.webhook, "bearer_token_file"),
        ):
            if body is not None and key in body:
                files.add(body[key])
    return sorted(files)


def _stack_scrape_jobs(env: Environment) -> list[dict[str, Any]]:
    """Prometheus scrapes the stack itself (and the Collector's OTLP metrics)."""
    alertmanager_host = env.alertmanager
    jobs: list[dict[str, Any]] = [
        {
            "job_name": "otel-collector-otlp",
            "honor_labels": True,  # keep the job/instance the OTLP resource carried
            "static_configs": [{"targets": [f"otel-collector:{COLLECTOR_PORTS['prom-export']}"]}],
        }
    ]
    own = {
        "prometheus": f"localhost:{PORTS['prometheus']}",
        "alertmanager": alertmanager_host,
        "grafana": f"grafana:{PORTS['grafana']}",
        "loki": f"loki:{PORTS['loki']}",
        "tempo": f"tempo:{PORTS['tempo']}",
        "otel-collector": f"otel-collector:{COLLECTOR_PORTS['metrics']}",
    }
    for job, target in own.items():
        labels = {"env": env.name, "service": job}
        jobs.append({"job_name": job, "static_configs": [{"targets": [target], "labels": labels}]})
    return jobs


def prometheus_yaml(mixin: Mixin, remote_write_url: str | None) -> str:
    """``prometheus.yml``: the mixin's configuration, the stack's jobs, remote write."""
    config = prometheus_config(mixin.env)
    config["scrape_configs"] = [*config["scrape_configs"], *_stack_scrape_jobs(mixin.env)]
    if remote_write_url:
        config["remote_write"] = [
            {
                "url": remote_write_url,
                "authorization": {"credentials_file": REMOTE_WRITE_TOKEN_FILE},
                "send_exemplars": True,
                "queue_config": {"capacity": 10000, "max_shards": 50, "max_samples_per_send": 2000},
            }
        ]
        return dump_yaml(config)
    return dump_yaml(config) + _REMOTE_WRITE_HINT.format(token=REMOTE_WRITE_TOKEN_FILE)


_LOKI_OVERRIDES_FILE = "/etc/loki/overrides.yaml"


def loki_overrides() -> dict[str, Any]:
    """Per-tenant limits (Loki's runtime configuration): the raw tenant's short retention."""
    return {"overrides": {LOKI_RAW_TENANT: {"retention_period": RAW_RETENTION}}}


def loki_config() -> dict[str, Any]:
    """Loki 3, single binary, filesystem storage, OTLP ingestion, two tenants.

    Multi-tenant (``auth_enabled``): the Collector writes every stream as
    :data:`LOKI_TENANT` and the raw stream as :data:`LOKI_RAW_TENANT`, whose retention is
    :data:`RAW_RETENTION`; Grafana's data source reads only :data:`LOKI_TENANT`.
    """
    root = DATA_PATHS["loki"]
    return {
        "auth_enabled": True,
        "server": {"http_listen_port": PORTS["loki"], "grpc_listen_port": _LOKI_GRPC},
        "common": {
            "instance_addr": "127.0.0.1",
            "path_prefix": root,
            "storage": {
                "filesystem": {
                    "chunks_directory": f"{root}/chunks",
                    "rules_directory": f"{root}/rules",
                }
            },
            "replication_factor": 1,
            "ring": {"kvstore": {"store": "inmemory"}},
        },
        "schema_config": {
            "configs": [
                {
                    "from": "2024-04-01",
                    "store": "tsdb",
                    "object_store": "filesystem",
                    "schema": "v13",
                    "index": {"prefix": "index_", "period": "24h"},
                }
            ]
        },
        "limits_config": {
            "allow_structured_metadata": True,  # trace ids travel as structured metadata
            "volume_enabled": True,
            "retention_period": "744h",
            "otlp_config": {
                "resource_attributes": {
                    "ignore_defaults": True,
                    "attributes_config": [
                        {"action": "index_label", "attributes": list(LOKI_INDEX_LABELS)}
                    ],
                }
            },
        },
        "runtime_config": {"file": _LOKI_OVERRIDES_FILE},
        "compactor": {
            "working_directory": f"{root}/compactor",
            "retention_enabled": True,
            "delete_request_store": "filesystem",
        },
        "analytics": {"reporting_enabled": False},
    }


def tempo_config() -> dict[str, Any]:
    """Tempo 2, single binary, local storage, OTLP in, metrics generator → Prometheus."""
    root = DATA_PATHS["tempo"]
    return {
        "stream_over_http_enabled": True,
        "server": {"http_listen_port": PORTS["tempo"], "grpc_listen_port": _TEMPO_GRPC},
        "distributor": {
            "receivers": {
                "otlp": {"protocols": {"grpc": {"endpoint": f"0.0.0.0:{_TEMPO_OTLP_GRPC}"}}}
            }
        },
        "ingester": {"max_block_duration": "5m"},
        "compactor": {"compaction": {"block_retention": "336h"}},
        "metrics_generator": {
            "registry": {"external_labels": {"source": "tempo"}},
            "storage": {
                "path": f"{root}/generator/wal",
                "remote_write": [
                    {
                        "url": f"http://prometheus:{PORTS['prometheus']}/api/v1/write",
                        "send_exemplars": True,
                    }
                ],
            },
            "traces_storage": {"path": f"{root}/generator/traces"},
        },
        "storage": {
            "trace": {
                "backend": "local",
                "wal": {"path": f"{root}/wal"},
                "local": {"path": f"{root}/blocks"},
            }
        },
        "overrides": {
            "defaults": {
                "metrics_generator": {
                    "processors": ["service-graphs", "span-metrics", "local-blocks"]
                }
            }
        },
        "usage_report": {"reporting_enabled": False},
    }


def collector_config() -> dict[str, Any]:
    """The OpenTelemetry Collector: OTLP in; traces → Tempo, logs → Loki, metrics → Prometheus."""
    p = COLLECTOR_PORTS
    processors = ["memory_limiter", "batch"]
    return {
        "receivers": {
            "otlp": {
                "protocols": {
                    "grpc": {"endpoint": f"0.0.0.0:{p['otlp-grpc']}"},
                    "http": {"endpoint": f"0.0.0.0:{p['otlp-http']}"},
                }
            }
        },
        "processors": {
            "memory_limiter": {
                "check_interval": "1s",
                "limit_percentage": 80,
                "spike_limit_percentage": 25,
            },
            "batch": {"send_batch_size": 8192, "timeout": "5s"},
            # Loki's labels: `env` from the standard resource attribute, and the
            # low-cardinality record attributes promoted to the resource (records regrouped
            # by their values, so each keeps its own).
            "transform/loki_labels": {
                "error_mode": "ignore",
                "log_statements": [
                    {
                        "context": "resource",
                        "statements": [
                            'set(attributes["env"], attributes["deployment.environment.name"])'
                            ' where attributes["env"] == nil',
                        ],
                    },
                    {
                        "context": "log",
                        "statements": [
                            'set(attributes["level"], ConvertCase(severity_text, "lower"))'
                            ' where attributes["level"] == nil and severity_text != ""',
                        ],
                    },
                ],
            },
            "groupbyattrs/loki_labels": {"keys": list(LOG_LABEL_ATTRIBUTES)},
        },
        "connectors": {
            # The raw stream goes to its own tenant, never to the normal one.
            "routing/logs": {
                "default_pipelines": ["logs/loki"],
                "error_mode": "ignore",
                "table": [
                    {
                        "statement": f'route() where attributes["{RAW_STREAM_ATTRIBUTE}"] == "raw"',
                        "pipelines": ["logs/raw"],
                    }
                ],
            }
        },
        "exporters": {
            "otlp/tempo": {
                "endpoint": f"tempo:{_TEMPO_OTLP_GRPC}",
                "tls": {"insecure": True},
            },
            "otlphttp/loki": {
                "endpoint": f"http://loki:{PORTS['loki']}/otlp",
                "headers": {"X-Scope-OrgID": LOKI_TENANT},
            },
            "otlphttp/loki_raw": {
                "endpoint": f"http://loki:{PORTS['loki']}/otlp",
                "headers": {"X-Scope-OrgID": LOKI_RAW_TENANT},
            },
            "prometheus": {
                "endpoint": f"0.0.0.0:{p['prom-export']}",
                "enable_open_metrics": True,  # exemplars
                "resource_to_telemetry_conversion": {"enabled": True},
            },
        },
        "extensions": {"health_check": {"endpoint": f"0.0.0.0:{p['health']}"}},
        "service": {
            "extensions": ["health_check"],
            "pipelines": {
                "traces": {
                    "receivers": ["otlp"],
                    "processors": processors,
                    "exporters": ["otlp/tempo"],
                },
                "logs": {
                    "receivers": ["otlp"],
                    "processors": ["memory_limiter"],
                    "exporters": ["routing/logs"],
                },
                "logs/loki": {
                    "receivers": ["routing/logs"],
                    "processors": ["transform/loki_labels", "groupbyattrs/loki_labels", "batch"],
                    "exporters": ["otlphttp/loki"],
                },
                "logs/raw": {
                    "receivers": ["routing/logs"],
                    "processors": ["batch"],
                    "exporters": ["otlphttp/loki_raw"],
                },
                "metrics": {
                    "receivers": ["otlp"],
                    "processors": processors,
                    "exporters": ["prometheus"],
                },
            },
            "telemetry": {
                "metrics": {
                    "readers": [
                        {
                            "pull": {
                                "exporter": {
                                    "prometheus": {"host": "0.0.0.0", "port": p["metrics"]}
                                }
                            }
                        }
                    ]
                }
            },
        },
    }


def component_configs(mixin: Mixin, remote_write_url: str | None) -> dict[str, str]:
    """Every configuration file shared by both forms, by its path in the Compose bundle."""
    return {
        **mixin_files(mixin, "plain", prometheus_yml=prometheus_yaml(mixin, remote_write_url)),
        "loki/loki.yaml": dump_yaml(loki_config()),
        "loki/overrides.yaml": dump_yaml(loki_overrides()),
        "tempo/tempo.yaml": dump_yaml(tempo_config()),
        "otel-collector/config.yaml": dump_yaml(collector_config()),
    }


def secret_basename(path: str) -> str:
    """The key of a credential file in its Secret (the mixin's convention: the basename)."""
    return os.path.basename(path)
