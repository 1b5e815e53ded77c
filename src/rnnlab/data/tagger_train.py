"""Train and evaluate a `rnnlab.models.Tagger` on tagged sentences (train / valid / test).

Training: epochs over the training sentences in length-sorted batches (`length_buckets`),
Adam, gradient-norm clipping, softmax cross-entropy over the tokens inside each sentence. After
every ``eval_every`` updates (and at the end) the validation accuracy is measured; the
parameters of the best validation accuracy are the ones kept, and the test set is tagged once,
with them. ``minutes`` stops at the first evaluation after that much training time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..models.embedding import FeatureEmbedding
from ..models.sequence import make_model
from ..models.spec import build_layer
from ..models.tagger import Tagger
from ..optim import clip_grad_norm, make_optimizer
from .tag_baselines import tag_accuracy
from .tagged_files import Sentence
from .tagging import (
    FEATURES,
    EncodedSentences,
    TagVocab,
    batches_in_order,
    encode,
    length_buckets,
    pad,
)


@dataclass(frozen=True)
class TaggerSettings:
    """What a tagging run is: the model and how it is trained (defaults: see docs)."""

    cell: str = "lstm"
    hidden: int = 64
    num_layers: int = 1
    bidirectional: bool = True
    dropout: float = 0.0
    word_dim: int = 64
    suffix_dim: int = 16
    shape_dim: int = 8
    lr: float = 0.002
    batch: int = 32
    epochs: int = 3
    minutes: float | None = None
    eval_every: int = 500
    clip: float = 5.0
    seed: int = 0
    dtype: str = "float32"

    def dims(self) -> tuple[int, ...]:
        return (self.word_dim, self.suffix_dim, self.suffix_dim, self.suffix_dim, self.shape_dim)


def build_tagger(vocab: TagVocab, s: TaggerSettings, rng: np.random.Generator) -> Tagger:
    """Embedding tables, the recurrent layer (PyTorch's init) and the readout, from ``rng``."""
    embedding = FeatureEmbedding(FEATURES, vocab.sizes, s.dims(), rng, s.dtype)
    layer = build_layer(
        s.cell, embedding.output_size, s.hidden, s.num_layers, s.bidirectional, s.dropout, s.dtype
    )
    model = make_model(layer, len(vocab.tags), "many_to_many", "softmax_ce", rng)
    return Tagger(embedding, model)


def tag_sentences(
    tagger: Tagger, vocab: TagVocab, words: Sequence[Sequence[str]], batch: int = 256
) -> list[list[str]]:
    """The predicted tags of every sentence (a list of words each)."""
    encoded = [vocab.encode_words(w) for w in words]
    lengths = np.array([len(x) for x in encoded], dtype=np.int64)
    out: list[list[str]] = [[] for _ in encoded]
    for index in batches_in_order(lengths, batch):
        ids, _, lens = pad([encoded[i] for i in index])
        best = tagger.predict(ids, lens)
        for row, i in enumerate(index):
            out[i] = [vocab.tags[k] for k in best[row, : lens[row]]]
    return out


def score(tagger: Tagger, vocab: TagVocab, sentences: Sequence[Sentence], seen: set[str]):
    predicted = tag_sentences(tagger, vocab, [w for w, _ in sentences])
    return tag_accuracy(sentences, predicted, seen)


def _batches(train: EncodedSentences, s: TaggerSettings, rng: np.random.Generator):
    """Padded training batches, epoch after epoch, ``s.epochs`` epochs in all."""
    for _ in range(s.epochs):
        for index in length_buckets(train.lengths, s.batch, rng):
            yield pad([train.ids[i] for i in index], [train.tags[i] for i in index])


def train_tagger(
    splits: dict[str, list[Sentence]],
    vocab: TagVocab,
    s: TaggerSettings,
    on_eval: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[Tagger, dict[str, Any]]:
    """Train on ``splits["train"]``, select on ``"valid"``, report on ``"test"``."""
    seeds = np.random.SeedSequence(s.seed).spawn(2)
    init_rng, train_rng = (np.random.default_rng(q) for q in seeds)
    tagger = build_tagger(vocab, s, init_rng)
    optimizer = make_optimizer("adam", tagger.params, s.lr)
    train = encode(splits["train"], vocab)
    seen = {w for words, _ in splits["train"] for w in words}
    total = s.epochs * math.ceil(len(train.ids) / s.batch)
    best: dict[str, Any] = {"accuracy": -1.0}
    history: list[dict[str, Any]] = []
    step, elapsed, losses = 0, 0.0, []
    for ids, tags, lengths in _batches(train, s, train_rng):
        start = time.perf_counter()
        loss, grads, _ = tagger.loss_and_grads(ids, tags, lengths, rng=train_rng)
        clip_grad_norm(grads, s.clip)
        optimizer.step(grads)
        elapsed += time.perf_counter() - start
        step, losses = step + 1, [*losses, loss]
        out_of_time = s.minutes is not None and elapsed >= 60 * s.minutes
        if step % s.eval_every and step < total and not out_of_time:
            continue
        valid = score(tagger, vocab, splits["valid"], seen)
        history.append(
            {"step": step, "epoch": step / total * s.epochs, "train_loss": float(np.mean(losses)),
             "valid_accuracy": valid["accuracy"], "valid_unseen_accuracy":
             valid["unseen_accuracy"], "wall_time": elapsed}
        )  # fmt: skip
        losses = []
        if valid["accuracy"] > best["accuracy"]:
            best = {**valid, "step": step, "params": _copy(tagger.params)}
        if on_eval is not None:
            on_eval(history[-1])
        if out_of_time:
            break
    tagger.load_params(best.pop("params"))
    return tagger, _result(tagger, vocab, splits, seen, best, history, s)


def _copy(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in params.items()}


def _result(tagger, vocab, splits, seen, best, history, s: TaggerSettings) -> dict[str, Any]:
    test = score(tagger, vocab, splits["test"], seen)
    embedding = sum(t.size for t in tagger.embedding.tables.values())
    return {
        "metric": test["accuracy"],
        "metric_name": "token accuracy",
        "test": test,
        "valid": {k: best[k] for k in ("accuracy", "unseen_accuracy", "tokens", "unseen_tokens")},
        "best_step": best["step"],
        "steps_run": history[-1]["step"],
        "wall_time": history[-1]["wall_time"],
        "params": tagger.num_params,
        "params_without_embedding": tagger.num_params - embedding,
        "settings": asdict(s),
        "history": history,
    }
