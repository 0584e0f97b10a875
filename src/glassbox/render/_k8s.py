"""The Kubernetes form: plain manifests (``base/``) and Prometheus Operator resources.

``base/`` runs the whole stack — StatefulSets for what keeps data, Deployments for the
rest, a Service per component named like the Compose service so that every URL in the
shared configuration resolves the same way — and the mixin's dashboard ConfigMaps
(labelled ``grafana_dashboard: "1"``), mounted into Grafana and visible to a Grafana
sidecar. ``operator/`` holds the mixin's ``PrometheusRule`` and ``AlertmanagerConfig``
and ``ServiceMonitor``\\s for clusters that run the Prometheus Operator. No Secret is
generated: manifests reference Secrets the README tells the operator to create.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

import yaml

from glassbox.mixin import Mixin
from glassbox.render._bundle import Bundle
from glassbox.render._components import (
    COLLECTOR_PORTS,
    DATA_PATHS,
    PORTS,
    REMOTE_WRITE_TOKEN_FILE,
    alertmanager_secret_files,
    check_namespace,
    component_configs,
    prometheus_args,
    resolve_images,
    secret_basename,
)
from glassbox.render._formats import dump_yaml, dump_yaml_all
from glassbox.render._grafana import DASHBOARDS_PATH
from glassbox.render._mixin import mixin_files
from glassbox.render._operator import SECRET_NAME

__all__ = ["GRAFANA_SECRET", "PROMETHEUS_SECRET", "k8s_bundle"]

#: Secret with Grafana's admin password (key ``admin-password``).
GRAFANA_SECRET = "glassbox-grafana"
#: Where Grafana reads its admin password (a file from :data:`GRAFANA_SECRET`).
GRAFANA_PASSWORD_FILE = "/etc/grafana/secrets/admin-password"
#: Secret with the remote-write credential (key ``remote-write-token``).
PROMETHEUS_SECRET = "glassbox-prometheus"
_PART_OF = "glassbox"


def _labels(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": _PART_OF}


def _meta(name: str, env: str) -> dict[str, Any]:
    return {"name": name, "labels": {**_labels(name), "glassbox.dev/env": env}}


def _configmap(name: str, env: str, data: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(name, env), "data": data}


def _service(name: str, env: str, ports: dict[str, int]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(name, env),
        "spec": {
            "selector": _labels(name),
            "ports": [
                {"name": port_name, "port": port, "targetPort": port_name, "protocol": "TCP"}
                for port_name, port in ports.items()
            ],
        },
    }


#: Every container: the Pod Security "restricted" profile, plus a read-only root file
#: system (writes go to the data volume and an emptyDir at /tmp).
_CONTAINER_SECURITY: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
_TMP_VOLUME = {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}}
_TMP_MOUNT = {"name": "tmp", "mountPath": "/tmp"}


def _container(
    name: str,
    args: list[str] | None,
    ports: dict[str, int],
    mounts: list[dict[str, Any]],
    ready: tuple[str, str],
    images: Mapping[str, str],
    env: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": name,
        "image": images[name],
        "ports": [{"name": n, "containerPort": p} for n, p in ports.items()],
        "volumeMounts": [*mounts, _TMP_MOUNT],
        "readinessProbe": {"httpGet": {"path": ready[0], "port": ready[1]}, "periodSeconds": 10},
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}},
        "securityContext": dict(_CONTAINER_SECURITY),
    }
    if args is not None:
        container["args"] = args
    if env:
        container["env"] = env
    return container


def _workload(
    kind: str,
    name: str,
    env: str,
    container: dict[str, Any],
    volumes: list[dict[str, Any]],
    uid: int,
    storage: str | None = None,
) -> dict[str, Any]:
    pod: dict[str, Any] = {
        "automountServiceAccountToken": False,
        "securityContext": {
            "runAsUser": uid,
            "runAsGroup": uid,
            "fsGroup": uid,
            "runAsNonRoot": True,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [container],
        "volumes": [*volumes, _TMP_VOLUME],
    }
    spec: dict[str, Any] = {
        "replicas": 1,
        "selector": {"matchLabels": _labels(name)},
        "template": {"metadata": {"labels": _labels(name)}, "spec": pod},
    }
    if kind == "StatefulSet":
        spec["serviceName"] = name
        spec["volumeClaimTemplates"] = [
            {
                "metadata": {"name": "data"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": storage or "10Gi"}},
                },
            }
        ]
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": _meta(name, env), "spec": spec}


def _cm_volume(volume: str, configmap: str) -> dict[str, Any]:
    return {"name": volume, "configMap": {"name": configmap}}


def _mount(volume: str, path: str) -> dict[str, Any]:
    return {"name": volume, "mountPath": path, "readOnly": True}


def _data(path: str) -> dict[str, Any]:
    return {"name": "data", "mountPath": path}


def _docs(*docs: dict[str, Any]) -> str:
    return dump_yaml_all(docs)


def _prometheus(
    mixin: Mixin, configs: dict[str, str], remote_write: bool, images: Mapping[str, str]
) -> str:
    env = mixin.env.name
    rules = {
        p.rsplit("/", 1)[1]: t for p, t in configs.items() if p.startswith("prometheus/rules/")
    }
    sources: list[dict[str, Any]] = [
        {
            "configMap": {
                "name": "glassbox-prometheus",
                "items": [{"key": "prometheus.yml", "path": "prometheus.yml"}],
            }
        },
        {
            "configMap": {
                "name": "glassbox-prometheus-rules",
                "items": [{"key": name, "path": f"rules/{name}"} for name in rules],
            }
        },
    ]
    volumes = [{"name": "config", "projected": {"sources": sources}}]
    mounts = [_mount("config", "/etc/prometheus"), _data(DATA_PATHS["prometheus"])]
    if remote_write:
        key = secret_basename(REMOTE_WRITE_TOKEN_FILE)
        volumes.append(
            {
                "name": "remote-write",
                "secret": {"secretName": PROMETHEUS_SECRET, "items": [{"key": key, "path": key}]},
            }
        )
        mounts.append(_mount("remote-write", posixpath.dirname(REMOTE_WRITE_TOKEN_FILE)))
    ports = {"http": PORTS["prometheus"]}
    container = _container(
        "prometheus", prometheus_args(), ports, mounts, ("/-/ready", "http"), images
    )
    return _docs(
        _configmap(
            "glassbox-prometheus", env, {"prometheus.yml": configs["prometheus/prometheus.yml"]}
        ),
        _configmap("glassbox-prometheus-rules", env, rules),
        _workload("StatefulSet", "prometheus", env, container, volumes, 65534, "50Gi"),
        _service("prometheus", env, ports),
    )


def _alertmanager(mixin: Mixin, configs: dict[str, str], images: Mapping[str, str]) -> str:
    env = mixin.env.name

    volumes = [_cm_volume("config", "glassbox-alertmanager")]
    mounts = [_mount("config", "/etc/alertmanager/config"), _data(DATA_PATHS["alertmanager"])]
    by_dir: dict[str, list[str]] = {}
    for path in alertmanager_secret_files(mixin.env):
        by_dir.setdefault(posixpath.dirname(path), []).append(secret_basename(path))
    for i, (directory, keys) in enumerate(sorted(by_dir.items())):
        items = [{"key": key, "path": key} for key in keys]
        volumes.append(
            {"name": f"secrets-{i}", "secret": {"secretName": SECRET_NAME, "items": items}}
        )
        mounts.append(_mount(f"secrets-{i}", directory))
    ports = {"http": PORTS["alertmanager"]}
    args = [
        "--config.file=/etc/alertmanager/config/alertmanager.yml",
        f"--storage.path={DATA_PATHS['alertmanager']}",
        f"--web.listen-address=0.0.0.0:{PORTS['alertmanager']}",
        "--cluster.listen-address=",
    ]
    container = _container("alertmanager", args, ports, mounts, ("/-/ready", "http"), images)
    return _docs(
        _configmap(
            "glassbox-alertmanager",
            env,
            {"alertmanager.yml": configs["alertmanager/alertmanager.yml"]},
        ),
        _workload("StatefulSet", "alertmanager", env, container, volumes, 65534, "2Gi"),
        _service("alertmanager", env, ports),
    )


def _pushgateway(env: str, images: Mapping[str, str]) -> str:
    ports = {"http": PORTS["pushgateway"]}
    args = [f"--web.listen-address=0.0.0.0:{PORTS['pushgateway']}"]
    container = _container("pushgateway", args, ports, [], ("/-/ready", "http"), images)
    return _docs(
        _workload("Deployment", "pushgateway", env, container, [], 65534),
        _service("pushgateway", env, ports),
    )


def _config_store(
    name: str,
    env: str,
    configs: dict[str, str],
    extra_ports: dict[str, int],
    images: Mapping[str, str],
) -> str:
    """Loki or Tempo: its ``<name>/`` files in a ConfigMap, a data volume, a Service."""
    directory, file = f"/etc/{name}", f"{name}.yaml"
    ports = {"http": PORTS[name], **extra_ports}
    mounts = [_mount("config", directory), _data(DATA_PATHS[name])]
    args = [f"-config.file={directory}/{file}"]
    container = _container(name, args, ports, mounts, ("/ready", "http"), images)
    configmap = f"glassbox-{name}"
    files = {p.split("/", 1)[1]: text for p, text in configs.items() if p.startswith(f"{name}/")}
    return _docs(
        _configmap(configmap, env, files),
        _workload(
            "StatefulSet", name, env, container, [_cm_volume("config", configmap)], 10001, "50Gi"
        ),
        _service(name, env, ports),
    )


def _tempo_otlp_port(configs: dict[str, str]) -> int:
    """The OTLP gRPC port Tempo's distributor listens on, read from its own configuration."""
    tempo = yaml.safe_load(configs["tempo/tempo.yaml"])
    endpoint: str = tempo["distributor"]["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"]
    return int(endpoint.rsplit(":", 1)[1])


