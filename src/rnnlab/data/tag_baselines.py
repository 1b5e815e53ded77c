"""The tagging metrics and the two count-based baselines every tagger is compared with.

* `MostFrequentTagger`: each training word's most frequent tag; a word not seen in training gets
  the most frequent tag overall (the "most-frequent-tag" baseline of the POS literature).
* `BackoffTagger`: the NLTK book's (ch. 5, sec. 5.4) combination
  ``BigramTagger(train, backoff=UnigramTagger(train, backoff=DefaultTagger(most frequent)))``,
  written out here, NLTK's training rule included: a context (the word, or the previous tag
  and the word) is kept only if the tagger below it got that context wrong at least once in
  training, and then with its most frequent tag (first seen wins a tie, as ``FreqDist.max``).
  At tagging time the previous tag is the tagger's *own* previous guess.

Metrics (`tag_accuracy`): token accuracy over every token, and over the tokens whose word form
(case kept) never occurs in the training sentences ("unseen").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from .tagged_files import Sentence

Context = tuple[str | None, str]


def most_frequent_overall(train: Sequence[Sentence]) -> str:
    """The most frequent tag of the training tokens (first seen wins a tie)."""
    return Counter(t for _, tags in train for t in tags).most_common(1)[0][0]


def _best(counts: dict[object, Counter]) -> dict[object, str]:
    return {key: c.most_common(1)[0][0] for key, c in counts.items()}


class MostFrequentTagger:
    """Each word's most frequent training tag; unseen words get the most frequent tag overall."""

    def __init__(self, train: Sequence[Sentence]) -> None:
        counts: dict[object, Counter] = {}
        for words, tags in train:
            for w, t in zip(words, tags, strict=True):
                counts.setdefault(w, Counter())[t] += 1
        self.table = _best(counts)
        self.default = most_frequent_overall(train)

    def tag(self, words: Sequence[str]) -> list[str]:
        return [self.table.get(w, self.default) for w in words]


class BackoffTagger:
    """NLTK's bigram -> unigram -> default backoff tagger, trained on ``train`` (module doc)."""

    def __init__(self, train: Sequence[Sentence]) -> None:
        self.default = most_frequent_overall(train)
        self.unigram: dict[object, str] = {}
        self.bigram: dict[object, str] = {}
        self.unigram = self._train(train, lambda words, i, tags: words[i], self._tag_default)
        self.bigram = self._train(train, self._bigram_context, self._tag_unigram)

    @staticmethod
    def _bigram_context(words: Sequence[str], i: int, history: Sequence[str]) -> Context:
        return (history[i - 1] if i > 0 else None, words[i])

    def _tag_default(self, words: Sequence[str], i: int, history: Sequence[str]) -> str:
        return self.default

    def _tag_unigram(self, words: Sequence[str], i: int, history: Sequence[str]) -> str:
        return self.unigram.get(words[i], self.default)

    def _tag_one(self, words: Sequence[str], i: int, history: Sequence[str]) -> str:
        tag = self.bigram.get(self._bigram_context(words, i, history))
        return self._tag_unigram(words, i, history) if tag is None else tag

    @staticmethod
    def _train(
        train: Sequence[Sentence],
        context: Callable[[Sequence[str], int, Sequence[str]], object],
        backoff: Callable[[Sequence[str], int, Sequence[str]], str],
    ) -> dict[object, str]:
        """NLTK ``ContextTagger._train`` with cutoff 0: histories are the gold tags."""
        counts: dict[object, Counter] = {}
        useful: set[object] = set()
        for words, tags in train:
            for i, tag in enumerate(tags):
                key = context(words, i, tags)
                counts.setdefault(key, Counter())[tag] += 1
                if tag != backoff(words, i, tags):
                    useful.add(key)
        best = _best(counts)
        return {key: best[key] for key in useful}

    def tag(self, words: Sequence[str]) -> list[str]:
        history: list[str] = []
        for i in range(len(words)):
            history.append(self._tag_one(words, i, history))
        return history


def tag_accuracy(
    sentences: Sequence[Sentence],
    predicted: Sequence[Sequence[str]],
    train_words: set[str],
) -> dict[str, float]:
    """``accuracy`` over all tokens and ``unseen_accuracy`` over tokens whose word is not in
    ``train_words``, with the token counts (``tokens``, ``unseen_tokens``)."""
    right = total = unseen_right = unseen = 0
    for (words, gold), guess in zip(sentences, predicted, strict=True):
        if len(guess) != len(gold):
            raise ValueError(
                f"predicted: expected {len(gold)} tags for a sentence, got {len(guess)}"
            )
        for w, g, p in zip(words, gold, guess, strict=True):
            hit = g == p
            right += hit
            total += 1
            if w not in train_words:
                unseen_right += hit
                unseen += 1
    return {
        "accuracy": right / total if total else 0.0,
        "unseen_accuracy": unseen_right / unseen if unseen else 0.0,
        "tokens": total,
        "unseen_tokens": unseen,
    }


def baseline_scores(
    train: Sequence[Sentence], evaluated: Sequence[Sentence]
) -> dict[str, dict[str, float]]:
    """Both baselines' `tag_accuracy` on ``evaluated``, trained on ``train``."""
    seen = {w for words, _ in train for w in words}
    out = {}
    for name, tagger in (
        ("most_frequent_tag", MostFrequentTagger(train)),
        ("backoff_bigram", BackoffTagger(train)),
    ):
        out[name] = tag_accuracy(evaluated, [tagger.tag(words) for words, _ in evaluated], seen)
    return out
