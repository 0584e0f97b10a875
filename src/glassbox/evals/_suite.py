"""Eval suites defined in YAML.

.. code-block:: yaml

    name: qa-smoke                 # the ``suite`` label
    dataset: qa.jsonl              # relative to this file: .jsonl, .json (a list) or .csv
    task: qa_task.py:answer        # FILE.py:function or package.module:function
    concurrency: 4                 # examples in flight at once
    baseline: qa-baseline.json     # optional: an earlier report to compare against
    scorers:
      - {name: exact_match, type: exact_match, expected: answer}
      - {name: f1, type: f1, expected: answer}
      - {name: recall_at_3, type: recall_at_k, k: 3, expected: relevant, output: retrieved}
      - {name: concise, type: custom, function: qa_task.py:concise}

A task takes one example (a dict) and returns the output, sync or ``async``. ``output``
picks a key of a dict output; ``expected`` names the example field holding the answer.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import io
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from glassbox.evals import _scorers
from glassbox.exceptions import SuiteError

__all__ = ["ScorerSpec", "Suite", "SuiteError", "load_callable", "load_suite"]


@dataclass(frozen=True)
class ScorerSpec:
    """One scorer of a suite.

    Attributes:
        name: The ``eval_metric`` label.
        type: A built-in type (see :mod:`glassbox.evals._scorers`) or ``custom``.
        expected: Example field with the expected value.
        output: Key of a dict output to score; the whole output when ``None``.
        k: Cut-off of ``recall_at_k``.
        function: The callable of a ``custom`` scorer.
    """

    name: str
    type: str
    expected: str = "expected"
    output: str | None = None
    k: int = 0
    function: Callable[..., Any] | None = None

    def score(self, output: Any, example: dict[str, Any]) -> float:
        """Score one output; raises :class:`SuiteError` when the value leaves ``[0, 1]``."""
        value = output[self.output] if self.output is not None else output
        if self.type == "custom":
            assert self.function is not None
            result = float(self.function(value, example))
        else:
            expected = example.get(self.expected)
            if self.type == "exact_match":
                result = _scorers.exact_match(value, expected)
            elif self.type == "accuracy":
                result = _scorers.accuracy(value, expected)
            elif self.type == "f1":
                result = _scorers.f1(value, expected)
            else:
                result = _scorers.recall_at_k(value, expected or (), self.k)
        if not 0.0 <= result <= 1.0:
            raise SuiteError(f"scorer {self.name!r} returned {result}; scores must be in [0, 1]")
        return result


@dataclass(frozen=True)
class Suite:
    """A loaded suite: examples, task and scorers.

    Attributes:
        name: Suite name (the ``suite`` label).
        examples: The dataset rows.
        task: Produces the output of one example.
        scorers: How outputs are scored.
        concurrency: Examples run at once.
        baseline: An earlier report to compare against, if any.
        path: The YAML file.
    """

    name: str
    examples: list[dict[str, Any]]
    task: Callable[[dict[str, Any]], Any]
    scorers: tuple[ScorerSpec, ...]
    concurrency: int = 4
    baseline: Path | None = None
    path: Path | None = None


def load_callable(reference: str, base: Path) -> Callable[..., Any]:
    """Resolve ``FILE.py:name`` (relative to ``base``) or ``package.module:name``.

    Raises:
        SuiteError: Malformed reference, missing file or module, or missing attribute.
    """
    module_part, _, attribute = reference.partition(":")
    if not module_part or not attribute:
        raise SuiteError(
            f"callable {reference!r} must look like 'file.py:function' or 'module:function'"
        )
    if module_part.endswith(".py"):
        file = (base / module_part).resolve()
        if not file.is_file():
            raise SuiteError(f"callable {reference!r}: file {file} does not exist")
        module_name = f"glassbox_eval_{file.stem}_{abs(hash(str(file)))}"
        module = sys.modules.get(module_name)
        if module is None:
            spec = importlib.util.spec_from_file_location(module_name, file)
            if spec is None or spec.loader is None:
                raise SuiteError(f"callable {reference!r}: cannot import {file}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            try:
                spec.loader.exec_module(module)
            except Exception as exc:  # the user's file: report it, do not crash the CLI
                del sys.modules[module_name]
                raise SuiteError(
                    f"callable {reference!r}: importing {file} failed: {type(exc).__name__}: {exc}"
                ) from exc
    else:
        try:
            module = importlib.import_module(module_part)
        except ImportError as exc:
            raise SuiteError(
                f"callable {reference!r}: cannot import {module_part!r} ({exc})"
            ) from exc
    function = getattr(module, attribute, None)
    if not callable(function):
        raise SuiteError(f"callable {reference!r}: {module_part} has no function {attribute!r}")
    return function  # type: ignore[no-any-return]


def _read_dataset(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise SuiteError(f"dataset {path} does not exist")
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".ndjson", ".json", ".csv"):
        raise SuiteError(f"dataset {path}: unsupported type {suffix!r}; use .jsonl, .json or .csv")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SuiteError(f"dataset {path} is not UTF-8 text; expected {suffix[1:]}") from None
    if suffix in (".jsonl", ".ndjson"):
        rows = [_json_line(line, path, number) for number, line in enumerate(text.splitlines(), 1)]
        rows = [row for row in rows if row is not None]
    elif suffix == ".json":
        try:
            rows = json.loads(text)
        except ValueError as exc:
            raise SuiteError(f"dataset {path} is not valid JSON: {exc}") from None
    else:
        try:
            rows = list(csv.DictReader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise SuiteError(f"dataset {path} is not valid CSV: {exc}") from None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise SuiteError(f"dataset {path}: expected a list of objects")
    if not rows:
        raise SuiteError(f"dataset {path} is empty")
    return rows


def _json_line(line: str, path: Path, number: int) -> Any:
    """One JSONL row (``None`` for a blank line); names the line when it is not JSON."""
    if not line.strip():
        return None
    try:
        return json.loads(line)
    except ValueError as exc:
        raise SuiteError(
            f"dataset {path}, line {number}: not a JSON object ({exc}); "
            "expected one JSON object per line"
        ) from None


def _integer(data: dict[str, Any], key: str, default: int, where: str) -> int:
    """``data[key]`` as an int (``default`` when absent); names the key when it is not one."""
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SuiteError(f"{where}: {key} = {value!r}; expected a whole number")
    try:
        return int(value)
    except ValueError:
        raise SuiteError(f"{where}: {key} = {value!r}; expected a whole number") from None


def _scorer(entry: Any, base: Path, source: Path) -> ScorerSpec:
    if not isinstance(entry, dict) or "name" not in entry:
        raise SuiteError(f"{source}: each scorer needs at least a name, got {entry!r}")
    kind = str(entry.get("type", entry["name"]))
    if kind not in (*_scorers.BUILTIN_SCORERS, "custom"):
        raise SuiteError(
            f"{source}: scorer {entry['name']!r} has unknown type {kind!r}; "
            f"use one of {', '.join(_scorers.BUILTIN_SCORERS)} or custom"
        )
    function = None
    if kind == "custom":
        if "function" not in entry:
            raise SuiteError(
                f"{source}: custom scorer {entry['name']!r} needs 'function: file.py:name'"
            )
        function = load_callable(str(entry["function"]), base)
    k = _integer(entry, "k", 0, f"{source}: scorer {entry['name']!r}")
    if kind == "recall_at_k" and k < 1:
        raise SuiteError(f"{source}: scorer {entry['name']!r} (recall_at_k) needs k >= 1")
    return ScorerSpec(
        str(entry["name"]), kind, str(entry.get("expected", "expected")),
        entry.get("output"), k, function,
    )  # fmt: skip


def load_suite(path: str | Path) -> Suite:
    """Load and validate a suite YAML file (dataset, task and scorers resolved).

    Raises:
        SuiteError: Anything missing or malformed, with the file and the key.
    """
    source = Path(path)
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SuiteError(f"cannot read suite {source}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError:
        raise SuiteError(f"suite {source} is not UTF-8 text; expected a YAML file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "a syntax error"
        raise SuiteError(f"{source} is not valid YAML: {problem}{where}") from None
    if not isinstance(data, dict):
        raise SuiteError(f"{source}: expected a mapping with name, dataset, task and scorers")
    for key in ("name", "dataset", "task", "scorers"):
        if key not in data:
            raise SuiteError(f"{source}: missing required key {key!r}")
    base = source.parent
    scorers = data["scorers"]
    if not isinstance(scorers, list) or not scorers:
        raise SuiteError(f"{source}: 'scorers' must be a non-empty list")
    specs = tuple(_scorer(entry, base, source) for entry in scorers)
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise SuiteError(f"{source}: scorer names must be unique, got {names}")
    concurrency = _integer(data, "concurrency", 4, str(source))
    if concurrency < 1:
        raise SuiteError(f"{source}: concurrency must be at least 1, got {concurrency}")
    baseline = data.get("baseline")
    return Suite(
        str(data["name"]),
        _read_dataset(base / str(data["dataset"])),
        load_callable(str(data["task"]), base),
        specs,
        concurrency,
        (base / str(baseline)) if baseline else None,
        source,
    )
