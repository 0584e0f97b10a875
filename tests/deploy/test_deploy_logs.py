"""Logs in the production bundle: Collector → Loki, labelled, with a restricted raw tenant.

Neither the Collector nor Loki runs here; this follows a record through the generated
configuration the way the Collector's routing connector and Loki's OTLP ingestion are
documented to treat it, and checks every reference on the way.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from deploy_checks import load, load_all

from glassbox.render import (
    LOG_LABEL_ATTRIBUTES,
    LOKI_INDEX_LABELS,
    LOKI_RAW_TENANT,
    LOKI_TENANT,
    RAW_RETENTION,
    RAW_STREAM_ATTRIBUTE,
)

#: What must never become a Loki label (unbounded values).
ID_ATTRIBUTES = {"trace_id", "span_id", "request_id", "glassbox.request_id", "user.id"}


def _exporters_for(collector: dict[str, Any], resource: dict[str, str]) -> set[str]:
    """The exporters a log record with these resource attributes reaches."""
    pipelines = collector["service"]["pipelines"]
    connectors = collector["connectors"]
    reached: set[str] = set()
    todo = ["logs"]
    while todo:
        pipeline = pipelines[todo.pop()]
        for exporter in pipeline["exporters"]:
            if exporter not in connectors:
                reached.add(exporter)
                continue
            routing = connectors[exporter]
            routed = []
            for route in routing["table"]:
                match = re.fullmatch(
                    r'route\(\) where attributes\["(.+)"\] == "(.+)"', route["statement"]
                )
                assert match, route
                if resource.get(match.group(1)) == match.group(2):
                    routed = route["pipelines"]
                    break
            todo.extend(routed or routing["default_pipelines"])
    return reached


def _tenant(collector: dict[str, Any], exporter: str) -> str:
    tenant: str = collector["exporters"][exporter]["headers"]["X-Scope-OrgID"]
    return tenant


def test_raw_stream_goes_only_to_its_own_tenant(compose_dir: Path) -> None:
    collector = load(compose_dir / "otel-collector/config.yaml")
    normal = _exporters_for(collector, {"service.name": "newsroom"})
    raw = _exporters_for(collector, {"service.name": "newsroom", RAW_STREAM_ATTRIBUTE: "raw"})
    assert {_tenant(collector, e) for e in normal} == {LOKI_TENANT}
    assert {_tenant(collector, e) for e in raw} == {LOKI_RAW_TENANT}
    assert LOKI_TENANT != LOKI_RAW_TENANT


def test_raw_tenant_has_short_retention_and_no_grafana_data_source(compose_dir: Path) -> None:
    loki = load(compose_dir / "loki/loki.yaml")
    overrides_path = loki["runtime_config"]["file"]
    compose = load(compose_dir / "compose.yaml")
    mounts = [v.split(":") for v in compose["services"]["loki"]["volumes"] if v.startswith("./")]
    host = next(
        compose_dir / h / Path(overrides_path).relative_to(c)
        for h, c, *_ in mounts
        if overrides_path.startswith(c + "/")
    )
    overrides = load(host)["overrides"]
    assert overrides[LOKI_RAW_TENANT]["retention_period"] == RAW_RETENTION
    assert loki["compactor"]["retention_enabled"] is True
    datasources = load(compose_dir / "grafana/provisioning/datasources/glassbox.yml")
    (source,) = [d for d in datasources["datasources"] if d["type"] == "loki"]
    assert source["jsonData"]["httpHeaderName1"] == "X-Scope-OrgID"
    assert source["secureJsonData"]["httpHeaderValue1"] == LOKI_TENANT


def test_labels_are_low_cardinality_and_everything_else_structured_metadata(
    compose_dir: Path,
) -> None:
    loki = load(compose_dir / "loki/loki.yaml")
    otlp = loki["limits_config"]["otlp_config"]["resource_attributes"]
    assert otlp["ignore_defaults"] is True  # no host, pid, pod ... labels by default
    (config,) = otlp["attributes_config"]
    assert config["action"] == "index_label"
    labels = {a.replace(".", "_") for a in config["attributes"]}
    assert labels == {"service_name", "env", "level", "team", "gen_ai_model_family", "user_class"}
    assert not labels & {a.replace(".", "_") for a in ID_ATTRIBUTES}
    collector = load(compose_dir / "otel-collector/config.yaml")
    promoted = collector["processors"]["groupbyattrs/loki_labels"]["keys"]
    assert set(promoted) == set(LOG_LABEL_ATTRIBUTES) <= set(LOKI_INDEX_LABELS)
    normal = collector["service"]["pipelines"]["logs/loki"]["processors"]
    assert normal.index("transform/loki_labels") < normal.index("groupbyattrs/loki_labels")


def test_log_lines_link_to_traces_and_traces_to_logs(compose_dir: Path) -> None:
    datasources = load(compose_dir / "grafana/provisioning/datasources/glassbox.yml")
    by_type = {d["type"]: d for d in datasources["datasources"]}
    derived = by_type["loki"]["jsonData"]["derivedFields"]
    assert any(d.get("matcherType") == "label" and d["matcherRegex"] == "trace_id" for d in derived)
    to_logs = by_type["tempo"]["jsonData"]["tracesToLogsV2"]
    assert to_logs["datasourceUid"] == by_type["loki"]["uid"]
    assert to_logs["filterByTraceID"] is True


def test_kubernetes_mounts_the_loki_overrides(k8s_dir: Path) -> None:
    docs = load_all(k8s_dir / "base" / "loki.yaml")
    (configmap,) = [d for d in docs if d["kind"] == "ConfigMap"]
    assert {"loki.yaml", "overrides.yaml"} <= set(configmap["data"])
