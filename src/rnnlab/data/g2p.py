"""Grapheme-to-phoneme metrics: phoneme error rate (edit distance) and word error rate.

A word may have several listed pronunciations. Its prediction is scored against the closest
one: the fewest edits (insertions, deletions, substitutions), ties going to the shorter
reference. Then, over all words::

    PER = sum of those edit distances / sum of the chosen references' lengths
    WER = share of words whose prediction is exactly one of their pronunciations

(Yao & Zweig 2015 score the same way; the pronunciations are stress-free.)
"""

from __future__ import annotations

from collections.abc import Sequence


def edit_distance(a: Sequence[str], b: Sequence[str]) -> int:
    """Levenshtein distance between two sequences (every edit costs 1)."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def closest(prediction: Sequence[str], references: Sequence[Sequence[str]]) -> tuple[int, int]:
    """(edit distance, reference length) of the closest reference (ties: the shorter one)."""
    return min((edit_distance(prediction, r), len(r)) for r in references)


def g2p_scores(
    predictions: Sequence[Sequence[str]], references: Sequence[Sequence[Sequence[str]]]
) -> dict[str, float]:
    """``per`` and ``wer`` (fractions) of predictions against each word's pronunciations."""
    if len(predictions) != len(references) or not predictions:
        raise ValueError(
            f"predictions: expected one per word ({len(references)}), got {len(predictions)}"
        )
    edits = length = wrong = 0
    for prediction, refs in zip(predictions, references, strict=True):
        distance, n = closest(tuple(prediction), [tuple(r) for r in refs])
        edits, length = edits + distance, length + n
        wrong += distance > 0
    return {"per": edits / length, "wer": wrong / len(predictions)}
