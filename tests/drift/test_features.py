from __future__ import annotations

import pytest

from glassbox.drift import OUTPUT_FEATURES, is_refusal, output_features


def test_refusals_are_detected_by_the_documented_phrases() -> None:
    assert is_refusal("I’m sorry, but I can’t help with that request.")
    assert is_refusal("As an AI language model, I cannot provide medical advice.")
    assert not is_refusal("Sure! Here is the summary you asked for.")
    assert not is_refusal("x" * 400 + " I cannot help with that")  # beyond the opening


def test_output_features_of_sampled_responses() -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    texts = [
        '{"status": "ok"}',
        "I am unable to do that.",
        "This is a wonderful, excellent answer!",
        "Ceci est une réponse en français, avec des phrases complètes.",
        None,
    ]
    columns = output_features(texts, prefix="response")
    assert list(columns) == [f"response.{name}" for name in OUTPUT_FEATURES]
    assert columns["response.length"] == [16.0, 23.0, 38.0, 61.0, 0.0]
    assert columns["response.json_valid"] == ["true", "false", "false", "false", "false"]
    assert columns["response.refusal"] == ["false", "true", "false", "false", "false"]
    assert columns["response.language"][2:] == ["en", "fr", "und"]
    analyzer = SentimentIntensityAnalyzer()
    assert columns["response.sentiment"][2] == analyzer.polarity_scores(texts[2])["compound"] > 0.5


def test_output_features_subset_and_unknown_names() -> None:
    assert list(output_features(["a"], features=("length",))) == ["length"]
    with pytest.raises(ValueError, match="unknown output features"):
        output_features(["a"], features=("toxicity",))
