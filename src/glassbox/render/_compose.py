"""The Docker Compose form: ``compose.yaml`` plus every configuration file it mounts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from glassbox.mixin import Mixin
from glassbox.render._bundle import Bundle
from glassbox.render._components import (
    COLLECTOR_PORTS,
    DATA_PATHS,
    PORTS,
    REMOTE_WRITE_TOKEN_FILE,
    alertmanager_secret_files,
    component_configs,
    prometheus_args,
    resolve_images,
    secret_basename,
)
from glassbox.render._formats import dump_yaml
from glassbox.render._grafana import DASHBOARDS_PATH

__all__ = ["GRAFANA_PASSWORD_FILE", "compose_bundle"]

#: Grafana's admin password, generated into the bundle (excluded from version control).
GRAFANA_PASSWORD_FILE = "secrets/grafana-admin-password"
_REMOTE_WRITE_FILE = "secrets/prometheus/remote-write-token"


def _published(*ports: int) -> list[str]:
    """Ports published on the host's loopback only (expose deliberately, behind auth)."""
    return [f"127.0.0.1:{port}:{port}" for port in ports]


#: Every long-running service: no privilege escalation, no capabilities, a read-only root
#: file system (writes go to its data volume and a tmpfs at /tmp).
_HARDENED: dict[str, Any] = {
    "read_only": True,
    "cap_drop": ["ALL"],
    "security_opt": ["no-new-privileges:true"],
    "tmpfs": ["/tmp"],
}


def _services(mixin: Mixin, remote_write: bool, images: Mapping[str, str]) -> dict[str, Any]:
    env = mixin.env
    restart = "unless-stopped"
    prometheus_volumes = [
        "./prometheus:/etc/prometheus:ro",
        f"prometheus-data:{DATA_PATHS['prometheus']}",
    ]
    if remote_write:
        prometheus_volumes.append(f"./{_REMOTE_WRITE_FILE}:{REMOTE_WRITE_TOKEN_FILE}:ro")
    alertmanager_volumes = [
        "./alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro",
        f"alertmanager-data:{DATA_PATHS['alertmanager']}",
        *(
            f"./secrets/alertmanager/{secret_basename(path)}:{path}:ro"
            for path in alertmanager_secret_files(env)
        ),
    ]
    services: dict[str, Any] = {
        "prometheus": {
            "image": images["prometheus"],
            "command": prometheus_args(),
            "volumes": prometheus_volumes,
            "ports": _published(PORTS["prometheus"]),
            "depends_on": ["alertmanager", "pushgateway"],
            "restart": restart,
        },
        "alertmanager": {
            "image": images["alertmanager"],
            "command": [
                "--config.file=/etc/alertmanager/alertmanager.yml",
                f"--storage.path={DATA_PATHS['alertmanager']}",
                f"--web.listen-address=0.0.0.0:{PORTS['alertmanager']}",
                "--cluster.listen-address=",
            ],
            "volumes": alertmanager_volumes,
            "ports": _published(PORTS["alertmanager"]),
            "restart": restart,
        },
        "pushgateway": {
            "image": images["pushgateway"],
            "command": [f"--web.listen-address=0.0.0.0:{PORTS['pushgateway']}"],
            "ports": _published(PORTS["pushgateway"]),
            "restart": restart,
        },
        "loki": {
            "image": images["loki"],
            "command": ["-config.file=/etc/loki/loki.yaml"],
            "volumes": [
                "./loki:/etc/loki:ro",
                f"loki-data:{DATA_PATHS['loki']}",
            ],
            "ports": _published(PORTS["loki"]),
            "restart": restart,
        },
        # Tempo runs as uid 10001; a fresh named volume is root-owned.
        "tempo-init": {
            "image": images["tempo"],
            "user": "root",
            "entrypoint": ["chown", "10001:10001", DATA_PATHS["tempo"]],
            "volumes": [f"tempo-data:{DATA_PATHS['tempo']}"],
        },
        "tempo": {
            "image": images["tempo"],
            "command": ["-config.file=/etc/tempo/tempo.yaml"],
            "volumes": [
                "./tempo/tempo.yaml:/etc/tempo/tempo.yaml:ro",
                f"tempo-data:{DATA_PATHS['tempo']}",
            ],
            "ports": _published(PORTS["tempo"]),
            "depends_on": {
                "tempo-init": {"condition": "service_completed_successfully"},
                "prometheus": {"condition": "service_started"},
            },
            "restart": restart,
        },
        "otel-collector": {
            "image": images["otel-collector"],
            "command": ["--config=/etc/otelcol-contrib/config.yaml"],
            "volumes": ["./otel-collector/config.yaml:/etc/otelcol-contrib/config.yaml:ro"],
            "ports": _published(COLLECTOR_PORTS["otlp-grpc"], COLLECTOR_PORTS["otlp-http"]),
            "depends_on": ["tempo", "loki", "prometheus"],
            "restart": restart,
        },
        "grafana": {
            "image": images["grafana"],
            "environment": {
                "GF_SERVER_HTTP_PORT": str(PORTS["grafana"]),
                "GF_SECURITY_ADMIN_USER": "admin",
                # Read from the secret file: there is no password in this file or the image.
                "GF_SECURITY_ADMIN_PASSWORD__FILE": "/run/secrets/grafana_admin_password",
                "GF_AUTH_ANONYMOUS_ENABLED": "false",
                "GF_USERS_ALLOW_SIGN_UP": "false",
                "GF_ANALYTICS_REPORTING_ENABLED": "false",
            },
            "secrets": ["grafana_admin_password"],
            "volumes": [
                "./grafana/provisioning:/etc/grafana/provisioning:ro",
                f"./grafana/dashboards:{DASHBOARDS_PATH}:ro",
                f"grafana-data:{DATA_PATHS['grafana']}",
            ],
            "ports": _published(PORTS["grafana"]),
            "depends_on": ["prometheus", "loki", "tempo"],
            "restart": restart,
        },
    }
    for name, service in services.items():
        service.update(_HARDENED)
        if name == "tempo-init":  # chowns the fresh data volume as root, and nothing else
            service["cap_add"] = ["CHOWN"]
            del service["tmpfs"]
    return services


