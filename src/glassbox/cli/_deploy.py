"""``glassbox deploy compose|k8s``: production deployment files for the whole stack."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from glassbox.cli import app


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)


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
    from glassbox import ConfigError
    from glassbox.deploy import generate
    from glassbox.mixin import DecisionsError

    if kind not in ("compose", "k8s"):
        raise _fail(f"deployment kind {kind!r} is not supported; use compose or k8s")
    if remote_write_url is not None and not remote_write_url.startswith(("http://", "https://")):
        raise _fail(f"--remote-write-url {remote_write_url!r} must be an http(s) URL")
    images: dict[str, str] = {}
    for item in image or []:
        name, sep, ref = item.partition("=")
        if not sep:
            raise _fail(
                f"--image {item!r}: expected NAME=REFERENCE, e.g. prometheus=prom/prometheus:v3.1.0"
            )
        images[name.strip()] = ref.strip()
    try:
        files = generate(
            kind,  # type: ignore[arg-type]
            env,
            out,
            config,
            remote_write_url=remote_write_url,
            namespace=namespace,
            images=images,
        )
    except (DecisionsError, ConfigError) as exc:
        raise _fail(str(exc)) from None
    typer.echo(
        f"wrote {len(files)} files to {out} ({kind}, env {env!r}); next: {out / 'README.md'}"
    )
