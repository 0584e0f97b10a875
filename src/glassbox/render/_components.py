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
from typing import Any

from glassbox.mixin import Environment, Mixin
from glassbox.render._formats import dump_yaml
from glassbox.render._mixin import mixin_files
from glassbox.render._prometheus import prometheus_config

__all__ = [
    "COLLECTOR_PORTS",
    "DATA_PATHS",
    "IMAGES",
    "PORTS",
    "REMOTE_WRITE_TOKEN_FILE",
    "alertmanager_secret_files",
    "component_configs",
    "prometheus_args",
    "secret_basename",
]

#: Pinned images (bump deliberately; the configuration below targets these versions).
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


def loki_config() -> dict[str, Any]:
    """Loki 3, single binary, filesystem storage, OTLP ingestion (structured metadata)."""
    root = DATA_PATHS["loki"]
    return {
        "auth_enabled": False,
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
        },
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
        },
        "exporters": {
            "otlp/tempo": {
                "endpoint": f"tempo:{_TEMPO_OTLP_GRPC}",
                "tls": {"insecure": True},
            },
            "otlphttp/loki": {"endpoint": f"http://loki:{PORTS['loki']}/otlp"},
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
                    "processors": processors,
                    "exporters": ["otlphttp/loki"],
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
        "tempo/tempo.yaml": dump_yaml(tempo_config()),
        "otel-collector/config.yaml": dump_yaml(collector_config()),
    }


def secret_basename(path: str) -> str:
    """The key of a credential file in its Secret (the mixin's convention: the basename)."""
    return os.path.basename(path)
