"""Static checks shared by the Compose and Kubernetes deployment tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from glassbox.cli import app


def generate(kind: str, out: Path, *extra: str) -> Path:
    """Run ``glassbox deploy KIND --env prod --out OUT`` through the real CLI."""
    result = CliRunner().invoke(app, ["deploy", kind, "--env", "prod", "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def load_all(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def port_of(address: str) -> tuple[str, int]:
    """``host:port`` or ``scheme://host:port/path`` → (host, port)."""
    match = re.fullmatch(r"(?:\w+://)?([^:/]*):(\d+)(?:/.*)?", address)
    assert match, f"no host:port in {address!r}"
    return match.group(1), int(match.group(2))


def listen_flags(args: list[str]) -> set[int]:
    return {port_of(a.split("=", 1)[1])[1] for a in args if a.startswith("--web.listen-address=")}


def loki_listens(config: dict[str, Any]) -> set[int]:
    server = config["server"]
    return {server["http_listen_port"], server["grpc_listen_port"]}


def tempo_listens(config: dict[str, Any]) -> set[int]:
    server = config["server"]
    ports = {server["http_listen_port"], server["grpc_listen_port"]}
    for receiver in config["distributor"]["receivers"].values():
        for protocol in receiver["protocols"].values():
            ports.add(port_of(protocol["endpoint"])[1])
    return ports


def collector_listens(config: dict[str, Any]) -> set[int]:
    ports: set[int] = set()
    for receiver in config["receivers"].values():
        for protocol in receiver.get("protocols", {}).values():
            ports.add(port_of(protocol["endpoint"])[1])
    for name, exporter in config["exporters"].items():
        if name.split("/")[0] == "prometheus":
            ports.add(port_of(exporter["endpoint"])[1])
    for extension in config.get("extensions", {}).values():
        if "endpoint" in extension:
            ports.add(port_of(extension["endpoint"])[1])
    for reader in config["service"]["telemetry"]["metrics"].get("readers", []):
        ports.add(reader["pull"]["exporter"]["prometheus"]["port"])
    return ports


def uses(configs: dict[str, Any]) -> list[tuple[str, str, int]]:
    """Every (who, host, port) one component uses to reach another, read from the configs.

    ``configs`` has ``prometheus``, ``grafana`` (data sources), ``collector`` and ``tempo``.
    """
    prom = configs["prometheus"]
    out = [
        (f"prometheus job {job['job_name']}", *port_of(target))
        for job in prom["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    ]
    out += [
        ("prometheus alerting", *port_of(target))
        for manager in prom["alerting"]["alertmanagers"]
        for static in manager["static_configs"]
        for target in static["targets"]
    ]
    out += [("prometheus remote_write", *port_of(r["url"])) for r in prom.get("remote_write", [])]
    sources = configs["grafana"]["datasources"]
    out += [(f"grafana {ds['name']}", *port_of(ds["url"])) for ds in sources]
    out += [
        (f"collector exporter {name}", *port_of(exporter["endpoint"]))
        for name, exporter in configs["collector"]["exporters"].items()
        if "endpoint" in exporter and not name.startswith("prometheus")
    ]
    generator = configs["tempo"]["metrics_generator"]["storage"]["remote_write"]
    out += [("tempo remote_write", *port_of(r["url"])) for r in generator]
    return out
