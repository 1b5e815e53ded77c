"""Tagged sentences as model input: the feature vocabulary, token ids, and padded batches.

Every token becomes G = 5 categorical ids (`FEATURES`), each looked up in its own embedding
table (`rnnlab.models.embedding`):

* ``word``: the lower-cased word, if it occurs at least ``min_count`` times (default 2) in the
  training sentences; otherwise id 0, "unknown". Training singletons are unknown too, so the
  unknown row is learnt from rare words, the ones most like the unseen words of the test set.
* ``suffix1``, ``suffix2``, ``suffix3``: the last 1, 2, 3 characters of the lower-cased word
  (the whole word if shorter), each a vocabulary of the training suffixes (0: unseen).
* ``shape``: capitalisation (no letter / lower / Title / UPPER / mixed) x contains a digit x
  contains a hyphen: 20 classes, fixed.

Id 0 of every feature means unknown; padding steps also hold 0 (the loss and the embedding's
gradient skip them). Tags are numbered in sorted order of the training tag set.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .tagged_files import Sentence

FEATURES = ("word", "suffix1", "suffix2", "suffix3", "shape")
# Embedding widths (word, each suffix, shape) and the word vocabulary's count threshold.
FEATURE_DEFAULTS = {"word_dim": 64, "suffix_dim": 16, "shape_dim": 8, "min_count": 2}
SHAPES = 20
_SUFFIX_LENGTHS = (1, 2, 3)


def shape_id(word: str) -> int:
    """Capitalisation (0 none, 1 lower, 2 Title, 3 UPPER, 4 mixed) * 4 + digit * 2 + hyphen."""
    letters = [c for c in word if c.isalpha()]
    if not letters:
        case = 0
    elif all(c.islower() for c in letters):
        case = 1
    elif all(c.isupper() for c in letters):
        case = 3 if len(letters) > 1 else 2
    elif letters[0].isupper() and all(c.islower() for c in letters[1:]):
        case = 2
    else:
        case = 4
    return case * 4 + any(c.isdigit() for c in word) * 2 + ("-" in word)


@dataclass
class TagVocab:
    """The training vocabularies of every feature and of the tags (saved with a run)."""

    words: list[str]
    suffixes: list[list[str]]  # one list per suffix length 1, 2, 3
    tags: list[str]
    min_count: int = 2
    _index: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        tables = {"word": self.words, "tag": self.tags}
        for n, values in zip(_SUFFIX_LENGTHS, self.suffixes, strict=True):
            tables[f"suffix{n}"] = values
        offset = {"tag": 0}  # words and suffixes start at 1: 0 is unknown
        self._index = {
            name: {v: i + offset.get(name, 1) for i, v in enumerate(values)}
            for name, values in tables.items()
        }

    @property
    def sizes(self) -> tuple[int, ...]:
        """Embedding rows of each feature (unknown row included)."""
        return (len(self.words) + 1, *(len(s) + 1 for s in self.suffixes), SHAPES)

    def encode_words(self, words: Sequence[str]) -> np.ndarray:
        """(T, G) int64 ids of one sentence."""
        out = np.zeros((len(words), len(FEATURES)), dtype=np.int64)
        for t, word in enumerate(words):
            low = word.lower()
            out[t, 0] = self._index["word"].get(low, 0)
            for g, n in enumerate(_SUFFIX_LENGTHS, start=1):
                out[t, g] = self._index[f"suffix{n}"].get(low[-n:], 0)
            out[t, 4] = shape_id(word)
        return out

    def encode_tags(self, tags: Sequence[str], unknown: int | None = None) -> np.ndarray:
        """Tag ids; a tag not seen in training is an error, or ``unknown`` if one is given."""
        index = self._index["tag"]
        if unknown is None:
            missing = [t for t in tags if t not in index]
            if missing:
                raise ValueError(f"tags: {missing[0]!r} is not a tag of the training sentences")
        return np.array([index.get(t, unknown) for t in tags], dtype=np.int64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "words": self.words,
            "suffixes": self.suffixes,
            "tags": self.tags,
            "min_count": self.min_count,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TagVocab:
        return cls(data["words"], data["suffixes"], data["tags"], data["min_count"])


def build_vocab(train: Sequence[Sentence], min_count: int = 2) -> TagVocab:
    """Vocabularies from the training sentences (in order of first occurrence)."""
    words = Counter(w.lower() for ws, _ in train for w in ws)
    suffixes = [
        list(dict.fromkeys(w.lower()[-n:] for ws, _ in train for w in ws)) for n in _SUFFIX_LENGTHS
    ]
    tags = sorted({t for _, ts in train for t in ts})
    return TagVocab([w for w, c in words.items() if c >= min_count], suffixes, tags, min_count)


@dataclass
class EncodedSentences:
    """Sentences as id arrays, ready to batch."""

    ids: list[np.ndarray]  # (T_i, G) each
    tags: list[np.ndarray] | None  # (T_i,) each; None when the tags are not needed

    @property
    def lengths(self) -> np.ndarray:
        return np.array([len(x) for x in self.ids], dtype=np.int64)


def encode(
    sentences: Sequence[Sentence], vocab: TagVocab, with_tags: bool = True
) -> EncodedSentences:
    """Every sentence's (T, G) ids, and its tag ids if ``with_tags``."""
    return EncodedSentences(
        [vocab.encode_words(words) for words, _ in sentences],
        [vocab.encode_tags(tags) for _, tags in sentences] if with_tags else None,
    )


def pad(
    ids: Sequence[np.ndarray], tags: Sequence[np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """(ids (N, T, G), tags (N, T) or None, lengths (N,)): right-padded with 0 (tags with -1)."""
    lengths = np.array([len(x) for x in ids], dtype=np.int64)
    N, T = len(ids), int(lengths.max(initial=1))
    out = np.zeros((N, T, ids[0].shape[1] if N else len(FEATURES)), dtype=np.int64)
    out_tags = None if tags is None else np.full((N, T), -1, dtype=np.int64)
    for n, x in enumerate(ids):
        out[n, : len(x)] = x
        if out_tags is not None:
            out_tags[n, : len(x)] = tags[n]
    return out, out_tags, lengths


def length_buckets(
    lengths: np.ndarray, batch: int, rng: np.random.Generator, pool: int = 50
) -> Iterator[np.ndarray]:
    """One epoch of batch indices: shuffled, then sorted by length within pools of
    ``pool * batch`` sentences (so a batch pads little), batches in random order."""
    order = rng.permutation(len(lengths))
    batches = []
    for start in range(0, len(order), pool * batch):
        chunk = order[start : start + pool * batch]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i : i + batch] for i in range(0, len(chunk), batch)]
    for k in rng.permutation(len(batches)):
        yield batches[k]


def batches_in_order(lengths: np.ndarray, batch: int) -> Iterator[np.ndarray]:
    """Evaluation batches: sentences sorted by length (little padding), every one once."""
    order = np.argsort(lengths, kind="stable")
    for i in range(0, len(order), batch):
        yield order[i : i + batch]
