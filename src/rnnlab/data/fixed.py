"""`FixedSetProblem`: learning a fixed training set, scored on a fixed test set.

The problem of the forecasting, sequence-classification and music datasets. Each update draws
``config.batch`` training examples without replacement from ``state.train_rng`` (so a resumed
run draws the same batches); each evaluation scores the whole test set (and the validation
set, where the dataset has one) with dropout off; nothing random there. ``metric`` is the
dataset's headline number on the test set (`score`), ``loss`` the training loss on it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..init import apply_init
from ..models import SequenceModel, build_layer, make_model
from ..tasks.base import Batch

if TYPE_CHECKING:
    from ..training.config import TrainConfig
    from ..training.loop import TrainState

Array = np.ndarray
# (model output on a split, that split's batch) -> metrics, at least "metric"
Scorer = Callable[[Array, Batch], dict[str, float]]


@dataclass(frozen=True)
class Shape:
    """What the model looks like: sizes, how it reads the sequence, its loss."""

    input_size: int
    output_size: int
    output_kind: str  # many_to_one | many_to_many
    loss: str  # mse | softmax_ce | sigmoid_bce
    t_max: int  # the longest sequence (for chrono init)
    # the readout bias to start from (e.g. each key's training log-odds), else PyTorch's draw
    output_bias: np.ndarray | None = None


def pad(sequences: list[Array] | tuple[Array, ...], width: int | None = None) -> Array:
    """(N, T_max, D) zeros-padded copy of N arrays (T_i, D)."""
    T = max(len(s) for s in sequences)
    width = sequences[0].shape[1] if width is None else width
    out = np.zeros((len(sequences), T, width))
    for i, s in enumerate(sequences):
        out[i, : len(s)] = s
    return out


def take(batch: Batch, index: Array, many_to_many: bool) -> Batch:
    """The examples ``index`` of ``batch``, trimmed to their longest length."""
    lengths = batch.lengths[index]
    T = int(lengths.max())
    target = batch.target[index, :T] if many_to_many else batch.target[index]
    return Batch(batch.x[index, :T], target, lengths)


class FixedSetProblem:
    """Train on ``train``; score ``test`` (and ``valid``) with ``score`` at every evaluation.

    ``result()`` gives what ``result.json`` adds (metric info, baselines); it is called only
    when a run finishes, so building a model (a parameter count, loading a run) stays cheap.
    """

    timed = True

    def __init__(
        self,
        label: str,
        shape: Shape,
        train: Batch,
        test: Batch,
        score: Scorer,
        result: Callable[[], dict[str, Any]],
        files: dict[str, Any],
        valid: Batch | None = None,
    ) -> None:
        self.label, self.shape, self.score = label, shape, score
        self.train, self.test, self.valid = train, test, valid
        self.result, self.files = result, files

    def build_model(self, config: TrainConfig, rng: np.random.Generator) -> SequenceModel:
        s = self.shape
        layer = build_layer(
            config.cell, s.input_size, config.hidden, config.num_layers, config.bidirectional,
            config.dropout, config.dtype,
        )  # fmt: skip
        apply_init(layer, config.resolved_init, rng, t_max=s.t_max)
        model = make_model(
            layer, s.output_size, s.output_kind, s.loss, rng,
            input_to_output=config.resolved_input_to_output,
        )  # fmt: skip
        if s.output_bias is not None:
            model.readout["bias"][...] = s.output_bias
        return model

    def loss_and_grads(
        self, model: SequenceModel, config: TrainConfig, state: TrainState
    ) -> tuple[float, dict[str, Array]]:
        n = len(self.train.lengths)
        index = np.sort(state.train_rng.choice(n, size=min(config.batch, n), replace=False))
        batch = take(self.train, index, self.shape.output_kind == "many_to_many")
        loss, grads, _ = model.loss_and_grads(batch, tbptt=config.tbptt, rng=state.train_rng)
        return loss, grads

    def scores(self, model: SequenceModel, batch: Batch) -> dict[str, float]:
        output = model.predict(batch.x, batch.lengths)
        loss, _ = model.loss(output, batch)
        return {"loss": loss, **self.score(output, batch)}

    def evaluate(self, model: SequenceModel, state: TrainState) -> dict[str, float]:
        metrics = self.scores(model, self.test)
        if self.valid is not None:
            metrics.update({f"valid_{k}": v for k, v in self.scores(model, self.valid).items()})
        return metrics

    def solved(self, metrics: dict[str, float]) -> bool:
        return False

    def result_fields(self) -> dict[str, Any]:
        return self.result()  # the baselines are computed here, once the run has finished

    def run_files(self) -> dict[str, str]:
        return {name: json.dumps(value, indent=2) + "\n" for name, value in self.files.items()}
