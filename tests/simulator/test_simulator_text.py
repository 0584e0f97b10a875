from __future__ import annotations

import random

from glassbox.simulator import PromptCache, count_tokens, tokenize
from glassbox.simulator._text import embedding_vector, generate_pieces, tool_arguments


def test_tokens_follow_the_documented_rule() -> None:
    assert tokenize("Hello, world!") == ["Hello", ",", "world", "!"]
    assert tokenize("internationalisation") == ["inte", "rnat", "iona", "lisa", "tion"]
    assert count_tokens("") == 0


def test_generated_pieces_are_exactly_the_counted_tokens() -> None:
    pieces = generate_pieces(random.Random(5), 57, ["budget", "vote"])
    assert len(pieces) == 57
    assert count_tokens("".join(pieces)) == 57


def test_generation_is_deterministic_per_seed() -> None:
    assert generate_pieces(random.Random(9), 30) == generate_pieces(random.Random(9), 30)
    assert generate_pieces(random.Random(9), 30) != generate_pieces(random.Random(10), 30)


def test_embeddings_are_unit_vectors_equal_for_equal_text() -> None:
    a = embedding_vector("same text", 64, seed=1)
    assert a == embedding_vector("same text", 64, seed=1)
    assert a != embedding_vector("other text", 64, seed=1)
    assert abs(sum(v * v for v in a) - 1.0) < 1e-4


def test_tool_arguments_fill_required_fields_by_type() -> None:
    schema = {
        "type": "object",
        "properties": {
            "q": {"type": "string"},
            "n": {"type": "integer"},
            "mode": {"enum": ["a", "b"]},
        },
        "required": ["q", "n", "mode"],
    }
    args = tool_arguments(random.Random(1), schema)
    assert isinstance(args["q"], str)
    assert isinstance(args["n"], int)
    assert args["mode"] in ("a", "b")


def test_prompt_cache_hits_the_longest_seen_block_prefix() -> None:
    cache = PromptCache(block_tokens=4, min_tokens=8)
    prefix = [f"t{i}" for i in range(12)]
    assert cache.lookup("m", [*prefix, "x", "y"], store=True) == (0, 12)
    # Same 12-token prefix, different tail: the three full blocks hit.
    assert cache.lookup("m", [*prefix, "z"], store=True) == (12, 0)
    # Another model has its own cache; prompts shorter than the minimum never hit.
    assert cache.lookup("other", prefix, store=False) == (0, 0)
    assert cache.lookup("m", prefix[:6], store=True) == (0, 0)
