"""Locked down by default: each property of the generated bundles, checked one by one.

The Pod Security "restricted" checks follow the profile's published rules
(kubernetes.io/docs/concepts/security/pod-security-standards, "Restricted"): volume
types, privilege escalation, running as non-root, seccomp, capabilities; plus the
"baseline" rules it includes (no host namespaces, ports or paths, no privileged
containers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from deploy_checks import generate, load, load_all
from typer.testing import CliRunner

from glassbox.cli import app
from glassbox.render import COLLECTOR_PORTS, IMAGES, PORTS

RESTRICTED_VOLUME_TYPES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                           "persistentVolumeClaim", "projected", "secret"}  # fmt: skip
ADMIN_SERVICES = {"prometheus", "alertmanager", "pushgateway", "loki", "tempo"}
DIGEST = "sha256:" + "ab" * 32


def _pods(k8s_dir: Path) -> dict[str, dict[str, Any]]:
    docs = [d for p in sorted((k8s_dir / "base").glob("*.yaml")) for d in load_all(p)]
    return {
        d["metadata"]["name"]: d["spec"]["template"]["spec"]
        for d in docs
        if d["kind"] in ("StatefulSet", "Deployment")
    }


def restricted_violations(name: str, pod: dict[str, Any]) -> list[str]:
    """What in ``pod`` the Pod Security "restricted" profile would reject."""
    pod_ctx = pod.get("securityContext", {})
    found = [f"{name}: {key}" for key in ("hostNetwork", "hostPID", "hostIPC") if pod.get(key)]
    for volume in pod.get("volumes", []):
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUME_TYPES:
            found.append(f"{name}: volume {volume['name']} of type {kinds}")
    for container in pod.get("initContainers", []) + pod["containers"]:
        ctx = container.get("securityContext", {})
        where = f"{name}/{container['name']}"
        if ctx.get("privileged"):
            found.append(f"{where}: privileged")
        if ctx.get("allowPrivilegeEscalation") is not False:
            found.append(f"{where}: allowPrivilegeEscalation is not false")
        if not (ctx.get("runAsNonRoot") or pod_ctx.get("runAsNonRoot")):
            found.append(f"{where}: runAsNonRoot is not true")
        if (ctx.get("runAsUser", pod_ctx.get("runAsUser")) or 1) == 0:
            found.append(f"{where}: runs as uid 0")
        seccomp = ctx.get("seccompProfile") or pod_ctx.get("seccompProfile") or {}
        if seccomp.get("type") not in ("RuntimeDefault", "Localhost"):
            found.append(f"{where}: seccompProfile is {seccomp.get('type')}")
        caps = ctx.get("capabilities", {})
        if "ALL" not in caps.get("drop", []):
            found.append(f"{where}: capabilities not dropped")
        if set(caps.get("add", [])) - {"NET_BIND_SERVICE"}:
            found.append(f"{where}: adds {caps['add']}")
        if any(port.get("hostPort") for port in container.get("ports", [])):
            found.append(f"{where}: hostPort")
    return found


def test_every_pod_passes_the_restricted_pod_security_profile(k8s_dir: Path) -> None:
    pods = _pods(k8s_dir)
    assert len(pods) == 7
    assert [v for name, pod in pods.items() for v in restricted_violations(name, pod)] == []


def test_the_profile_check_catches_what_the_profile_forbids(k8s_dir: Path) -> None:
    pod = _pods(k8s_dir)["grafana"]
    container = pod["containers"][0]
    weakened = {**pod, "hostNetwork": True, "volumes": [{"name": "h", "hostPath": {"path": "/"}}],
                "containers": [{**container, "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}]}  # fmt: skip  # noqa: E501
    found = "\n".join(restricted_violations("grafana", weakened))
    for rule in ("hostNetwork", "hostPath", "allowPrivilegeEscalation", "capabilities not dropped",
                 "SYS_ADMIN"):  # fmt: skip
        assert rule in found


def test_root_file_systems_are_read_only_with_writable_volumes_where_needed(
    k8s_dir: Path,
) -> None:
    for name, pod in _pods(k8s_dir).items():
        volumes = {v["name"]: v for v in pod["volumes"]}
        (container,) = pod["containers"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
        writable = {m["mountPath"] for m in container["volumeMounts"] if not m.get("readOnly")}
        assert "/tmp" in writable, name
        for mount in container["volumeMounts"]:
            if not mount.get("readOnly"):
                volume = volumes.get(mount["name"], {})
                assert mount["name"] == "data" or "emptyDir" in volume, (name, mount)
        assert pod["automountServiceAccountToken"] is False, name


def _policies(k8s_dir: Path) -> dict[str, dict[str, Any]]:
    docs = load_all(k8s_dir / "base" / "networkpolicy.yaml")
    assert all(d["kind"] == "NetworkPolicy" for d in docs)
    return {d["metadata"]["name"]: d["spec"] for d in docs}


def _reachable_from_other_namespaces(
    policies: dict[str, dict[str, Any]], labels: dict[str, str], port: int
) -> bool:
    """Whether any policy selecting a pod with ``labels`` admits other namespaces on ``port``."""
    for spec in policies.values():
        selector = spec["podSelector"].get("matchLabels", {})
        if not selector.items() <= labels.items():
            continue
        for rule in spec.get("ingress", []):
            ports = {p["port"] for p in rule.get("ports", [])}
            if ports and port not in ports:
                continue
            sources = rule.get("from")
            if sources is None:  # no "from": every source, every namespace
                return True
            if any("namespaceSelector" in s or "ipBlock" in s for s in sources):
                return True
    return False


def test_network_policy_denies_by_default_and_opens_only_ui_and_otlp(k8s_dir: Path) -> None:
    policies = _policies(k8s_dir)
    deny = policies["glassbox-default-deny-ingress"]
    assert deny["policyTypes"] == ["Ingress"]
    assert deny["ingress"] == []
    part_of = {"app.kubernetes.io/part-of": "glassbox"}
    assert deny["podSelector"]["matchLabels"] == part_of
    for service in ADMIN_SERVICES:
        labels = {"app.kubernetes.io/name": service, **part_of}
        assert not _reachable_from_other_namespaces(policies, labels, PORTS[service]), service
    grafana = {"app.kubernetes.io/name": "grafana", **part_of}
    assert _reachable_from_other_namespaces(policies, grafana, PORTS["grafana"])
    collector = {"app.kubernetes.io/name": "otel-collector", **part_of}
    for name, port in COLLECTOR_PORTS.items():
        expected = name.startswith("otlp")
        assert _reachable_from_other_namespaces(policies, collector, port) is expected, name
    # The stack's own pods (Grafana among them) still reach every component.
    own = policies["glassbox-from-own-components"]
    assert own["ingress"] == [{"from": [{"podSelector": {"matchLabels": part_of}}]}]


def test_images_are_pinned_by_version_in_both_forms(k8s_dir: Path, compose_dir: Path) -> None:
    images = [c["image"] for pod in _pods(k8s_dir).values() for c in pod["containers"]]
    images += [s["image"] for s in load(compose_dir / "compose.yaml")["services"].values()]
    assert set(images) == set(IMAGES.values())
    for image in images:
        tag = image.rsplit(":", 1)[1]
        assert tag != "latest", image
        assert any(ch.isdigit() for ch in tag), image


def test_image_digests_given_by_the_user_are_used(tmp_path: Path) -> None:
    ref = f"prom/prometheus@{DIGEST}"
    out = generate("k8s", tmp_path / "k8s", "--image", f"prometheus={ref}")
    assert _pods(out)["prometheus"]["containers"][0]["image"] == ref
    out = generate("compose", tmp_path / "compose", "--image", f"prometheus={ref}")
    assert load(out / "compose.yaml")["services"]["prometheus"]["image"] == ref


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("prometheus=prom/prometheus", "pinned by a version tag or a digest"),
        ("prometheus=prom/prometheus:latest", "never latest"),
        ("prometheus=prom/prometheus@sha256:abc", "pinned by a version tag or a digest"),
        ("nginx=nginx:1.27.0", "a component of"),
        ("prometheus", "NAME=REFERENCE"),
    ],
)
def test_bad_image_references_exit_2_naming_them(image: str, message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["deploy", "k8s", "--env", "prod", "--out", str(tmp_path), "--image", image]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert image.split("=", 1)[-1] in result.output


def test_compose_services_run_without_privileges(compose_dir: Path) -> None:
    services = load(compose_dir / "compose.yaml")["services"]
    for name, service in services.items():
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        assert set(service.get("cap_add", [])) <= ({"CHOWN"} if name == "tempo-init" else set())


def _decisions_with(tmp_path: Path, **prod: Any) -> Path:
    """The shipped decisions file with some of ``prod``'s values replaced (receivers added)."""
    from importlib import resources

    import yaml

    data = yaml.safe_load(resources.files("glassbox.mixin").joinpath("glassbox.yaml").read_text())
    env = data["environments"]["prod"]
    for key, value in prod.items():
        # receivers: add to the existing ones, so routing still resolves
        env[key] = {**env[key], **value} if key == "receivers" else value
    path = tmp_path / "decisions.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("prod", "value"),
    [
        ({"targets": {"newsroom": ["http://newsroom:8000/metrics"]}}, "http://newsroom:8000"),
        ({"targets": {"newsroom": ["newsroom"]}}, "'newsroom'"),
        ({"targets": {"newsroom": ["newsroom:99999"]}}, "newsroom:99999"),
        ({"targets": {"News Room": ["newsroom:8000"]}}, "News Room"),
        ({"alertmanager": "alertmanager"}, "'alertmanager'"),
        ({"receivers": {"ops team": {}}}, "ops team"),
        (
            {"receivers": {"audit": {"webhook": {"url": "alert-audit:8080"}}}},
            "alert-audit:8080",
        ),
        (
            {"receivers": {"audit": {"pagerduty": {"routing_key_file": "secrets/key"}}}},
            "secrets/key",
        ),
    ],
)
@pytest.mark.parametrize("kind", ["compose", "k8s"])
def test_invalid_decisions_fail_at_generation_naming_the_value(
    kind: str, prod: dict[str, Any], value: str, tmp_path: Path
) -> None:
    config = _decisions_with(tmp_path, **prod)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["deploy", kind, "--env", "prod", "--out", str(out), "--config", str(config)]
    )
    assert result.exit_code == 2, result.output
    assert value in result.output
    assert not out.exists()  # nothing half-written


@pytest.mark.parametrize("namespace", ["Glassbox", "glass box", "ns;rm -rf /", "-x", "a" * 64])
def test_invalid_namespaces_exit_2_before_anything_is_written(
    namespace: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["deploy", "k8s", "--env", "prod", "--out", str(out), "--namespace", namespace]
    )
    assert result.exit_code == 2, result.output
    assert "namespace" in result.output
    assert not out.exists()
