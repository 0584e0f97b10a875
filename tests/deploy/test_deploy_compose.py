"""``glassbox deploy compose``, validated statically (no Docker engine here: nothing runs).

YAML structure and each tool's required keys, promtool/amtool on the embedded
configurations, every mounted file present, ports consistent between services, and no
password in any file.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from deploy_checks import (
    collector_listens,
    generate,
    listen_flags,
    load,
    loki_listens,
    port_of,
    tempo_listens,
    uses,
)
from typer.testing import CliRunner

from glassbox.cli import app
from glassbox.mixin import load_decisions
from glassbox.stack import require_binary


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path → host path (relative to the bundle) of the service's bind mounts."""
    out: dict[str, str] = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            out[target] = source
    return out


def _host_file(root: Path, service: dict[str, Any], container_path: str) -> Path:
    """The bundle file a container path resolves to through the service's bind mounts."""
    for target, source in sorted(_mounts(service).items(), key=lambda kv: -len(kv[0])):
        if container_path == target or container_path.startswith(target + "/"):
            path = root / source / container_path[len(target) :].lstrip("/")
            assert path.is_file(), f"{container_path} mounted from missing {path}"
            return path
    raise AssertionError(f"{container_path} is not mounted into the service: {service}")


def _config_arg(service: dict[str, Any]) -> str:
    (arg,) = [a for a in service["command"] if re.match(r"-{1,2}config(\.file)?=", a)]
    return arg.split("=", 1)[1]


def _compose(root: Path) -> dict[str, Any]:
    compose = load(root / "compose.yaml")
    assert isinstance(compose, dict)
    return compose


def test_compose_structure_images_and_dependencies(compose_dir: Path) -> None:
    compose = _compose(compose_dir)
    services = compose["services"]
    assert set(services) >= {
        "prometheus",
        "alertmanager",
        "pushgateway",
        "grafana",
        "loki",
        "tempo",
        "otel-collector",
    }
    for name, service in services.items():
        image = service["image"]
        assert re.fullmatch(r"[\w./-]+:v?\d+\.\d+\.\d+", image), f"{name}: unpinned image {image}"
        depends = service.get("depends_on", [])
        for dependency in depends if isinstance(depends, list) else depends.keys():
            assert dependency in services, f"{name} depends on unknown {dependency}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith("./"):
                assert source in compose["volumes"], f"{name}: undeclared volume {source}"
        for mapping in service.get("ports", []):
            assert mapping.startswith("127.0.0.1:"), f"{name} publishes beyond loopback: {mapping}"


def test_every_mounted_file_and_directory_exists(compose_dir: Path) -> None:
    compose = _compose(compose_dir)
    for name, service in compose["services"].items():
        for source in _mounts(service).values():
            assert (compose_dir / source).exists(), f"{name} mounts missing {source}"
        if "command" in service and any("config" in a for a in service["command"]):
            _host_file(compose_dir, service, _config_arg(service))
    for secret in compose["secrets"].values():
        assert (compose_dir / secret["file"]).is_file()
    # Grafana's dashboard provider reads the directory the dashboards are mounted at.
    grafana = compose["services"]["grafana"]
    provider = load(compose_dir / "grafana/provisioning/dashboards/glassbox.yml")
    dashboards = _mounts(grafana)[provider["providers"][0]["options"]["path"]]
    boards = sorted((compose_dir / dashboards).glob("*.json"))
    assert len(boards) >= 5
    uids = [json.loads(b.read_text())["uid"] for b in boards]
    assert len(set(uids)) == len(uids)


