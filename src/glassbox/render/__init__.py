"""Every file Glassbox generates, in every format, from the mixin's data.

One layer owns the file formats: Prometheus configuration and rule files, Alertmanager
configuration, Grafana provisioning and dashboard JSON, Prometheus-Operator resources,
the production stack's Kubernetes manifests and Compose file, through one YAML dumper
(:func:`dump_yaml`). Nothing here starts a process; :func:`write_files` is the one
function that writes. Above it, :mod:`glassbox.stack` runs the files locally and
:mod:`glassbox.deploy` writes the production bundles.
"""

from glassbox.render._bundle import Bundle, Kind
from glassbox.render._components import COLLECTOR_PORTS, IMAGES, PORTS
from glassbox.render._compose import compose_bundle
from glassbox.render._formats import dump_json, dump_yaml, dump_yaml_all
from glassbox.render._grafana import grafana_dashboard_provider, grafana_datasources
from glassbox.render._k8s import k8s_bundle
from glassbox.render._logs import (
    LOG_LABEL_ATTRIBUTES,
    LOKI_INDEX_LABELS,
    LOKI_RAW_TENANT,
    LOKI_TENANT,
    RAW_RETENTION,
    RAW_STREAM_ATTRIBUTE,
)
from glassbox.render._mixin import Format, mixin_files, write_files
from glassbox.render._operator import alertmanager_config_cr, dashboard_configmaps, prometheus_rule
from glassbox.render._prometheus import PUSHGATEWAY_JOB, RULE_FILES, prometheus_config

__all__ = [
    "COLLECTOR_PORTS",
    "IMAGES",
    "LOG_LABEL_ATTRIBUTES",
    "LOKI_INDEX_LABELS",
    "LOKI_RAW_TENANT",
    "LOKI_TENANT",
    "PORTS",
    "PUSHGATEWAY_JOB",
    "RAW_RETENTION",
    "RAW_STREAM_ATTRIBUTE",
    "RULE_FILES",
    "Bundle",
    "Format",
    "Kind",
    "alertmanager_config_cr",
    "compose_bundle",
    "dashboard_configmaps",
    "dump_json",
    "dump_yaml",
    "dump_yaml_all",
    "grafana_dashboard_provider",
    "grafana_datasources",
    "k8s_bundle",
    "mixin_files",
    "prometheus_config",
    "prometheus_rule",
    "write_files",
]
