"""`train_tagger` end to end on a small corpus written here: it learns, keeps the best
validation parameters, and reports beside what it measured."""

from __future__ import annotations

import numpy as np

from rnnlab.data.tag_baselines import baseline_scores
from rnnlab.data.tagger_train import TaggerSettings, tag_sentences, train_tagger
from rnnlab.data.tagging import build_vocab

NOUNS = ["dog", "cat", "walk", "run", "book"]
VERBS = ["walk", "run", "book", "sees", "likes"]


def _corpus(rng: np.random.Generator, n: int):
    """DET NOUN VERB DET NOUN, where walk/run/book are nouns after "the" and verbs after a
    noun: the word alone is ambiguous, its left neighbour decides."""
    out = []
    for _ in range(n):
        a, b = rng.choice(NOUNS, size=2)
        v = rng.choice(VERBS)
        out.append((("the", a, v, "the", b), ("DET", "NOUN", "VERB", "DET", "NOUN")))
    return out


def test_train_tagger_learns_context_beyond_the_most_frequent_tag() -> None:
    rng = np.random.default_rng(0)
    splits = {"train": _corpus(rng, 300), "valid": _corpus(rng, 40), "test": _corpus(rng, 40)}
    vocab = build_vocab(splits["train"], min_count=1)
    settings = TaggerSettings(
        hidden=8, word_dim=8, suffix_dim=2, shape_dim=2, epochs=4, eval_every=10, lr=0.02,
        batch=16, dtype="float64",
    )  # fmt: skip
    tagger, result = train_tagger(splits, vocab, settings)
    baselines = baseline_scores(splits["train"], splits["test"])
    assert result["metric"] == result["test"]["accuracy"] > 0.99
    assert baselines["most_frequent_tag"]["accuracy"] < 0.95  # ambiguous words cost it
    best = max(result["history"], key=lambda r: r["valid_accuracy"])
    assert (
        result["best_step"] == best["step"]
        and result["valid"]["accuracy"] == best["valid_accuracy"]
    )
    assert tag_sentences(tagger, vocab, [["the", "dog", "walk", "the", "book"]]) == [
        ["DET", "NOUN", "VERB", "DET", "NOUN"]
    ]
