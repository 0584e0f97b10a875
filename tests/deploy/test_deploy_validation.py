"""The bundles checked by the validators the ecosystem uses, offline.

- Kubernetes manifests: the Kubernetes OpenAPI schemas of every supported release
  (``kubernetes-validate``, strict: unknown fields are errors).
- Prometheus-Operator resources: the Operator's CRD schemas as shipped in
  ``cloudcoil-models-prometheus-operator`` (models generated from the CRDs); the models
  ignore unknown fields, so a field they did not keep is reported as unknown.
- ``compose.yaml``: the Compose specification's JSON schema as vendored by
  ``check-jsonschema`` (``vendor.compose-spec``).
- ``kustomization.yaml``: built by ``kubectl kustomize`` when kubectl is installed
  (``make setup`` installs it), the way ``kubectl apply -k`` would.
"""

from __future__ import annotations

import copy
import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pydantic
import pytest
import yaml
from cloudcoil.models.prometheus_operator import v1, v1alpha1
from deploy_checks import load_all

#: Kubernetes releases the generated manifests are validated against (and documented in
#: docs/deploy.md as supported).
KUBERNETES_VERSIONS = ("1.32.0", "1.33.0", "1.34.0", "1.35.0", "1.36.0", "1.37.0")

OPERATOR_MODELS: dict[str, type[pydantic.BaseModel]] = {
    "PrometheusRule": v1.PrometheusRule,
    "ServiceMonitor": v1.ServiceMonitor,
    "AlertmanagerConfig": v1alpha1.AlertmanagerConfig,
}


def _manifests(k8s_dir: Path, folder: str) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted((k8s_dir / folder).glob("*.yaml")):
        if path.name != "kustomization.yaml":
            docs.extend(load_all(path))
    return docs


def _dropped_keys(given: Any, kept: Any, where: str) -> list[str]:
    """Keys of ``given`` that the model did not keep: fields the CRD schema does not know."""
    if isinstance(given, dict) and isinstance(kept, dict):
        found = [f"{where}.{key}" for key in given if key not in kept]
        for key in given.keys() & kept.keys():
            found += _dropped_keys(given[key], kept[key], f"{where}.{key}")
        return found
    if isinstance(given, list) and isinstance(kept, list):
        return [k for i, pair in enumerate(zip(given, kept, strict=False))
                for k in _dropped_keys(*pair, f"{where}[{i}]")]  # fmt: skip
    return []


def _validate_operator(doc: dict[str, Any]) -> list[str]:
    model = OPERATOR_MODELS[doc["kind"]].model_validate(doc)
    kept = model.model_dump(by_alias=True, exclude_unset=True, mode="json")
    return _dropped_keys(doc, kept, doc["kind"])


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_passes_the_kubernetes_openapi_schema(k8s_dir: Path, version: str) -> None:
    docs = _manifests(k8s_dir, "base")
    kinds = {d["kind"] for d in docs}
    assert {"StatefulSet", "Deployment", "Service", "ConfigMap", "NetworkPolicy"} <= kinds
    for doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)


def test_the_schema_validation_rejects_what_a_cluster_would(k8s_dir: Path) -> None:
    (statefulset,) = [d for d in _manifests(k8s_dir, "base") if d["kind"] == "StatefulSet"][:1]
    broken = copy.deepcopy(statefulset)
    broken["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsNonRot"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)
    broken = copy.deepcopy(statefulset)
    broken["spec"]["replicas"] = "one"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)


def test_operator_resources_pass_the_crd_schemas(k8s_dir: Path) -> None:
    docs = _manifests(k8s_dir, "operator")
    assert {d["kind"] for d in docs} == set(OPERATOR_MODELS)
    for doc in docs:
        assert _validate_operator(doc) == [], doc["metadata"]["name"]


def test_the_crd_validation_rejects_unknown_and_missing_fields(k8s_dir: Path) -> None:
    rule = next(d for d in _manifests(k8s_dir, "operator") if d["kind"] == "PrometheusRule")
    misspelt = copy.deepcopy(rule)
    misspelt["spec"]["groups"][0]["rules"][0]["exprs"] = "up"
    assert _validate_operator(misspelt) != []
    missing = copy.deepcopy(rule)
    del missing["spec"]["groups"][0]["rules"][0]["expr"]
    with pytest.raises(pydantic.ValidationError):
        _validate_operator(missing)


def test_crd_models_version_is_recorded_in_the_docs() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "deploy.md").read_text()
    version = importlib.metadata.version("cloudcoil-models-prometheus-operator")
    major_minor = ".".join(version.split(".")[:2])
    assert f"cloudcoil-models-prometheus-operator {major_minor}" in docs


def _check_jsonschema(*args: str) -> subprocess.CompletedProcess[str]:
    binary = Path(sys.executable).with_name("check-jsonschema")
    assert binary.exists(), "check-jsonschema is missing: run `make setup`"
    return subprocess.run(
        [str(binary), "--builtin-schema", "vendor.compose-spec", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_compose_file_passes_the_compose_specification(compose_dir: Path) -> None:
    result = _check_jsonschema(str(compose_dir / "compose.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compose_schema_rejects_a_broken_file(compose_dir: Path, tmp_path: Path) -> None:
    compose = yaml.safe_load((compose_dir / "compose.yaml").read_text())
    compose["services"]["prometheus"]["restart"] = ["always"]
    broken = tmp_path / "compose.yaml"
    broken.write_text(yaml.safe_dump(compose))
    assert _check_jsonschema(str(broken)).returncode != 0


class _PlainLoader(yaml.SafeLoader):
    """YAML 1.2 reading of a bare ``=`` (kubectl prints ``matchType: =`` unquoted)."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:value"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _kubectl() -> str:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is missing: run `make setup` (Debian package kubernetes-client)"
    return kubectl


@pytest.mark.parametrize("folder", ["base", "operator"])
def test_kustomize_builds_each_folder_into_the_namespace(k8s_dir: Path, folder: str) -> None:
    result = subprocess.run(
        [_kubectl(), "kustomize", str(k8s_dir / folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    built = [d for d in yaml.load_all(result.stdout, Loader=_PlainLoader) if d]
    expected = _manifests(k8s_dir, folder)
    assert len(built) == len(expected)
    for doc in built:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "glassbox", doc["metadata"]["name"]
