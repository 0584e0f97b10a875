"""The documented examples type-check under ``mypy --strict`` (decorators keep signatures)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MYPY = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--follow-imports=silent"]


def test_quickstart_example_type_checks_strictly(tmp_path: Path) -> None:
    snippet = tmp_path / "uses_decorators.py"
    snippet.write_text(
        "import glassbox\n"
        "@glassbox.tool('search')\n"
        "def search(query: str) -> list[str]:\n"
        "    return [query]\n"
        "@glassbox.agent\n"
        "async def editor(topic: str) -> int:\n"
        "    return len(search(topic))\n"
        "reveal: list[str] = search('x')\n"
    )
    result = subprocess.run(
        [*MYPY, str(ROOT / "examples" / "quickstart.py"), str(snippet)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_wrong_call_through_a_decorator_is_caught(tmp_path: Path) -> None:
    snippet = tmp_path / "misuse.py"
    snippet.write_text(
        "import glassbox\n"
        "@glassbox.tool\n"
        "def search(query: str) -> list[str]:\n"
        "    return [query]\n"
        "search(42)\n"
    )
    result = subprocess.run(
        [*MYPY, str(snippet)], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert result.returncode == 1
    assert 'incompatible type "int"; expected "str"' in result.stdout
