"""`Problem`: what `train_run` needs from one kind of thing to learn, and the synthetic tasks'.

`train_run` owns the run directory, checkpoints, ``--resume``, ``--minutes``, clipping and the
optimizer, once for every kind. A problem owns the rest:

* ``build_model(config, rng)``: the model of ``config`` at initialisation, drawn from ``rng``;
* ``loss_and_grads(model, config, state)``: one update's loss and gradients; its batch comes
  from ``state.train_rng`` and/or ``state.step``; what it carries to the next update (a text
  model's detached state) lives in ``state.carried`` so that checkpoints hold it;
* ``evaluate(model, state)``: the metrics of one evaluation, at least ``loss`` and ``metric``
  (its random numbers, if any, from ``state.test_rng``);
* ``solved(metrics)``: the early-stopping criterion (False for real data);
* ``result_fields()``: what ``result.json`` adds: the metric's name and unit, the baselines;
* ``run_files()``: files written once into the run directory (a vocabulary, the split);
* ``label`` (progress bar) and ``timed`` (whether evaluation rows record wall time).

`make_problem` picks the problem of a config: a `TaskProblem` for ``task``, the dataset's own
problem for ``data`` (`rnnlab.data`, whose ``docs/data.md`` says how to add a kind).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ..data import make_dataset
from ..init import apply_init
from ..models import SequenceModel, build_layer, make_model
from .config import TrainConfig
from .evaluation import evaluate

if TYPE_CHECKING:
    from .loop import TrainState


class Problem(Protocol):
    label: str
    timed: bool

    def build_model(self, config: TrainConfig, rng: np.random.Generator) -> SequenceModel: ...

    def loss_and_grads(
        self, model: SequenceModel, config: TrainConfig, state: TrainState
    ) -> tuple[float, dict[str, np.ndarray]]: ...

    def evaluate(self, model: SequenceModel, state: TrainState) -> dict[str, float]: ...

    def solved(self, metrics: dict[str, float]) -> bool: ...

    def result_fields(self) -> dict[str, Any]: ...

    def run_files(self) -> dict[str, str]: ...


class TaskProblem:
    """A synthetic long-time-lag task (`rnnlab.tasks`): fresh batches from the train stream,
    fresh test sequences from the test stream, the paper's success criterion."""

    timed = False

    def __init__(self, config: TrainConfig) -> None:
        self.task = config.make_task()
        self.label = f"{config.task} T={config.length}"

    def build_model(self, config: TrainConfig, rng: np.random.Generator) -> SequenceModel:
        task = self.task
        layer = build_layer(
            config.cell,
            task.input_size,
            config.hidden,
            config.num_layers,
            config.bidirectional,
            config.dropout,
            config.dtype,
        )
        apply_init(layer, config.resolved_init, rng, t_max=task.max_length)
        return make_model(
            layer,
            task.output_size,
            task.output_kind,
            task.loss,
            rng,
            input_to_output=config.resolved_input_to_output,
        )

    def loss_and_grads(
        self, model: SequenceModel, config: TrainConfig, state: TrainState
    ) -> tuple[float, dict[str, np.ndarray]]:
        batch = self.task.sample(state.train_rng, config.batch)
        trace: dict | None = {} if config.regularizer else None
        loss, grads, aux = model.loss_and_grads(
            batch, tbptt=config.tbptt, rng=state.train_rng, trace=trace
        )
        if trace:  # empty when the forward blew up and no backward ran (NaN gradients)
            _add_omega(config, model, grads, aux, trace)
        return loss, grads

    def evaluate(self, model: SequenceModel, state: TrainState) -> dict[str, float]:
        return evaluate(model, self.task, state.test_rng)

    def solved(self, metrics: dict[str, float]) -> bool:
        return self.task.solved(metrics)

    def result_fields(self) -> dict[str, Any]:
        return {"baseline": self.task.baseline()}

    def run_files(self) -> dict[str, str]:
        return {}


def _add_omega(config: TrainConfig, model: SequenceModel, grads: dict, aux: dict, trace: dict):
    """PMB13's regulariser: ``reg_weight * dOmega/dW_hh`` joins W_hh's gradient (their code
    adds it to the task gradient before clipping; Omega is not part of the logged loss)."""
    from ..models.pascanu import omega

    (_, _, layer_cache), = aux["cache"].chunks  # full BPTT: one chunk
    _, omega_grads = omega(model.layer, layer_cache, trace)
    for name, value in omega_grads.items():
        grads[name] = grads[name] + config.reg_weight * value


def make_problem(config: TrainConfig) -> Problem:
    """The problem ``config`` learns: its task, or its dataset's kind."""
    if config.data is None:
        return TaskProblem(config)
    return make_dataset(config.data, **config.data_options).problem(config)
