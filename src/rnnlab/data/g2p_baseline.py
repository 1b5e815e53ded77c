"""The simple G2P baseline: say a new word as the training word spelled most like it.

For each word, the training word with the fewest letter edits (Levenshtein) among those with
the same first letter, ties to the alphabetically first, and its first listed pronunciation.
A memory-based guess with no model of letters and sounds: what any learnt G2P must beat.
The edit distances to all candidates of one length are computed at once, one row of the
dynamic programme per query letter; lengths are visited nearest first and the search stops
when the length difference alone exceeds the best distance found (an equal one may still tie).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .cmudict import Lexicon

Array = np.ndarray


def _codes(words: list[str]) -> Array:
    return np.array([[ord(c) for c in w] for w in words], dtype=np.int32)


class SpellingNeighbour:
    """Nearest training word by spelling, within the same first letter (see module docstring)."""

    def __init__(self, lexicon: Lexicon, train_words: list[str]) -> None:
        self.lexicon = lexicon
        grouped: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in sorted(train_words):
            grouped[(word[0], len(word))].append(word)
        self.groups = {key: (words, _codes(words)) for key, words in grouped.items()}

    @staticmethod
    def distances(queries: Array, candidates: Array) -> Array:
        """Edit distances (Q, C) from each row of ``queries`` (Q, m) to each row of
        ``candidates`` (C, L), letter codes: one DP row per query letter, for all pairs."""
        (Q, m), (C, L) = queries.shape, candidates.shape
        prev = np.broadcast_to(np.arange(L + 1, dtype=np.int32), (Q, C, L + 1)).copy()
        for i in range(1, m + 1):
            cur = np.empty_like(prev)
            cur[:, :, 0] = i
            diag = prev[:, :, :-1] + (candidates[None] != queries[:, i - 1, None, None])
            up = prev[:, :, 1:] + 1  # delete the query's letter
            np.minimum(diag, up, out=diag)
            for j in range(1, L + 1):  # insert a letter: left to right within the row
                np.minimum(diag[:, :, j - 1], cur[:, :, j - 1] + 1, out=cur[:, :, j])
            prev = cur
        return prev[:, :, L]

    def _nearest(self, words: list[str]) -> list[str | None]:
        """Nearest neighbours of words sharing one first letter and one length."""
        first, m = words[0][0], len(words[0])
        queries = _codes(words)
        best = np.full(len(words), np.iinfo(np.int32).max)
        found: list[str | None] = [None] * len(words)
        for delta in sorted(range(1 - m, 30), key=abs):
            if np.all(best < abs(delta)):  # no farther length can tie
                break
            group = self.groups.get((first, m + delta))
            if group is None:
                continue
            d = self.distances(queries, group[1])  # (Q, C); argmin: alphabetical tie-break
            k = d.argmin(axis=1)
            dk = d[np.arange(len(words)), k]
            for q in range(len(words)):
                word = group[0][k[q]]
                if dk[q] < best[q] or (dk[q] == best[q] and word < found[q]):
                    best[q], found[q] = dk[q], word
        return found

    def predict(self, words: list[str]) -> list[tuple[str, ...]]:
        """The pronunciation of each word's nearest training word (first listed)."""
        by_group: dict[tuple[str, int], list[int]] = defaultdict(list)
        for n, word in enumerate(words):
            by_group[(word[0], len(word))].append(n)
        out: list[tuple[str, ...]] = [()] * len(words)
        for indices in by_group.values():
            for start in range(0, len(indices), 32):
                chunk = indices[start : start + 32]
                for n, near in zip(chunk, self._nearest([words[i] for i in chunk]), strict=True):
                    out[n] = self.lexicon[near][0] if near is not None else ()
        return out