def test_ports_are_consistent_between_services(compose_dir: Path) -> None:
    compose = _compose(compose_dir)
    services = compose["services"]

    def config(name: str) -> dict[str, Any]:
        loaded: dict[str, Any] = load(
            _host_file(compose_dir, services[name], _config_arg(services[name]))
        )
        return loaded

    listens = {
        name: listen_flags(services[name]["command"])
        for name in ("prometheus", "alertmanager", "pushgateway")
    }
    listens["loki"] = loki_listens(config("loki"))
    listens["tempo"] = tempo_listens(config("tempo"))
    listens["otel-collector"] = collector_listens(config("otel-collector"))
    listens["grafana"] = {int(services["grafana"]["environment"].get("GF_SERVER_HTTP_PORT", 3000))}
    assert all(listens.values()), listens

    for name, service in services.items():
        for mapping in service.get("ports", []):
            container_port = int(mapping.rsplit(":", 1)[1])
            assert container_port in listens[name], (
                f"{name} publishes {mapping}; listens on {listens[name]}"
            )

    grafana = services["grafana"]
    configs = {
        "prometheus": config("prometheus"),
        "grafana": load(
            _host_file(compose_dir, grafana, "/etc/grafana/provisioning/datasources/glassbox.yml")
        ),
        "collector": config("otel-collector"),
        "tempo": config("tempo"),
    }
    app_targets = {
        port_of(a)
        for addresses in load_decisions().environment("prod").targets.values()
        for a in addresses
    }
    checked = 0
    for who, host, port in uses(configs):
        host = "prometheus" if (who.startswith("prometheus") and host == "localhost") else host
        if host in services:
            assert port in listens[host], (
                f"{who} uses {host}:{port}; {host} listens on {listens[host]}"
            )
            checked += 1
        else:
            assert (host, port) in app_targets, (
                f"{who} uses {host}:{port}, which nothing here provides"
            )
    assert checked >= 12  # scrape jobs, alerting, data sources, exporters, remote write


def test_tool_configurations_have_their_required_keys(compose_dir: Path) -> None:
    loki = load(compose_dir / "loki/loki.yaml")
    assert loki["auth_enabled"] is True  # tenants: the normal streams and the raw stream
    schema = loki["schema_config"]["configs"][-1]
    assert {"from", "store", "object_store", "schema", "index"} <= set(schema)
    # Loki's OTLP endpoint stores resource attributes as structured metadata: tsdb + v13.
    assert (schema["store"], schema["schema"]) == ("tsdb", "v13")
    assert loki["limits_config"]["allow_structured_metadata"] is True
    assert "filesystem" in loki["common"]["storage"]

    tempo = load(compose_dir / "tempo/tempo.yaml")
    trace = tempo["storage"]["trace"]
    assert trace["backend"] in trace
    assert trace["wal"]["path"]
    assert "otlp" in tempo["distributor"]["receivers"]
    processors = tempo["overrides"]["defaults"]["metrics_generator"]["processors"]
    assert set(processors) <= {"service-graphs", "span-metrics", "local-blocks"}
    if "local-blocks" in processors:
        assert tempo["metrics_generator"]["traces_storage"]["path"]

    collector = load(compose_dir / "otel-collector/config.yaml")
    pipelines = collector["service"]["pipelines"]
    assert set(pipelines) == {"traces", "logs", "logs/loki", "logs/raw", "metrics"}
    connectors = set(collector.get("connectors", {}))
    for kind, pipeline in pipelines.items():
        for section in ("receivers", "processors", "exporters"):
            for component in pipeline.get(section, []):
                defined = set(collector[section]) | (
                    connectors if section != "processors" else set()
                )
                assert component in defined, f"{kind} uses undefined {section} {component}"
    for kind in ("traces", "logs", "metrics"):
        assert pipelines[kind]["receivers"] == ["otlp"]
    assert pipelines["traces"]["exporters"] == ["otlp/tempo"]
    assert collector["exporters"]["otlphttp/loki"]["endpoint"].endswith("/otlp")
    for extension in collector["service"]["extensions"]:
        assert extension in collector["extensions"]

    datasources = load(compose_dir / "grafana/provisioning/datasources/glassbox.yml")
    by_type = {ds["type"]: ds for ds in datasources["datasources"]}
    assert set(by_type) == {"prometheus", "loki", "tempo"}
    uids = {kind: ds["uid"] for kind, ds in by_type.items()}
    prometheus_links = by_type["prometheus"]["jsonData"]["exemplarTraceIdDestinations"]
    assert {d["datasourceUid"] for d in prometheus_links} == {uids["tempo"]}
    assert by_type["tempo"]["jsonData"]["tracesToLogsV2"]["datasourceUid"] == uids["loki"]
    derived = by_type["loki"]["jsonData"]["derivedFields"]
    assert {d["datasourceUid"] for d in derived} == {uids["tempo"]}


