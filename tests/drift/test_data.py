"""Data files and windows become feature columns."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from glassbox.drift import DataError, Window, read_columns


def test_npy_one_and_two_dimensional(tmp_path: Path) -> None:
    np.save(tmp_path / "v.npy", np.arange(5.0))
    np.save(tmp_path / "e.npy", np.ones((3, 4)))
    assert read_columns(tmp_path / "v.npy")["value"].tolist() == [0, 1, 2, 3, 4]
    assert read_columns(tmp_path / "e.npy")["embedding"].shape == (3, 4)
    np.save(tmp_path / "t.npy", np.ones((2, 2, 2)))
    with pytest.raises(DataError, match="1-D or 2-D"):
        read_columns(tmp_path / "t.npy")


def test_csv_numeric_and_categorical_columns(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("latency,model\n0.5,a\n,b\n2,a\n")
    columns = read_columns(tmp_path / "d.csv")
    assert columns == {"latency": [0.5, None, 2.0], "model": ["a", "b", "a"]}


def test_jsonl_embeddings_and_text_fields(tmp_path: Path) -> None:
    rows = [
        {"e": [0.0, 1.0], "response": "Hello there", "n": 1},
        {"e": [1.0, 0.0], "response": "{}", "n": 2},
    ]
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    columns = read_columns(tmp_path / "d.jsonl", text_fields=["response"])
    assert columns["e"].shape == (2, 2)
    assert columns["n"] == [1, 2]
    assert "response" not in columns
    assert columns["response.json_valid"] == ["false", "true"]
    with pytest.raises(DataError, match="text field 'answer' not found"):
        read_columns(tmp_path / "d.jsonl", text_fields=["answer"])


def test_bad_files_name_the_problem(tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_text('{"a": 1}\nnot json\n')
    with pytest.raises(DataError, match=r"d.jsonl:2: invalid JSON"):
        read_columns(tmp_path / "d.jsonl")
    with pytest.raises(DataError, match=r"unsupported file type '\.parquet'"):
        read_columns(tmp_path / "d.parquet")
    with pytest.raises(DataError, match="cannot read"):
        read_columns(tmp_path / "missing.csv")


def test_window_by_count_keeps_the_latest_rows() -> None:
    window = Window(max_rows=3)
    for i in range(5):
        window.add({"x": float(i), "e": [i, i]})
    columns = window.columns()
    assert columns["x"] == [2.0, 3.0, 4.0]
    assert columns["e"].shape == (3, 2)


def test_window_by_time_drops_old_rows() -> None:
    now = [100.0]
    window = Window(max_age=10, clock=lambda: now[0])
    window.add({"x": 1.0}, at=85.0)
    window.add({"x": 2.0}, at=95.0)
    window.add({"x": 3.0})
    assert window.columns()["x"] == [2.0, 3.0]
    now[0] = 106.0
    assert len(window) == 1
    with pytest.raises(ValueError, match="max_rows, max_age"):
        Window()


def test_npy_of_strings_is_one_categorical_feature(tmp_path: Path) -> None:
    np.save(tmp_path / "u.npy", np.array(["en", "de", "en"]))
    np.save(tmp_path / "b.npy", np.array([b"en", b"fr"]))
    assert read_columns(tmp_path / "u.npy") == {"value": ["en", "de", "en"]}
    assert read_columns(tmp_path / "b.npy") == {"value": ["en", "fr"]}
    np.save(tmp_path / "o.npy", np.array(["en", None], dtype=object))
    with pytest.raises(
        DataError, match=r"o\.npy: not a \.npy array readable without pickle .*dtype=str"
    ):
        read_columns(tmp_path / "o.npy")
    np.save(tmp_path / "s2.npy", np.array([["a", "b"]]))
    with pytest.raises(DataError, match="1-D array of strings"):
        read_columns(tmp_path / "s2.npy")
