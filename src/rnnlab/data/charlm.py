"""The character language model, trained as the field trains it (char-rnn, PyTorch's
word_language_model): stateful truncated BPTT over B parallel streams.

Shapes: B streams, k the window (``config.tbptt``), V the vocabulary (unknown symbol included),
L the length of one stream. The training text's ids are cut into a (B, L) matrix, one row per
stream; update i reads window i of every row::

    x_i = ids[:, i k : (i + 1) k]          # (B, k) input characters, one-hot (B, k, V)
                                           # or embedded (B, k, E) with --embed E
    y_i = ids[:, i k + 1 : (i + 1) k + 1]  # (B, k) the next characters, the targets
    h_i = final state of update i - 1      # carried as a constant (detached); zeros at i = 0

so every character is read once per epoch, and the state of the step before a window is the
real one (up to the truncation of its gradient). An epoch has (L - 1) // k windows; the state
starts from zeros at each epoch. Validation runs over the whole validation text, cut into
`EVAL_STREAMS` streams, window after window with the state carried, so it equals one pass
over each stream (`score`); it reports nats and bits per character.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..init import apply_init
from ..losses import LOSSES
from ..models import SequenceModel, build_layer, make_model
from ..models.embedded import EmbeddedModel, char_embedding, token_input
from ..validation import all_finite
from .text import TextDataset, Vocabulary

if TYPE_CHECKING:
    from ..training.config import TrainConfig
    from ..training.loop import TrainState

EVAL_STREAMS = 32  # fixed, so that validation numbers compare across training batch sizes
EVAL_WINDOW = 250
DEFAULT_WINDOW = 100
TextModel = SequenceModel | EmbeddedModel  # one-hot input, or --embed E


def token_model(
    config: TrainConfig,
    vocab_size: int,
    outputs: int,
    output_kind: str,
    t_max: int,
    rng: np.random.Generator,
) -> TextModel:
    """A recurrent stack over characters with a softmax readout: one-hot input, or with the
    ``embed`` data option (``--embed E``) an `EmbeddedModel` whose learned (V, E) table is
    drawn first from ``rng``, then the layer (``config``'s init, chrono's T_max = ``t_max``)
    and the readout."""
    width = config.data_options.get("embed")
    embedding = None if width is None else char_embedding(vocab_size, width, rng, config.dtype)
    layer = build_layer(
        config.cell,
        vocab_size if embedding is None else embedding.output_size,
        config.hidden,
        config.num_layers,
        False,
        config.dropout,
        config.dtype,
    )
    apply_init(layer, config.resolved_init, rng, t_max=t_max)
    model = make_model(layer, outputs, output_kind, "softmax_ce", rng)
    return model if embedding is None else EmbeddedModel(embedding, model)


def text_model(config: TrainConfig, vocab_size: int, rng: np.random.Generator) -> TextModel:
    """The character LM: `token_model` with a softmax over the vocabulary at every step."""
    window = config.tbptt or DEFAULT_WINDOW
    return token_model(config, vocab_size, vocab_size, "many_to_many", window, rng)


def state_arrays(state: Any) -> dict[str, np.ndarray]:
    """A public layer state as named arrays (for `TrainState.carried` and checkpoints)."""
    parts = state if isinstance(state, tuple) else (state,)
    return {f"state{i}": np.array(p, copy=True) for i, p in enumerate(parts)}


def public_state(arrays: dict[str, np.ndarray]) -> Any:
    if not arrays:
        return None
    parts = tuple(arrays[f"state{i}"] for i in range(len(arrays)))
    return parts[0] if len(parts) == 1 else parts


def stream_matrix(ids: np.ndarray, streams: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets of ``ids`` cut into ``streams`` contiguous rows, padded at the end:
    (S, L) inputs, (S, L) targets with -1 where nothing is predicted, L = ceil((n - 1) / S)."""
    n = len(ids) - 1
    streams = max(1, min(streams, n))
    length = -(-n // streams)
    x = np.zeros(streams * length, dtype=np.int64)
    y = np.full(streams * length, -1, dtype=np.int64)
    x[:n], y[:n] = ids[:-1], ids[1:]
    return x.reshape(streams, length), y.reshape(streams, length)


def score(
    model: TextModel,
    ids: np.ndarray,
    streams: int = EVAL_STREAMS,
    window: int = EVAL_WINDOW,
) -> float:
    """Mean nats per predicted character over ``ids``, state carried window to window.

    Padding sits only at the end of the last rows, so masking it out of the loss is exact.
    """
    x, y = stream_matrix(ids, streams)
    total, count, state = 0.0, 0, None
    was_training = model.layer.training
    model.layer.eval()
    try:
        for start in range(0, x.shape[1], window):
            xs, ys = x[:, start : start + window], y[:, start : start + window]
            out, cache = model.forward(token_input(model, xs), state=state)
            mask = ys >= 0
            if mask.any():
                loss, _ = LOSSES["softmax_ce"](out, np.where(mask, ys, 0), mask)
                total += loss * int(mask.sum())
                count += int(mask.sum())
            state = cache.final_state
    finally:
        model.layer.train(was_training)
    return total / max(count, 1)


class CharLM:
    """The `rnnlab.training.problem.Problem` of a text dataset."""

    timed = True

    def __init__(self, dataset: TextDataset, config: TrainConfig) -> None:
        if config.bidirectional:
            raise ValueError("bidirectional: a language model reads left to right only")
        train, valid = dataset.texts()
        self.dataset = dataset
        self.vocab = Vocabulary.from_text(train)
        self.window = config.tbptt or DEFAULT_WINDOW
        length = len(train) // config.batch
        self.streams = self.vocab.encode(train)[: config.batch * length].reshape(config.batch, -1)
        self.windows = (length - 1) // self.window
        if self.windows < 1:
            raise ValueError(
                f"data: the training text ({len(train)} characters) is too short for "
                f"{config.batch} streams of windows of {self.window}; lower --batch or --tbptt"
            )
        self.valid_ids = self.vocab.encode(valid)
        self.label = config.data or dataset.name

    def build_model(self, config: TrainConfig, rng: np.random.Generator) -> TextModel:
        return text_model(config, len(self.vocab), rng)

    def window_ids(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        """(B, k) inputs and targets of update ``step`` (0-based)."""
        start = (step % self.windows) * self.window
        return (
            self.streams[:, start : start + self.window],
            self.streams[:, start + 1 : start + self.window + 1],
        )

    def loss_and_grads(
        self, model: TextModel, config: TrainConfig, state: TrainState
    ) -> tuple[float, dict[str, np.ndarray]]:
        if state.step % self.windows == 0:  # a new epoch starts from zeros
            state.carried = {}
        xs, ys = self.window_ids(state.step)
        inputs = token_input(model, xs)  # one-hot (B, k, V), or the ids for the embedding
        out, cache = model.forward(inputs, state=public_state(state.carried), rng=state.train_rng)
        loss, dout = LOSSES["softmax_ce"](out, ys)
        grads = model.backward(dout, cache)
        state.carried = state_arrays(cache.final_state)  # detached: a copy, no gradient path
        if not all(all_finite(a) for a in state.carried.values()):  # blown up: the update is
            state.carried = {}  # skipped (NaN loss) and the next window starts from zeros
        return loss, grads

    def evaluate(self, model: TextModel, state: TrainState) -> dict[str, float]:
        nats = score(model, self.valid_ids)
        return {"loss": nats, "metric": nats, "bpc": nats / math.log(2)}

    def solved(self, metrics: dict[str, float]) -> bool:
        return False

    def result_fields(self) -> dict[str, Any]:
        return {
            "data": self.label,
            "kind": self.dataset.kind,
            "metric_info": self.dataset.metric.as_dict(),
            "baselines": self.dataset.baseline_figures(),
            "vocabulary": len(self.vocab),
        }

    def run_files(self) -> dict[str, str]:
        import json

        split = json.dumps(self.dataset.split_record(), indent=2) + "\n"
        return {"vocabulary.json": self.vocab.to_json(), "split.json": split}
