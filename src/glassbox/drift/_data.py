"""Reading reference and current data files into columns.

``.npy``: a 1-D numeric array is one scalar feature named ``value``, a 1-D array of
strings (``dtype=str`` or bytes) one categorical feature named ``value``; a 2-D array
is one embedding feature named ``embedding``. ``.csv``: one feature per column, numeric when
every non-empty cell parses as a number. ``.jsonl``: one object per line, one feature per
key; numbers are scalar, lists of numbers are embeddings, anything else is a category.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from glassbox.drift._features import output_features
from glassbox.exceptions import DataError

__all__ = ["DataError", "expand_text", "read_columns"]


def read_columns(path: str | Path, *, text_fields: Sequence[str] = ()) -> dict[str, Any]:
    """Read a data file into feature columns.

    Args:
        path: A ``.npy``, ``.csv`` or ``.jsonl`` file.
        text_fields: Fields holding raw responses; each is replaced by its output
            features (``FIELD.length``, ``FIELD.language``, …).

    Returns:
        Feature name → values.

    Raises:
        DataError: Unknown extension, unreadable file, or a text field that is absent.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".npy":
            columns = _read_npy(path)
        elif suffix == ".csv":
            columns = _read_csv(path)
        elif suffix in (".jsonl", ".ndjson"):
            columns = _read_jsonl(path)
        else:
            raise DataError(
                f"{path}: unsupported file type {suffix or '(none)'!r}; use .npy, .csv or .jsonl "
                "(or a profile saved by `glassbox drift profile`)"
            )
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text; expected a {suffix} file") from None
    except csv.Error as exc:
        raise DataError(f"{path}: not valid CSV ({exc})") from None
    if not columns:
        raise DataError(f"{path}: no data")
    return expand_text(columns, text_fields, source=str(path))


def expand_text(
    columns: dict[str, Any], text_fields: Sequence[str], *, source: str = "data"
) -> dict[str, Any]:
    """Replace each text field by its output features (see :func:`output_features`)."""
    out = dict(columns)
    for field in text_fields:
        if field not in out:
            raise DataError(
                f"{source}: text field {field!r} not found; fields are {sorted(columns)}"
            )
        out.update(output_features(out.pop(field), prefix=field))
    return out


def _read_npy(path: Path) -> dict[str, Any]:
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, EOFError) as exc:  # EOFError: an empty or cut-off file
        raise DataError(
            f"{path}: not a .npy array readable without pickle ({exc}); save numbers, or "
            "strings as a fixed-width array: np.save(path, np.asarray(values, dtype=str))"
        ) from exc
    if array.dtype.kind in "US" and array.ndim == 1:
        strings = np.char.decode(array, "utf-8") if array.dtype.kind == "S" else array
        return {"value": [str(value) for value in strings.tolist()]}
    if array.dtype.kind not in "biuf":
        raise DataError(
            f"{path}: arrays of dtype {array.dtype} are not drift data; use numbers "
            "(1-D scalar, 2-D embeddings) or a 1-D array of strings (categories)"
        )
    if array.ndim == 1:
        return {"value": array.astype(np.float64)}
    if array.ndim == 2:
        return {"embedding": array.astype(np.float32)}
    raise DataError(f"{path}: expected a 1-D or 2-D array, got shape {array.shape}")


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _read_csv(path: Path) -> dict[str, Any]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        raw: dict[str, list[str]] = {name: [] for name in reader.fieldnames or ()}
        for row in reader:
            for name in raw:
                raw[name].append((row.get(name) or "").strip())
    columns: dict[str, Any] = {}
    for name, cells in raw.items():
        present = [cell for cell in cells if cell]
        if present and all(_number(cell) is not None for cell in present):
            columns[name] = [_number(cell) if cell else None for cell in cells]
        else:
            columns[name] = cells
    return columns


def _read_jsonl(path: Path) -> dict[str, Any]:
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise DataError(f"{path}:{number}: invalid JSON ({exc})") from exc
            if not isinstance(record, dict):
                raise DataError(f"{path}:{number}: expected a JSON object per line")
            records.append(record)
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
    columns: dict[str, Any] = {}
    for name in names:
        values = [record.get(name) for record in records]
        if values and all(isinstance(v, list) for v in values):
            try:
                columns[name] = np.asarray(values, dtype=np.float32)
            except ValueError as exc:
                raise DataError(f"{path}: field {name!r} mixes embedding lengths ({exc})") from exc
        else:
            columns[name] = values
    return columns