def _collector(env: str, configs: dict[str, str], images: Mapping[str, str]) -> str:
    ports = dict(COLLECTOR_PORTS)
    mounts = [_mount("config", "/etc/otelcol-contrib")]
    args = ["--config=/etc/otelcol-contrib/config.yaml"]
    container = _container("otel-collector", args, ports, mounts, ("/", "health"), images)
    return _docs(
        _configmap(
            "glassbox-otel-collector", env, {"config.yaml": configs["otel-collector/config.yaml"]}
        ),
        _workload(
            "Deployment",
            "otel-collector",
            env,
            container,
            [_cm_volume("config", "glassbox-otel-collector")],
            10001,
        ),
        _service("otel-collector", env, ports),
    )


def _grafana(mixin: Mixin, configs: dict[str, str], images: Mapping[str, str]) -> str:
    env = mixin.env.name
    boards = [
        {"configMap": {"name": f"glassbox-dashboard-{stem}"}} for stem in sorted(mixin.dashboards)
    ]
    volumes = [
        _cm_volume("datasources", "glassbox-grafana-datasources"),
        _cm_volume("dashboard-provider", "glassbox-grafana-dashboard-provider"),
        {"name": "dashboards", "projected": {"sources": boards}},
        {
            "name": "admin-password",
            "secret": {
                "secretName": GRAFANA_SECRET,
                "items": [{"key": "admin-password", "path": "admin-password"}],
            },
        },
    ]
    mounts = [
        _mount("datasources", "/etc/grafana/provisioning/datasources"),
        _mount("dashboard-provider", "/etc/grafana/provisioning/dashboards"),
        _data(DATA_PATHS["grafana"]),
        _mount("dashboards", DASHBOARDS_PATH),
        _mount("admin-password", posixpath.dirname(GRAFANA_PASSWORD_FILE)),
    ]
    variables: list[dict[str, Any]] = [
        {"name": "GF_SERVER_HTTP_PORT", "value": str(PORTS["grafana"])},
        {"name": "GF_SECURITY_ADMIN_USER", "value": "admin"},
        # Read from the mounted Secret: never in the environment, where it would leak
        # through `kubectl describe`, crash reports and child processes.
        {"name": "GF_SECURITY_ADMIN_PASSWORD__FILE", "value": GRAFANA_PASSWORD_FILE},
        {"name": "GF_LOG_MODE", "value": "console"},
        {"name": "GF_AUTH_ANONYMOUS_ENABLED", "value": "false"},
        {"name": "GF_USERS_ALLOW_SIGN_UP", "value": "false"},
        {"name": "GF_ANALYTICS_REPORTING_ENABLED", "value": "false"},
    ]
    ports = {"http": PORTS["grafana"]}
    container = _container(
        "grafana", None, ports, mounts, ("/api/health", "http"), images, variables
    )
    datasources = configs["grafana/provisioning/datasources/glassbox.yml"]
    provider = configs["grafana/provisioning/dashboards/glassbox.yml"]
    return _docs(
        _configmap("glassbox-grafana-datasources", env, {"glassbox.yml": datasources}),
        _configmap("glassbox-grafana-dashboard-provider", env, {"glassbox.yml": provider}),
        _workload("StatefulSet", "grafana", env, container, volumes, 472, "10Gi"),
        _service("grafana", env, ports),
    )