_GITIGNORE = """\
# Generated by `glassbox deploy compose`: credentials never go into version control.
secrets/
"""

_README = """\
# Glassbox stack ({env}) — Docker Compose

Generated by `glassbox deploy compose --env {env}` from the mixin's decisions file.
Regenerate instead of editing; existing secrets are kept.

    docker compose up -d

| service | URL (host loopback) |
|---|---|
| Grafana | http://127.0.0.1:{grafana} (user `admin`, password in `{password}`) |
| Prometheus | http://127.0.0.1:{prometheus} |
| Alertmanager | http://127.0.0.1:{alertmanager} |
| Pushgateway | http://127.0.0.1:{pushgateway} |
| OTLP (Collector) | grpc 127.0.0.1:{otlp_grpc}, http http://127.0.0.1:{otlp_http} |

Ports are published on 127.0.0.1 only; put a reverse proxy with authentication in
front of anything you expose.

## Secrets

`secrets/` is excluded from version control by `.gitignore`; its directories are
mode 0700 (the files are readable by the containers' own users once mounted).

- `{password}` — generated once, random.
{external}
## Point the SDK at this stack

    OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:{otlp_http}   # or http://127.0.0.1:{otlp_http}
    OTEL_SERVICE_NAME=newsroom

Prometheus scrapes the SDK's `/metrics` endpoints listed under `targets` in the decisions
file ({targets}); run those services on the `{network}` network so the names resolve.
"""


def compose_bundle(
    mixin: Mixin, remote_write_url: str | None = None, images: Mapping[str, str] | None = None
) -> Bundle:
    """The Compose deployment of ``mixin``'s environment.

    Args:
        mixin: The built mixin.
        remote_write_url: Where Prometheus remote-writes, if anywhere.
        images: Image references that replace the pinned defaults, by component.

    Raises:
        ConfigError: An image override is invalid.
    """
    pinned = resolve_images(images)
    env = mixin.env
    external = [
        f"secrets/alertmanager/{secret_basename(p)}" for p in alertmanager_secret_files(env)
    ]
    if remote_write_url:
        external.append(_REMOTE_WRITE_FILE)
    network = f"glassbox-{env.name}"
    compose = {
        "name": network,
        "services": _services(mixin, bool(remote_write_url), pinned),
        "volumes": {
            f"{name}-data": {}
            for name in ("prometheus", "alertmanager", "grafana", "loki", "tempo")
        },
        "secrets": {"grafana_admin_password": {"file": f"./{GRAFANA_PASSWORD_FILE}"}},
        "networks": {"default": {"name": network}},
    }
    files = {"compose.yaml": dump_yaml(compose), **component_configs(mixin, remote_write_url)}
    files[".gitignore"] = _GITIGNORE
    external_text = "".join(f"- `{path}` — fill in before starting.\n" for path in external)
    targets = ", ".join(a for addresses in env.targets.values() for a in addresses) or "none"
    files["README.md"] = _README.format(
        env=env.name,
        password=GRAFANA_PASSWORD_FILE,
        external=external_text,
        targets=targets,
        network=network,
        otlp_grpc=COLLECTOR_PORTS["otlp-grpc"],
        otlp_http=COLLECTOR_PORTS["otlp-http"],
        **{k: v for k, v in PORTS.items() if k.isidentifier()},
    )
    return Bundle(
        kind="compose",
        env=env.name,
        files=files,
        generated_secrets=(GRAFANA_PASSWORD_FILE,),
        external_secrets=tuple(external),
    )