def test_promtool_and_amtool_accept_the_configurations(compose_dir: Path) -> None:
    for args in (
        ["promtool", "check", "config", str(compose_dir / "prometheus/prometheus.yml")],
        ["amtool", "check-config", str(compose_dir / "alertmanager/alertmanager.yml")],
    ):
        proc = subprocess.run(
            [require_binary(args[0]), *args[1:]], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (compose_dir / "prometheus/prometheus.yml").read_text()
    assert "# remote_write:" in text  # remote-write ready: a commented, documented example


def test_no_password_is_written_into_any_file(compose_dir: Path) -> None:
    password = (compose_dir / "secrets/grafana-admin-password").read_text().strip()
    assert len(password) >= 32
    assert (compose_dir / "secrets").stat().st_mode & 0o077 == 0
    assert "secrets/" in (compose_dir / ".gitignore").read_text().splitlines()
    grafana_env = _compose(compose_dir)["services"]["grafana"]["environment"]
    assert "GF_SECURITY_ADMIN_PASSWORD" not in grafana_env
    assert grafana_env["GF_SECURITY_ADMIN_PASSWORD__FILE"] == "/run/secrets/grafana_admin_password"
    for path in compose_dir.rglob("*"):
        if path.is_file() and "secrets" not in path.relative_to(compose_dir).parts:
            assert password not in path.read_text(), path
    # Receiver credentials the decisions name are files to fill in, created empty.
    for name in ("slack-webhook-url", "pagerduty-routing-key", "audit-token"):
        assert (compose_dir / "secrets/alertmanager" / name).read_text() == ""


def test_regenerating_keeps_secrets_and_a_new_bundle_gets_new_ones(tmp_path: Path) -> None:
    first = generate("compose", tmp_path / "a")
    password = (first / "secrets/grafana-admin-password").read_text()
    (first / "secrets/alertmanager/slack-webhook-url").write_text("filled in by the operator")
    generate("compose", tmp_path / "a")
    assert (first / "secrets/grafana-admin-password").read_text() == password
    assert (
        first / "secrets/alertmanager/slack-webhook-url"
    ).read_text() == "filled in by the operator"
    other = generate("compose", tmp_path / "b")
    assert (other / "secrets/grafana-admin-password").read_text() != password


def test_remote_write_url_adds_an_endpoint_with_a_credential_file(tmp_path: Path) -> None:
    out = generate("compose", tmp_path, "--remote-write-url", "https://mimir.example/api/v1/push")
    prometheus = load(out / "prometheus/prometheus.yml")
    (remote,) = prometheus["remote_write"]
    assert remote["url"] == "https://mimir.example/api/v1/push"
    token = remote["authorization"]["credentials_file"]
    service = _compose(out)["services"]["prometheus"]
    assert _host_file(out, service, token).read_text() == ""  # for the operator to fill
    assert "secrets/prometheus/remote-write-token" in (out / "README.md").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["deploy", "helm", "--env", "prod", "--out", "x"],
            "invalid KIND=helm: expected compose or k8s",
        ),
        (["deploy", "compose", "--env", "staging", "--out", "x"], "no environment 'staging'"),
        (
            ["deploy", "k8s", "--env", "prod", "--out", "x", "--remote-write-url", "mimir"],
            "invalid --remote-write-url=mimir: expected an http:// or https:// URL",
        ),
    ],
)
def test_cli_rejects_bad_values_naming_them(args: list[str], message: str, tmp_path: Path) -> None:
    args = [str(tmp_path / a) if a == "x" else a for a in args]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