def _network_policies(env: str) -> str:
    """Deny ingress by default; open only what must be reachable from outside.

    Prometheus, Alertmanager, Pushgateway, Loki and Tempo — and with them their admin
    endpoints (Prometheus lifecycle and remote-write receiver, Pushgateway deletes,
    Alertmanager silences) — accept connections only from the stack's own pods in this
    namespace (Grafana among them). From elsewhere only Grafana's UI and the Collector's
    OTLP ports are reachable.
    """
    own = {"matchLabels": {"app.kubernetes.io/part-of": _PART_OF}}

    def policy(name: str, selector: dict[str, Any], ingress: list[Any]) -> dict[str, Any]:
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _meta(name, env),
            "spec": {"podSelector": selector, "policyTypes": ["Ingress"], "ingress": ingress},
        }

    def component(name: str) -> dict[str, Any]:
        return {"matchLabels": _labels(name)}

    def ports(*numbers: int) -> list[dict[str, Any]]:
        return [{"protocol": "TCP", "port": number} for number in numbers]

    otlp = (COLLECTOR_PORTS["otlp-grpc"], COLLECTOR_PORTS["otlp-http"])
    return _docs(
        policy("glassbox-default-deny-ingress", own, []),
        policy("glassbox-from-own-components", own, [{"from": [{"podSelector": own}]}]),
        policy("glassbox-grafana-ui", component("grafana"), [{"ports": ports(PORTS["grafana"])}]),
        policy("glassbox-otlp-ingest", component("otel-collector"), [{"ports": ports(*otlp)}]),
    )


