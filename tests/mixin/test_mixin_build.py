"""Generated files: dashboards' conventions, rules' conventions, secrets, the k8s form."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from glassbox.mixin import build, load_decisions, route_cases
from glassbox.render import mixin_files, write_files

RUNBOOKS = Path(__file__).resolve().parents[2] / "docs" / "runbooks"


@pytest.fixture(scope="module")
def prod_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("prod")
    write_files(mixin_files(build(load_decisions().environment("prod"))), out)
    return out


def test_dashboards_follow_the_conventions(prod_files: Path) -> None:
    boards = [
        json.loads(p.read_text())
        for p in sorted((prod_files / "grafana" / "dashboards").glob("*.json"))
    ]
    assert len(boards) == 8
    assert len({b["uid"] for b in boards}) == 8
    for board in boards:
        variables = {v["name"]: v for v in board["templating"]["list"]}
        assert variables["datasource"]["type"] == "datasource"
        assert {"env", "service"} <= set(variables)
        panels = [p for p in board["panels"] if p["type"] != "row"]
        ranges = {
            r for p in panels for t in p["targets"] for r in re.findall(r"\[([^\]]+)\]", t["expr"])
        }
        assert ranges <= {"$__rate_interval", "$__range", "1d"}, ranges
        for panel in panels:
            assert panel["description"], panel["title"]
            assert panel["fieldConfig"]["defaults"]["unit"], panel["title"]
            assert panel["datasource"]["uid"] == "${datasource}"
            for target in panel["targets"]:
                assert 'env=~"$env"' in target["expr"] or "vector(" in target["expr"], target[
                    "expr"
                ]
            for target in panel["targets"]:
                # Only latency panels read raw histograms (for their exemplars); every
                # other rate or histogram aggregation reads a recording rule.
                if "rate(" in target["expr"]:
                    assert "_bucket{" in target["expr"], target["expr"]
                    assert target.get("exemplar"), target["expr"]


def test_dashboards_are_stable_across_builds(tmp_path: Path, prod_files: Path) -> None:
    write_files(mixin_files(build(load_decisions().environment("prod"))), tmp_path)
    for path in (prod_files / "grafana" / "dashboards").glob("*.json"):
        assert (tmp_path / "grafana" / "dashboards" / path.name).read_text() == path.read_text()


def test_alerts_follow_monitoring_mixin_conventions(prod_files: Path) -> None:
    groups = yaml.safe_load((prod_files / "prometheus/rules/glassbox-alerts.yml").read_text())[
        "groups"
    ]
    rules = [r for g in groups for r in g["rules"]]
    assert len({r["alert"] for r in rules}) == 23
    for rule in rules:
        assert rule["alert"].startswith("Glassbox")
        assert rule["alert"].isalnum()
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}
        annotations = rule["annotations"]
        assert "{{" not in annotations["summary"]
        assert annotations["summary"].endswith(".")
        assert "{{" in annotations["description"]
        name = annotations["runbook_url"].rsplit("/", 1)[1]
        assert name == f"{rule['alert']}.md"
        assert (RUNBOOKS / name).is_file(), f"missing runbook docs/runbooks/{name}"


def test_recording_rules_are_named_level_metric_operations(prod_files: Path) -> None:
    groups = yaml.safe_load((prod_files / "prometheus/rules/glassbox-recording.yml").read_text())[
        "groups"
    ]
    for rule in (r for g in groups for r in g["rules"]):
        assert len(rule["record"].split(":")) == 3, rule["record"]


def test_secrets_are_referenced_by_file_never_inlined(prod_files: Path) -> None:
    text = (prod_files / "alertmanager/alertmanager.yml").read_text()
    config = yaml.safe_load(text)
    receivers = {r["name"]: r for r in config["receivers"]}
    assert receivers["oncall"]["pagerduty_configs"][0]["routing_key_file"].endswith(
        "pagerduty-routing-key"
    )
    assert "api_url_file" in receivers["newsroom-slack"]["slack_configs"][0]
    assert "routing_key:" not in text
    assert "api_url:" not in text


def test_prometheus_config_attaches_env_and_service(prod_files: Path) -> None:
    config = yaml.safe_load((prod_files / "prometheus/prometheus.yml").read_text())
    jobs = {j["job_name"]: j for j in config["scrape_configs"]}
    assert jobs["newsroom"]["static_configs"][0]["labels"] == {"env": "prod", "service": "newsroom"}
    assert jobs["pushgateway"]["honor_labels"] is True
    assert config["rule_files"] == ["rules/glassbox-recording.yml", "rules/glassbox-alerts.yml"]


def test_grafana_provisioning_links_signals(prod_files: Path) -> None:
    sources = yaml.safe_load(
        (prod_files / "grafana/provisioning/datasources/glassbox.yml").read_text()
    )
    by_type = {d["type"]: d for d in sources["datasources"]}
    assert (
        by_type["prometheus"]["jsonData"]["exemplarTraceIdDestinations"][0]["datasourceUid"]
        == "tempo"
    )
    assert by_type["tempo"]["jsonData"]["tracesToLogsV2"]["datasourceUid"] == "loki"
    assert by_type["loki"]["jsonData"]["derivedFields"][0]["datasourceUid"] == "tempo"


def test_team_alerts_route_to_the_team() -> None:
    env = load_decisions().environment("prod")
    cases = {
        (c.labels.get("service"), c.labels.get("team"), c.labels["severity"]): c.receivers
        for c in route_cases(env)
    }
    assert cases[("newsroom", None, "warning")] == ("newsroom-slack",)
    assert cases[(None, "newsroom", "critical")] == ("oncall",)
    assert cases[("unowned-service", None, "warning")] == ("ai-platform",)


def test_k8s_form(tmp_path: Path) -> None:
    write_files(mixin_files(build(load_decisions().environment("prod")), "k8s"), tmp_path)
    rule = yaml.safe_load((tmp_path / "prometheusrule.yaml").read_text())
    assert rule["kind"] == "PrometheusRule"
    assert rule["spec"]["groups"]
    am = yaml.safe_load((tmp_path / "alertmanagerconfig.yaml").read_text())
    assert am["kind"] == "AlertmanagerConfig"
    oncall = next(r for r in am["spec"]["receivers"] if r["name"] == "oncall")
    assert oncall["pagerdutyConfigs"][0]["routingKey"] == {
        "name": "glassbox-alertmanager",
        "key": "pagerduty-routing-key",
    }
    maps = list(yaml.safe_load_all((tmp_path / "dashboards.yaml").read_text()))
    assert len(maps) == 8
    assert all(m["metadata"]["labels"]["grafana_dashboard"] == "1" for m in maps)
