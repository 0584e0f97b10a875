"""Production deployment files: Docker Compose and Kubernetes (``glassbox deploy``).

Prometheus (remote-write ready), Alertmanager, Pushgateway, Grafana with provisioned data
sources and the mixin's dashboards, Loki, Tempo and the OpenTelemetry Collector, all
configured from one environment of the mixin's decisions file. No password is written
into any file: Compose reads generated secret files (excluded from version control),
Kubernetes manifests reference Secrets.
"""

from __future__ import annotations

from pathlib import Path

from glassbox.deploy._bundle import Bundle, Kind, write_bundle
from glassbox.deploy._components import COLLECTOR_PORTS, IMAGES, PORTS
from glassbox.deploy._compose import compose_bundle
from glassbox.deploy._k8s import k8s_bundle

__all__ = [
    "COLLECTOR_PORTS",
    "IMAGES",
    "PORTS",
    "Bundle",
    "Kind",
    "compose_bundle",
    "generate",
    "k8s_bundle",
    "write_bundle",
]


def generate(
    kind: Kind,
    env: str,
    out: Path,
    config: Path | str | None = None,
    *,
    remote_write_url: str | None = None,
    namespace: str = "glassbox",
) -> list[Path]:
    """Render the mixin for ``env`` and write the ``kind`` deployment under ``out``.

    Returns:
        Every file written (or kept, for existing secrets).

    Raises:
        DecisionsError: The decisions file or the environment name is invalid.
        ValueError: ``kind`` is neither ``compose`` nor ``k8s``.
    """
    from glassbox.mixin import load_decisions, render

    mixin = render(load_decisions(config).environment(env))
    if kind == "compose":
        bundle = compose_bundle(mixin, remote_write_url)
    elif kind == "k8s":
        bundle = k8s_bundle(mixin, remote_write_url, namespace)
    else:
        raise ValueError(f"deployment kind {kind!r} is not supported; expected compose or k8s")
    return write_bundle(bundle, out)
