"""The file encodings every rendered file goes through: one YAML dumper, one JSON form."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import yaml

__all__ = ["dump_json", "dump_yaml", "dump_yaml_all"]


class _Dumper(yaml.SafeDumper):
    """Never writes anchors and aliases: plain, greppable files a person can review."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any) -> str:
    """Plain YAML: keys in insertion order, no anchors, long lines kept whole."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=120, allow_unicode=True)


def dump_yaml_all(documents: Iterable[Any]) -> str:
    """A multi-document YAML stream (Kubernetes manifests), same style as :func:`dump_yaml`."""
    return yaml.dump_all(
        list(documents), Dumper=_Dumper, sort_keys=False, width=120, allow_unicode=True
    )


def dump_json(data: Any) -> str:
    """Stable, diff-friendly JSON (Grafana dashboards): sorted keys, two-space indent."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
