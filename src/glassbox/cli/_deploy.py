"""``glassbox deploy compose|k8s``: production deployment files for the whole stack."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from glassbox.cli import app
from glassbox.cli._common import http_url, output_dir
from glassbox.exceptions import ConfigError


@app.command("deploy")
def deploy_command(
    kind: Annotated[str, typer.Argument(help="compose (Docker Compose) or k8s (Kubernetes).")],
    env: Annotated[str, typer.Option("--env", "-e", help="Environment of the decisions file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write into (created).")],
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="Decisions file (default: the one shipped with Glassbox)."
        ),
    ] = None,
    remote_write_url: Annotated[
        str | None,
        typer.Option(
            "--remote-write-url",
            help="Send every sample to this remote-write endpoint (Mimir, Thanos, …); its "
            "credential is read from a secret. Without it, a commented example is written.",
        ),
    ] = None,
    namespace: str = typer.Option("glassbox", "--namespace", "-n", help="Kubernetes namespace."),
    image: Annotated[
        list[str] | None,
        typer.Option(
            "--image",
            help="Replace a component's pinned image, e.g. prometheus=prom/prometheus@sha256:…"
            " (repeatable; a version tag or a digest is required).",
        ),
    ] = None,
) -> None:
    """Write Prometheus, Alertmanager, Pushgateway, Grafana, Loki, Tempo and Collector files.

    No password is written into any file: Compose reads generated secret files (listed
    in a generated .gitignore); Kubernetes manifests reference Secrets that the
    generated README tells you how to create.
    """
    from glassbox.deploy import generate

    if kind not in ("compose", "k8s"):
        raise ConfigError("KIND", kind, "compose or k8s")
    if remote_write_url is not None:
        http_url(remote_write_url, "--remote-write-url", "https://mimir.example.com/api/v1/push")
    images: dict[str, str] = {}
    for item in image or []:
        name, sep, ref = item.partition("=")
        if not sep:
            expected = "NAME=REFERENCE, e.g. prometheus=prom/prometheus:v3.1.0"
            raise ConfigError("--image", item, expected)
        images[name.strip()] = ref.strip()
    output_dir(out, "--out")
    files = generate(  # checks the namespace and the images (ConfigError) before writing
        kind,  # type: ignore[arg-type]
        env,
        out,
        config,
        remote_write_url=remote_write_url,
        namespace=namespace,
        images=images,
    )
    typer.echo(
        f"wrote {len(files)} files to {out} ({kind}, env {env!r}); next: {out / 'README.md'}"
    )
