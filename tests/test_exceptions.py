"""One exception tree: every exception class in the package derives from GlassboxError."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import glassbox
from glassbox import exceptions
from glassbox.exceptions import (
    ConfigError,
    DecisionsError,
    GlassboxError,
    InputError,
    MissingBinaryError,
    PrometheusAPIError,
    PushError,
    ServiceError,
    StackError,
)


def _modules() -> list[str]:
    walk = pkgutil.walk_packages(glassbox.__path__, "glassbox.")
    return ["glassbox", *(info.name for info in walk)]


def _exception_classes() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for name in _modules():
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ == name and issubclass(obj, BaseException):
                found.append(obj)
    return found


def test_the_walk_sees_every_module_that_defines_an_exception() -> None:
    """Guards the walk itself: a source scan finds no exception class it did not import."""
    root = Path(glassbox.__file__).parent
    in_source: set[str] = set()
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                "Error" in ast.unparse(base) or "Exception" in ast.unparse(base)
                for base in node.bases
            ):
                in_source.add(node.name)
    imported = {cls.__name__ for cls in _exception_classes()}
    assert in_source - imported == set()
    assert len(imported) >= 18


def test_every_exception_class_derives_from_glassbox_error() -> None:
    outside = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _exception_classes()
        if not issubclass(cls, GlassboxError)
    ]
    assert outside == []


def test_the_docstring_tree_names_every_public_exception() -> None:
    doc = exceptions.__doc__ or ""
    missing = [name for name in exceptions.__all__ if f" {name}" not in doc]
    assert missing == []


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (ConfigError, ValueError),
        (DecisionsError, ValueError),
        (MissingBinaryError, RuntimeError),
        (StackError, RuntimeError),
        (PushError, RuntimeError),
        (PrometheusAPIError, RuntimeError),
    ],
)
def test_builtin_bases_callers_rely_on_are_kept(
    cls: type[Exception], builtin: type[Exception]
) -> None:
    assert issubclass(cls, builtin)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (GlassboxError("x"), 1),
        (StackError("x"), 1),
        (InputError("x"), 2),
        (ConfigError("--port", "x", "a TCP port"), 2),
        (DecisionsError("x"), 2),
        (MissingBinaryError("x"), 2),
        (ServiceError("x"), 3),
        (PushError("x"), 3),
        (PrometheusAPIError("x"), 3),
    ],
)
def test_exit_codes_follow_the_tree(error: GlassboxError, code: int) -> None:
    assert error.exit_code == code


def test_subpackages_re_export_the_same_classes() -> None:
    from glassbox import demo, drift, evals, mixin, simulator, stack

    assert mixin.DecisionsError is DecisionsError
    assert stack.StackError is StackError
    assert stack.MissingBinaryError is MissingBinaryError
    assert drift.PushError is PushError is evals.PushError
    assert demo.DemoError is exceptions.DemoError
    assert simulator.FaultsError is exceptions.FaultsError
    assert glassbox.ConfigError is ConfigError


def test_config_error_names_the_value_and_what_is_expected() -> None:
    error = ConfigError("--prometheus", "not-a-url", "an http(s) URL")
    assert str(error) == "invalid --prometheus=not-a-url: expected an http(s) URL"
    assert (error.setting, error.value) == ("--prometheus", "not-a-url")
