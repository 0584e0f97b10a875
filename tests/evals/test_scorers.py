from __future__ import annotations

import pytest

from glassbox.evals import accuracy, exact_match, f1, normalize, recall_at_k


def test_normalize_follows_squad() -> None:
    assert normalize("The  Pushgateway!") == "pushgateway"
    assert normalize("an Apple, a day") == "apple day"


def test_exact_match_normalises_and_accepts_any_answer() -> None:
    assert exact_match("the Pushgateway.", "Pushgateway") == 1.0
    assert exact_match("Loki", ["Tempo", "loki"]) == 1.0
    assert exact_match("Loki", "Tempo") == 0.0


def test_accuracy_is_strict() -> None:
    assert accuracy(" positive ", "positive") == 1.0
    assert accuracy("Positive", "positive") == 0.0
    assert accuracy(3, 3) == 1.0


def test_f1_is_token_overlap() -> None:
    # predicted {prometheus, pushgateway} vs gold {pushgateway}: P=1/2, R=1 → 2/3
    assert f1("Prometheus Pushgateway", "the Pushgateway") == pytest.approx(2 / 3)
    assert f1("a", "the") == 1.0  # both empty after normalisation
    assert f1("x", ["y", "x z"]) == pytest.approx(2 / 3)
    assert f1("x", "y") == 0.0


def test_recall_at_k_counts_only_the_first_k() -> None:
    assert recall_at_k(["d1", "d2", "d3"], ["d3", "d9"], k=3) == 0.5
    assert recall_at_k(["d1", "d2", "d3"], ["d3"], k=2) == 0.0
    assert recall_at_k(["d1"], [], k=1) == 1.0
