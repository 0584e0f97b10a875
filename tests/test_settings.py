"""One settings table: ``init()``'s signature, :class:`Settings`, the validators, the
docstring and ``docs/configuration.md`` all agree with :data:`glassbox._config.SETTINGS`."""

from __future__ import annotations

import dataclasses
import inspect
import re
import subprocess
import sys
from pathlib import Path

import glassbox
from glassbox._config import _VALIDATORS, SETTINGS, UNSET, Settings, init_docstring
from glassbox._docs import render_configuration_md

ROOT = Path(__file__).resolve().parents[1]
NAMES = [spec.name for spec in SETTINGS]


def test_init_signature_settings_and_table_name_the_same_settings() -> None:
    parameters = inspect.signature(glassbox.init).parameters
    assert list(parameters) == NAMES
    assert [f.name for f in dataclasses.fields(Settings)] == NAMES
    assert list(_VALIDATORS) == NAMES


def test_every_init_keyword_is_keyword_only_typed_and_unset_by_default() -> None:
    for spec, parameter in zip(
        SETTINGS, inspect.signature(glassbox.init).parameters.values(), strict=True
    ):
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, spec.name
        assert parameter.default is UNSET, spec.name
        written = re.sub(r"\b[a-z_.]+\.(?=[A-Z])", "", str(parameter.annotation))
        assert written == spec.type, spec.name


def test_docstring_and_reference_are_generated_from_the_table() -> None:
    assert glassbox.init.__doc__ == init_docstring()
    reference = render_configuration_md()
    for spec in SETTINGS:
        assert f"    {spec.name}: " in init_docstring()
        assert f"| `{spec.name}` |" in reference
        if spec.env:
            assert f"`GLASSBOX_{spec.name.upper()}`" in reference


def test_a_misspelt_setting_is_a_type_error_for_mypy(tmp_path: Path) -> None:
    snippet = tmp_path / "misspelt.py"
    snippet.write_text(
        "import glassbox\nglassbox.init(metric_port=9464)\nglassbox.init(span_queue_size=[1])\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(snippet)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert 'Unexpected keyword argument "metric_port"' in result.stdout
    assert "misspelt.py:3: error" in result.stdout
    assert 'incompatible type "list[int]"; expected "int | str | None"' in result.stdout


def test_given_keywords_reach_the_runtime_and_unset_ones_do_not() -> None:
    runtime = glassbox.init(metrics_port=None, service_name="svc", keep_spans=3)
    try:
        assert runtime.settings.service_name == "svc"
        assert runtime.settings.keep_spans == 3
        assert runtime.settings.metrics_port is None  # None given: off
        assert runtime.settings.log_level == "info"  # not given: the default
    finally:
        glassbox.shutdown()
