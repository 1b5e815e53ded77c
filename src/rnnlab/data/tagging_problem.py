"""`TaggingProblem`: how `rnnlab train` learns a tagging dataset (the `Problem` protocol).

Batches: the training sentences are shuffled once (the run's seed), sorted by length within
pools of 50 batches and cut into batches of ``config.batch`` (little padding); epoch ``e``
visits them in the order ``default_rng([seed, e]).permutation``, so update ``step`` reads a
batch fixed by ``step`` alone and ``--resume`` continues with exactly the same batches.
Evaluation: token accuracy (and the loss) on the validation part; the final model also tags
the test part once, and ``result.json`` holds it beside the baselines on the same parts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..init import apply_init
from ..losses import softmax_cross_entropy
from ..models.embedding import FeatureEmbedding
from ..models.sequence import make_model
from ..models.spec import build_layer
from ..models.tagger import Tagger
from ..tasks.base import valid_steps
from .tag_baselines import tag_accuracy
from .tagged_files import Sentence
from .tagging import (
    FEATURE_DEFAULTS,
    FEATURES,
    TagVocab,
    batches_in_order,
    build_vocab,
    encode,
    length_buckets,
    pad,
)

if TYPE_CHECKING:
    from ..training.config import TrainConfig
    from ..training.loop import TrainState
    from .tagged import TaggedDataset


def feature_dims(data_options: dict[str, Any]) -> tuple[int, ...]:
    """The embedding width of each of `FEATURES`, from the dataset options (or their defaults)."""
    o = {**FEATURE_DEFAULTS, **data_options}
    return (o["word_dim"], o["suffix_dim"], o["suffix_dim"], o["suffix_dim"], o["shape_dim"])


def make_tagger(
    settings: dict[str, Any], vocab: TagVocab, rng: np.random.Generator, init: str | None = None
) -> Tagger:
    """Embedding tables, layer (``init`` applied, if given) and readout, drawn from ``rng``,
    from a run's settings (``config.json``'s cell, hidden, num_layers, bidirectional, dropout,
    dtype and data_options)."""
    embedding = FeatureEmbedding(
        FEATURES, vocab.sizes, feature_dims(settings["data_options"]), rng, settings["dtype"]
    )
    layer = build_layer(
        settings["cell"],
        embedding.output_size,
        settings["hidden"],
        settings["num_layers"],
        settings["bidirectional"],
        settings["dropout"],
        settings["dtype"],
    )
    if init is not None:
        apply_init(layer, init, rng, t_max=100)  # t_max (chrono only): a long sentence
    return Tagger(embedding, make_model(layer, len(vocab.tags), "many_to_many", "softmax_ce", rng))


def build_tagger(config: TrainConfig, vocab: TagVocab, rng: np.random.Generator) -> Tagger:
    """The tagger of ``config`` at initialisation (its init scheme applied), from ``rng``."""
    return make_tagger(config.to_dict(), vocab, rng, config.resolved_init)


def tag_and_loss(
    tagger: Tagger, vocab: TagVocab, sentences: list[Sentence], batch: int = 256
) -> tuple[list[list[str]], float]:
    """Every sentence's predicted tags, and the mean cross-entropy over the tokens whose gold
    tag is a training tag (``nan`` if none is)."""
    encoded = [vocab.encode_words(words) for words, _ in sentences]
    gold = [vocab.encode_tags(tags, unknown=-1) for _, tags in sentences]
    lengths = np.array([len(x) for x in encoded], dtype=np.int64)
    out: list[list[str]] = [[] for _ in encoded]
    total, count = 0.0, 0
    for index in batches_in_order(lengths, batch):
        ids, tags, lens = pad([encoded[i] for i in index], [gold[i] for i in index])
        z = tagger.scores(ids, lens)
        counted = valid_steps(lens, ids.shape[1]) & (tags >= 0)
        value, _ = softmax_cross_entropy(z, np.where(counted, tags, 0), counted)
        total, count = total + value * int(counted.sum()), count + int(counted.sum())
        best = np.argmax(z, axis=-1)
        for row, i in enumerate(index):
            out[i] = [vocab.tags[k] for k in best[row, : lens[row]]]
    return out, (total / count if count else float("nan"))


def tag_words(tagger: Tagger, vocab: TagVocab, sentences: list[list[str]]) -> list[list[str]]:
    """The predicted tags of untagged sentences (lists of words)."""
    return tag_and_loss(tagger, vocab, [(tuple(w), ("",) * len(w)) for w in sentences])[0]


class TaggingProblem:
    """The `rnnlab.training.problem.Problem` of a tagging dataset."""

    timed = True

    def __init__(self, dataset: TaggedDataset, config: TrainConfig) -> None:
        if config.tbptt is not None:
            raise ValueError("tbptt: a tagger reads whole sentences (no truncated BPTT)")
        self.dataset = dataset
        self.parts = dataset.splits()
        self.vocab = build_vocab(self.parts["train"], dataset.min_count)
        self.seen = {w for words, _ in self.parts["train"] for w in words}
        self.train = encode(self.parts["train"], self.vocab)
        # The batches' composition: a stream of the run's seed apart from the epoch orders
        # (which use [seed, epoch] with small epoch numbers).
        shuffle = np.random.default_rng([config.seed, 1 << 20])
        self.batches = list(length_buckets(self.train.lengths, config.batch, shuffle))
        self.seed = config.seed
        self.label = config.data or dataset.name
        self.model: Tagger | None = None

    def build_model(self, config: TrainConfig, rng: np.random.Generator) -> Tagger:
        self.model = build_tagger(config, self.vocab, rng)
        return self.model

    def batch_index(self, step: int) -> np.ndarray:
        """The sentences of update ``step`` (0-based): epoch step // n in its own order."""
        epoch, k = divmod(step, len(self.batches))
        order = np.random.default_rng([self.seed, epoch]).permutation(len(self.batches))
        return self.batches[order[k]]

    def loss_and_grads(
        self, model: Tagger, config: TrainConfig, state: TrainState
    ) -> tuple[float, dict[str, np.ndarray]]:
        index = self.batch_index(state.step)
        ids, tags, lengths = pad(
            [self.train.ids[i] for i in index], [self.train.tags[i] for i in index]
        )
        loss, grads, _ = model.loss_and_grads(ids, tags, lengths, rng=state.train_rng)
        return loss, grads

    def score(self, model: Tagger, part: str) -> dict[str, float]:
        """Token accuracy (all tokens, unseen words) and the mean loss on one part."""
        sentences = self.parts[part]
        predicted, loss = tag_and_loss(model, self.vocab, sentences)
        return {**tag_accuracy(sentences, predicted, self.seen), "loss": loss}

    def evaluate(self, model: Tagger, state: TrainState) -> dict[str, float]:
        valid = self.score(model, "valid")
        return {
            "loss": valid["loss"],
            "metric": valid["accuracy"],
            "unseen_accuracy": valid["unseen_accuracy"],
        }

    def solved(self, metrics: dict[str, float]) -> bool:
        return False

    def result_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "data": self.label,
            "kind": self.dataset.kind,
            "metric_info": {**self.dataset.metric.as_dict(), "part": "valid"},
            "baselines": self.dataset.baseline_figures(),
            "baseline_scores": self.dataset.baseline_scores(),
            "tags": len(self.vocab.tags),
        }
        if self.model is not None:
            test = self.score(self.model, "test")
            fields["test_accuracy"] = test["accuracy"]
            fields["test_scores"] = test
        return fields

    def run_files(self) -> dict[str, str]:
        return {
            "vocabulary.json": json.dumps(self.vocab.to_dict()) + "\n",
            "split.json": json.dumps(self.dataset.split_record(), indent=2) + "\n",
        }


def load_tagger(run_dir: str | Path) -> tuple[Tagger, TagVocab]:
    """The trained tagger of a finished tagging run and its vocabulary (no data needed)."""
    out = Path(run_dir)
    try:
        settings = json.loads((out / "config.json").read_text())
        vocab = TagVocab.from_dict(json.loads((out / "vocabulary.json").read_text()))
        with np.load(out / "params.npz", allow_pickle=False) as data:
            params = {k: data[k] for k in data.files}
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(f"run: {out} is not a finished tagging run ({exc})") from None
    tagger = make_tagger(settings, vocab, np.random.default_rng(0))
    tagger.load_params(params)
    return tagger, vocab