def _service_monitors(mixin: Mixin) -> str:
    env = mixin.env
    monitors: list[dict[str, Any]] = []

    def monitor(name: str, selector: str, port: str, relabel: dict[str, str], honor: bool) -> None:
        endpoint: dict[str, Any] = {
            "port": port,
            "path": "/metrics",
            "interval": str(env.scrape_interval),
        }
        if honor:
            endpoint["honorLabels"] = True
        if relabel:
            endpoint["relabelings"] = [
                {"action": "replace", "targetLabel": label, "replacement": value}
                for label, value in relabel.items()
            ]
        monitors.append(
            {
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "ServiceMonitor",
                "metadata": _meta(f"glassbox-{name}", env.name),
                "spec": {
                    "selector": {"matchLabels": {"app.kubernetes.io/name": selector}},
                    "endpoints": [endpoint],
                },
            }
        )

    for service in sorted(env.targets):
        monitor(service, service, "metrics", {"env": env.name, "service": service}, False)
    monitor("pushgateway", "pushgateway", "http", {}, True)
    monitor("otel-collector", "otel-collector", "prom-export", {}, True)
    return _docs(*monitors)


_README = """\
# Glassbox stack ({env}) — Kubernetes

Generated by `glassbox deploy k8s --env {env}` from the mixin's decisions file.

- `base/` — the whole stack (Prometheus, Alertmanager, Pushgateway, Grafana, Loki, Tempo,
  OpenTelemetry Collector) and the dashboard ConfigMaps (`grafana_dashboard: "1"`).
- `operator/` — for clusters with the Prometheus Operator: `PrometheusRule`,
  `AlertmanagerConfig` and `ServiceMonitor`s (add your Prometheus's `ruleSelector` /
  `serviceMonitorSelector` labels if it filters on them).

## 1. Create the secrets (never stored in these files)

    kubectl create namespace {namespace}
    kubectl -n {namespace} create secret generic {grafana_secret} \\
        --from-literal=admin-password="$(openssl rand -base64 32)"
{alertmanager_secret}{remote_write_secret}
## 2. Apply

    kubectl apply -k base/
    kubectl apply -k operator/     # only with the Prometheus Operator

## Point the SDK at this stack

    OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector.{namespace}.svc:{otlp_http}

Prometheus in `base/` scrapes the targets of the decisions file ({targets}); with the
Operator, label each service's Service `app.kubernetes.io/name: <service>` with a port
named `metrics`.
"""


