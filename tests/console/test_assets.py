"""The console's front-end assets: built by `make setup` from the pinned npm package."""

from __future__ import annotations

import json
import re
from pathlib import Path

from glassbox.console import STATIC_DIR

ROOT = Path(__file__).resolve().parents[2]


def test_vendored_uplot_is_the_version_package_lock_pins() -> None:
    lock = json.loads((ROOT / "console-ui" / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/uplot"]["version"]
    script = STATIC_DIR / "vendor" / "uPlot.iife.min.js"
    assert script.is_file(), f"{script} is missing: run `make setup` (npm ci in console-ui/)"
    header = script.read_text()[:200]
    found = re.search(r"\(v(\d+\.\d+\.\d+)\)", header)
    assert found is not None, header
    assert found.group(1) == pinned
    assert (STATIC_DIR / "vendor" / "uPlot.min.css").is_file()


def test_pages_load_nothing_from_another_host() -> None:
    """No CDN at run time: every script and stylesheet is served by the console itself."""
    sources = (STATIC_DIR / "console.js").read_text() + (STATIC_DIR / "console.css").read_text()
    pages = (Path(STATIC_DIR).parent / "_pages.py").read_text()
    for text in (sources, pages):
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
