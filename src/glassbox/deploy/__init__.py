"""Production deployment files: Docker Compose and Kubernetes (``glassbox deploy``).

Prometheus (remote-write ready), Alertmanager, Pushgateway, Grafana with provisioned data
sources and the mixin's dashboards, Loki, Tempo and the OpenTelemetry Collector, all
configured from one environment of the mixin's decisions file (the files themselves come
from :mod:`glassbox.render`; this package assembles and writes them). No password is written
into any file: Compose reads generated secret files (excluded from version control),
Kubernetes manifests reference Secrets.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from glassbox.deploy._write import write_bundle
from glassbox.render import Kind, compose_bundle, k8s_bundle

__all__ = ["generate", "write_bundle"]


def generate(
    kind: Kind,
    env: str,
    out: Path,
    config: Path | str | None = None,
    *,
    remote_write_url: str | None = None,
    namespace: str = "glassbox",
    images: Mapping[str, str] | None = None,
) -> list[Path]:
    """Render the mixin for ``env`` and write the ``kind`` deployment under ``out``.

    Returns:
        Every file written (or kept, for existing secrets).

    Raises:
        DecisionsError: The decisions file or the environment name is invalid.
        ValueError: ``kind`` is neither ``compose`` nor ``k8s``.
    """
    from glassbox.mixin import build, load_decisions

    mixin = build(load_decisions(config).environment(env))
    if kind == "compose":
        bundle = compose_bundle(mixin, remote_write_url, images)
    elif kind == "k8s":
        bundle = k8s_bundle(mixin, remote_write_url, namespace, images)
    else:
        raise ValueError(f"deployment kind {kind!r} is not supported; expected compose or k8s")
    return write_bundle(bundle, out)
