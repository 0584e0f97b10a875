"""The package's dependency rules, checked on the source (imports at any depth count).

Layers point one way: the contract at the bottom, the SDK core and its integrations
above it; the mixin's data, the render layer that writes it as files, then the stack,
deployment and check runner, the demo, and the CLI on top. No module imports a private
module of another subpackage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import glassbox

ROOT = Path(glassbox.__file__).parent

#: Each top-level part and the parts it may import (besides itself). Parts not named
#: here are the SDK core (top-level modules) and may import only the contract and core.
ALLOWED: dict[str, set[str]] = {
    "semconv": set(),
    "promql": set(),
    "simulator": set(),
    "redaction": set(),
    "core": {"semconv", "redaction", "exceptions"},
    "instrumentation": {"core", "semconv"},
    "drift": {"core", "semconv"},
    "evals": {"core", "semconv"},
    "mixin": {"semconv", "promql", "core"},
    "render": {"mixin", "semconv", "promql"},
    "stack": {"mixin", "render", "semconv", "promql", "core"},
    "deploy": {"mixin", "render"},
    "check": {"mixin", "render", "stack", "semconv", "promql", "core"},
    "console": {"mixin", "render", "stack", "semconv", "promql"},
    "demo": {
        "core",
        "semconv",
        "promql",
        "mixin",
        "stack",
        "simulator",
        "instrumentation",
        "redaction",
        "drift",
    },
}
#: Leaves may still import the dependency-free exception base.
LEAF_OK = {"glassbox.exceptions", "glassbox._errors"}


#: Modules above both the core and its integrations (the facade and its test helper).
FACADE = {"glassbox", "glassbox._facade", "glassbox.testing"}


def _part(module: str) -> str:
    parts = module.split(".")
    if module in FACADE:
        return "package"
    name = parts[1]
    if (ROOT / name).is_dir() or name in ("semconv", "promql"):
        return name
    return "core"


def _imports() -> list[tuple[str, str]]:
    found = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT.parent).with_suffix("")
        module = ".".join(relative.parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((module, node.module))
                found.extend((module, f"{node.module}.{a.name}") for a in node.names)
            elif isinstance(node, ast.Import):
                found.extend((module, a.name) for a in node.names)
    return [(a, b) for a, b in found if b.split(".")[0] == "glassbox"]


def _is_module(name: str) -> bool:
    path = ROOT.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def test_no_module_imports_another_subpackages_private_module() -> None:
    offenders = []
    for importer, imported in _imports():
        parts = imported.split(".")
        if not _is_module(imported) or len(parts) < 3:
            continue
        if any(p.startswith("_") for p in parts[2:]) and not importer.startswith(
            ".".join(parts[:2])
        ):
            offenders.append(f"{importer} imports {imported}")
    assert offenders == []


def test_dependencies_point_one_way() -> None:
    offenders = []
    for importer, imported in _imports():
        if not _is_module(imported) or imported in LEAF_OK:
            continue
        source, target = _part(importer), _part(imported)
        if source in ("package", "cli") or target == source or target == "package":
            continue
        if target not in ALLOWED.get(source, ALLOWED["core"]):
            offenders.append(f"{importer} ({source}) imports {imported} ({target})")
    assert offenders == []