def k8s_bundle(
    mixin: Mixin,
    remote_write_url: str | None = None,
    namespace: str = "glassbox",
    images: Mapping[str, str] | None = None,
) -> Bundle:
    """The Kubernetes deployment of ``mixin``'s environment.

    Args:
        mixin: The built mixin.
        remote_write_url: Where Prometheus remote-writes, if anywhere.
        namespace: The namespace (a DNS-1123 label).
        images: Image references that replace the pinned defaults, by component
            (``{"prometheus": "prom/prometheus@sha256:…"}``).

    Raises:
        ConfigError: The namespace or an image override is invalid.
    """
    check_namespace(namespace)
    pinned = resolve_images(images)
    env = mixin.env
    configs = component_configs(mixin, remote_write_url)
    mixin_objects = mixin_files(mixin, "k8s")
    base = {
        "namespace.yaml": _docs(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        ),
        "networkpolicy.yaml": _network_policies(env.name),
        "prometheus.yaml": _prometheus(mixin, configs, bool(remote_write_url), pinned),
        "alertmanager.yaml": _alertmanager(mixin, configs, pinned),
        "pushgateway.yaml": _pushgateway(env.name, pinned),
        "loki.yaml": _config_store("loki", env.name, configs, {}, pinned),
        "tempo.yaml": _config_store(
            "tempo", env.name, configs, {"otlp-grpc": _tempo_otlp_port(configs)}, pinned
        ),
        "otel-collector.yaml": _collector(env.name, configs, pinned),
        "grafana.yaml": _grafana(mixin, configs, pinned),
        "dashboards.yaml": mixin_objects["dashboards.yaml"],
    }
    operator = {
        "prometheusrule.yaml": mixin_objects["prometheusrule.yaml"],
        "alertmanagerconfig.yaml": mixin_objects["alertmanagerconfig.yaml"],
        "servicemonitors.yaml": _service_monitors(mixin),
    }
    files: dict[str, str] = {}
    for folder, docs in (("base", base), ("operator", operator)):
        kustomization = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "namespace": namespace,
            "resources": list(docs),
        }
        files[f"{folder}/kustomization.yaml"] = dump_yaml(kustomization)
        files.update({f"{folder}/{name}": text for name, text in docs.items()})

    keys = sorted({secret_basename(p) for p in alertmanager_secret_files(env)})
    alertmanager_secret = ""
    if keys:
        args = " \\\n".join(f"        --from-file={key}=./{key}" for key in keys)
        alertmanager_secret = (
            f"    # receiver credentials, one file each (Slack webhook URL, PagerDuty key, …)\n"
            f"    kubectl -n {namespace} create secret generic {SECRET_NAME} \\\n{args}\n"
        )
    remote_write_secret = ""
    if remote_write_url:
        key = secret_basename(REMOTE_WRITE_TOKEN_FILE)
        remote_write_secret = (
            f"    kubectl -n {namespace} create secret generic {PROMETHEUS_SECRET} \\\n"
            f"        --from-file={key}=./{key}\n"
        )
    targets = ", ".join(a for addresses in env.targets.values() for a in addresses) or "none"
    files["README.md"] = _README.format(
        env=env.name,
        namespace=namespace,
        grafana_secret=GRAFANA_SECRET,
        alertmanager_secret=alertmanager_secret,
        remote_write_secret=remote_write_secret,
        otlp_http=COLLECTOR_PORTS["otlp-http"],
        targets=targets,
    )
    return Bundle(kind="k8s", env=env.name, files=files)
