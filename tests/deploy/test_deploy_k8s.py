"""``glassbox deploy k8s``, validated statically (no cluster here: nothing is applied).

Manifest structure, every ConfigMap/Secret/file a pod references, Services that reach
declared container ports that the configured processes really listen on, URLs between
components, promtool/amtool on the embedded configurations, and no literal password.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import yaml
from deploy_checks import (
    collector_listens,
    generate,
    listen_flags,
    load,
    load_all,
    loki_listens,
    tempo_listens,
    uses,
)

from glassbox.mixin import load_decisions
from glassbox.stack import require_binary

WORKLOADS = ("Deployment", "StatefulSet")


def _docs(root: Path, folder: str) -> list[dict[str, Any]]:
    kustomization = load(root / folder / "kustomization.yaml")
    docs: list[dict[str, Any]] = []
    for resource in kustomization["resources"]:
        path = root / folder / resource
        assert path.is_file(), f"kustomization lists missing {resource}"
        docs.extend(load_all(path))
    return docs


def _by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def _mounted_files(
    workload: dict[str, Any], configmaps: dict[str, dict[str, Any]]
) -> dict[str, str | None]:
    """Every file path in the pod → its content (None for Secret keys, not in the bundle)."""
    pod = workload["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    files: dict[str, str | None] = {}
    for mount in container["volumeMounts"]:
        volume = volumes.get(mount["name"])
        if mount["name"] == "data" or (volume is not None and "emptyDir" in volume):
            continue
        assert volume is not None, f"{workload['metadata']['name']} mounts missing {mount}"
        sources = volume["projected"]["sources"] if "projected" in volume else [volume]
        for source in sources:
            if "configMap" in source:
                name = source["configMap"]["name"]
                assert name in configmaps, (
                    f"{workload['metadata']['name']} uses missing ConfigMap {name}"
                )
                data = configmaps[name]["data"]
                items = source["configMap"].get("items") or [{"key": k, "path": k} for k in data]
                for item in items:
                    assert item["key"] in data, f"ConfigMap {name} has no key {item['key']}"
                    files[f"{mount['mountPath']}/{item['path']}"] = data[item["key"]]
            else:
                for item in source["secret"]["items"]:
                    files[f"{mount['mountPath']}/{item['path']}"] = None
    return files


def _config(files: dict[str, str | None], args: list[str]) -> dict[str, Any]:
    (arg,) = [a for a in args if re.match(r"-{1,2}config(\.file)?=", a)]
    path = arg.split("=", 1)[1]
    assert path in files, f"{path} is not mounted: {sorted(files)}"
    text = files[path]
    assert text is not None
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def test_manifests_parse_and_reference_only_what_exists(k8s_dir: Path) -> None:
    docs = _docs(k8s_dir, "base")
    configmaps = _by_kind(docs, "ConfigMap")
    workloads = {d["metadata"]["name"]: d for d in docs if d["kind"] in WORKLOADS}
    assert set(workloads) == {
        "prometheus",
        "alertmanager",
        "pushgateway",
        "grafana",
        "loki",
        "tempo",
        "otel-collector",
    }
    assert not [d for d in docs if d["kind"] == "Secret"]  # secrets are created by the operator
    readme = (k8s_dir / "README.md").read_text()
    for name, workload in workloads.items():
        spec = workload["spec"]
        assert (
            spec["selector"]["matchLabels"].items()
            <= spec["template"]["metadata"]["labels"].items()
        )
        (container,) = spec["template"]["spec"]["containers"]
        assert re.fullmatch(r"[\w./-]+:v?\d+\.\d+\.\d+", container["image"])
        files = _mounted_files(workload, configmaps)
        if any("config" in a for a in container.get("args", [])):
            _config(files, container["args"])
        for volume in spec["template"]["spec"]["volumes"]:
            if "secret" in volume:
                assert f"create secret generic {volume['secret']['secretName']}" in readme, name
        if workload["kind"] == "StatefulSet":
            mounts = {m["name"] for m in container["volumeMounts"]}
            assert "data" in mounts
            assert spec["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    # Grafana mounts every dashboard ConfigMap, each labelled for the Grafana sidecar too.
    boards = [
        c for c in configmaps.values() if c["metadata"]["labels"].get("grafana_dashboard") == "1"
    ]
    assert len(boards) >= 5
    grafana_files = _mounted_files(workloads["grafana"], configmaps)
    provider = yaml.safe_load(
        grafana_files["/etc/grafana/provisioning/dashboards/glassbox.yml"] or ""
    )
    path = provider["providers"][0]["options"]["path"]
    assert sum(1 for f in grafana_files if f.startswith(path + "/")) == len(boards)


def test_grafana_password_comes_from_a_mounted_secret_file(k8s_dir: Path) -> None:
    docs = _docs(k8s_dir, "base")
    grafana = _by_kind(docs, "StatefulSet")["grafana"]
    (container,) = grafana["spec"]["template"]["spec"]["containers"]
    variables = {v["name"]: v for v in container["env"]}
    assert "GF_SECURITY_ADMIN_PASSWORD" not in variables  # never in the environment
    path = variables["GF_SECURITY_ADMIN_PASSWORD__FILE"]["value"]
    files = _mounted_files(grafana, _by_kind(docs, "ConfigMap"))
    assert path in files
    assert files[path] is None  # a Secret key, not a ConfigMap
    volumes = {v["name"]: v for v in grafana["spec"]["template"]["spec"]["volumes"]}
    (mount,) = [m for m in container["volumeMounts"] if path.startswith(m["mountPath"] + "/")]
    secret = volumes[mount["name"]]["secret"]
    (item,) = secret["items"]
    readme = (k8s_dir / "README.md").read_text()
    assert f"create secret generic {secret['secretName']}" in readme
    assert f'--from-literal={item["key"]}="$(openssl rand' in readme
    for path in k8s_dir.rglob("*.yaml"):
        assert not re.search(r"(?i)password\s*[:=]\s*['\"]?\w", path.read_text()), path


def test_services_reach_ports_the_processes_listen_on(k8s_dir: Path) -> None:
    docs = _docs(k8s_dir, "base")
    configmaps = _by_kind(docs, "ConfigMap")
    services = _by_kind(docs, "Service")
    workloads = {d["metadata"]["name"]: d for d in docs if d["kind"] in WORKLOADS}
    listens: dict[str, set[int]] = {}
    configs: dict[str, dict[str, Any]] = {}
    for name, workload in workloads.items():
        (container,) = workload["spec"]["template"]["spec"]["containers"]
        args = container.get("args", [])
        files = _mounted_files(workload, configmaps)
        if name in ("prometheus", "alertmanager", "pushgateway"):
            listens[name] = listen_flags(args)
        elif name == "grafana":
            variables = {v["name"]: v.get("value") for v in container["env"]}
            listens[name] = {int(variables.get("GF_SERVER_HTTP_PORT") or 3000)}
        else:
            configs[name] = _config(files, args)
            parse = {
                "loki": loki_listens,
                "tempo": tempo_listens,
                "otel-collector": collector_listens,
            }
            listens[name] = parse[name](configs[name])
        if name == "prometheus":
            configs[name] = _config(files, args)
        if name == "grafana":
            configs[name] = yaml.safe_load(
                files["/etc/grafana/provisioning/datasources/glassbox.yml"] or ""
            )
        declared = {p["containerPort"] for p in container["ports"]}
        assert declared <= listens[name], f"{name} declares {declared}, listens on {listens[name]}"

    service_ports: dict[str, set[int]] = {}
    for name, service in services.items():
        selected = [
            w
            for w in workloads.values()
            if service["spec"]["selector"].items()
            <= w["spec"]["template"]["metadata"]["labels"].items()
        ]
        (workload,) = selected
        (container,) = workload["spec"]["template"]["spec"]["containers"]
        named = {p["name"]: p["containerPort"] for p in container["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in named, (
                f"Service {name} targets undeclared {port['targetPort']}"
            )
            assert named[port["targetPort"]] in listens[workload["metadata"]["name"]]
        service_ports[name] = {p["port"] for p in service["spec"]["ports"]}

    app_targets = {
        a for addresses in load_decisions().environment("prod").targets.values() for a in addresses
    }
    checked = 0
    for who, host, port in uses(
        {
            "prometheus": configs["prometheus"],
            "grafana": configs["grafana"],
            "collector": configs["otel-collector"],
            "tempo": configs["tempo"],
        }
    ):
        if who.startswith("prometheus") and host == "localhost":
            assert port in listens["prometheus"]
        elif host in service_ports:
            assert port in service_ports[host], (
                f"{who} uses {host}:{port}; Service has {service_ports[host]}"
            )
        else:
            assert f"{host}:{port}" in app_targets, (
                f"{who} uses {host}:{port}, which no Service provides"
            )
        checked += 1
    assert checked >= 12


def test_promtool_and_amtool_accept_the_embedded_configurations(
    k8s_dir: Path, tmp_path: Path
) -> None:
    docs = _docs(k8s_dir, "base")
    configmaps = _by_kind(docs, "ConfigMap")
    files = _mounted_files(_by_kind(docs, "StatefulSet")["prometheus"], configmaps)
    for path, text in files.items():  # lay the projected volume out on disk
        assert text is not None
        target = tmp_path / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    (tmp_path / "alertmanager.yml").write_text(
        configmaps["glassbox-alertmanager"]["data"]["alertmanager.yml"]
    )
    (rule,) = [
        d
        for d in load_all(k8s_dir / "operator/prometheusrule.yaml")
        if d["kind"] == "PrometheusRule"
    ]
    (tmp_path / "rule.yml").write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    for args in (
        ["promtool", "check", "config", str(tmp_path / "etc/prometheus/prometheus.yml")],
        ["promtool", "check", "rules", str(tmp_path / "rule.yml")],
        ["amtool", "check-config", str(tmp_path / "alertmanager.yml")],
    ):
        proc = subprocess.run(
            [require_binary(args[0]), *args[1:]], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_operator_resources_match_the_mixin_and_the_decisions(k8s_dir: Path) -> None:
    docs = _docs(k8s_dir, "operator")
    kinds = {d["kind"] for d in docs}
    assert kinds == {"PrometheusRule", "AlertmanagerConfig", "ServiceMonitor"}
    env = load_decisions().environment("prod")
    monitors = _by_kind(docs, "ServiceMonitor")
    for service in env.targets:
        (endpoint,) = monitors[f"glassbox-{service}"]["spec"]["endpoints"]
        relabel = {r["targetLabel"]: r["replacement"] for r in endpoint["relabelings"]}
        assert relabel == {"env": env.name, "service": service}  # the labels the mixin filters on
    # ServiceMonitors of the stack's own Services name ports those Services have.
    base = _by_kind(_docs(k8s_dir, "base"), "Service")
    for monitor in monitors.values():
        selector = monitor["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
        if selector in base:
            ports = {p["name"] for p in base[selector]["spec"]["ports"]}
            assert monitor["spec"]["endpoints"][0]["port"] in ports
    (config,) = _by_kind(docs, "AlertmanagerConfig").values()
    secrets = {
        ref["name"]
        for receiver in config["spec"]["receivers"]
        for key, entries in receiver.items()
        if key.endswith("Configs")
        for entry in entries
        for ref in _secret_refs(entry)
    }
    readme = (k8s_dir / "README.md").read_text()
    assert secrets
    for name in secrets:
        assert f"create secret generic {name}" in readme


def _secret_refs(value: Any) -> list[dict[str, str]]:
    if isinstance(value, dict):
        if set(value) == {"name", "key"}:
            return [value]
        return [ref for v in value.values() for ref in _secret_refs(v)]
    if isinstance(value, list):
        return [ref for v in value for ref in _secret_refs(v)]
    return []


def test_remote_write_credential_is_mounted_from_a_secret(tmp_path: Path) -> None:
    out = generate("k8s", tmp_path, "--remote-write-url", "https://mimir.example/api/v1/push")
    docs = _docs(out, "base")
    prometheus = _by_kind(docs, "StatefulSet")["prometheus"]
    files = _mounted_files(prometheus, _by_kind(docs, "ConfigMap"))
    config = _config(files, prometheus["spec"]["template"]["spec"]["containers"][0]["args"])
    token = config["remote_write"][0]["authorization"]["credentials_file"]
    assert token in files
    assert files[token] is None  # from a Secret, not from any file in the bundle
