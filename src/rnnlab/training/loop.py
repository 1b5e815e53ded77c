"""The training loop: on-line batches, clipping, an optimizer step, periodic evaluation.

What is learnt is a `Problem` (`rnnlab.training.problem`): a synthetic task or a real dataset
kind; it makes each update's loss and gradients and scores each evaluation. No file I/O
here: the caller (`rnnlab.training.run`) receives each evaluation row and each
checkpoint moment through callbacks. Everything random comes from two generators held in
`TrainState`: ``train_rng`` (training batches and dropout masks) and ``test_rng`` (the fresh
test sequences of every evaluation). Both are separate streams of the run's one seed, so
evaluating more or less often never changes the training batches.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..models import SequenceModel
from ..optim import Optimizer, clip_grad_norm, clip_grad_value
from .config import TrainConfig
from .problem import Problem

Row = dict[str, float | int]


@dataclass
class TrainState:
    """Everything that changes while training, besides parameters and optimizer buffers.

    ``loss_sum``/``norm_sum``/``count`` accumulate the training loss and pre-clipping gradient
    norm since the last evaluation (their mean is that row's ``train_loss``/``grad_norm``).
    """

    step: int
    train_rng: np.random.Generator
    test_rng: np.random.Generator
    history: list[Row] = field(default_factory=list)
    loss_sum: float = 0.0
    norm_sum: float = 0.0
    count: int = 0
    skipped: int = 0  # updates left out because the gradient was not finite
    steps_to_solve: int | None = None
    elapsed: float = 0.0  # seconds of training before this process (resumed runs)
    out_of_time: bool = False  # an evaluation came after config.minutes
    # What a problem carries from one update to the next besides the parameters (a text
    # model's detached state of every stream); checkpointed with the rest.
    carried: dict[str, np.ndarray] = field(default_factory=dict)

    def finished(self, config: TrainConfig) -> bool:
        stopped = config.early_stop and self.steps_to_solve is not None
        return stopped or self.out_of_time or self.step >= config.steps

    def stop_reason(self, config: TrainConfig) -> str:
        if config.early_stop and self.steps_to_solve is not None:
            return "solved"
        return "minutes" if self.out_of_time else "steps"


def evaluate(model: SequenceModel, task: Any, rng: np.random.Generator) -> dict[str, float]:
    """A task's metrics on ``task.test_size`` fresh sequences drawn from ``rng``."""
    batch = task.test_batch(rng, task.test_size)
    return task.evaluate(model.predict(batch.x, batch.lengths), batch)


def _clip(grads: dict[str, np.ndarray], config: TrainConfig) -> float:
    """Clip in place; returns the global gradient norm before clipping."""
    if config.clip is not None and config.clip_mode == "norm":
        return clip_grad_norm(grads, config.clip)
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))
    if config.clip is not None and math.isfinite(norm):
        clip_grad_value(grads, config.clip)
    return norm


def _row(state: TrainState, metrics: dict[str, float], lr: float, solved: bool) -> Row:
    n = max(state.count, 1)
    row: Row = {
        "step": state.step,
        "train_loss": state.loss_sum / n,
        "grad_norm": state.norm_sum / n,
        "lr": lr,
        "test_loss": float(metrics["loss"]),
        "test_metric": float(metrics["metric"]),
        "solved": int(solved),
    }
    for key, value in metrics.items():
        if key not in ("loss", "metric"):
            row[f"test_{key}"] = float(value)
    return row


def fit(
    config: TrainConfig,
    model: SequenceModel,
    problem: Problem,
    optimizer: Optimizer,
    state: TrainState,
    *,
    on_eval: Callable[[Row], None] | None = None,
    on_checkpoint: Callable[[TrainState, float], None] | None = None,
    progress: bool = False,
) -> TrainState:
    """Train from ``state.step`` until ``config.steps``, until the problem is solved or until
    ``config.minutes`` of training (evaluations and the time before a resume included) have
    passed: the first update after that is followed by an evaluation, the run's last.

    Evaluates after every ``eval_every``-th update and after the last one; calls
    ``on_checkpoint(state, elapsed)`` after every ``checkpoint_every``-th update that does not
    end the run (the caller writes the final files itself); ``elapsed`` is the training time so
    far in seconds. Returns ``state``, updated in place.
    """
    from tqdm import tqdm

    bar = tqdm(
        total=config.steps,
        initial=state.step,
        disable=not progress or not sys.stderr.isatty(),
        file=sys.stderr,
        dynamic_ncols=True,
        unit="step",
        desc=f"{problem.label} {config.cell}",
    )
    start = time.perf_counter()
    last_metric = state.history[-1]["test_metric"] if state.history else float("nan")
    try:
        while not state.finished(config):
            loss, grads = problem.loss_and_grads(model, config, state)
            lr = optimizer.lr
            norm = _clip(grads, config)
            if math.isfinite(norm) and math.isfinite(loss):
                optimizer.step(grads)
            else:  # a blown-up step would poison Adam's moments for good: skip it, count it
                state.skipped += 1
            state.step += 1
            state.loss_sum += loss
            state.norm_sum += norm
            state.count += 1
            budget = config.minutes is not None and (
                state.elapsed + time.perf_counter() - start >= 60 * config.minutes
            )
            if state.step % config.eval_every == 0 or state.step == config.steps or budget:
                metrics = problem.evaluate(model, state)
                solved = problem.solved(metrics)
                elapsed = state.elapsed + time.perf_counter() - start
                state.out_of_time = budget  # the budget's own evaluation ends the run
                if solved and state.steps_to_solve is None:
                    state.steps_to_solve = state.step
                row = _row(state, metrics, lr, solved)
                if problem.timed:  # real data: learning curves against time (not bit-exact)
                    row["wall_time"] = elapsed
                state.history.append(row)
                state.loss_sum = state.norm_sum = 0.0
                state.count = 0
                last_metric = row["test_metric"]
                if on_eval is not None:
                    on_eval(row)
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.4g}", metric=f"{last_metric:.4g}", refresh=False)
            if (
                on_checkpoint is not None
                and state.step % config.checkpoint_every == 0
                and not state.finished(config)
            ):
                on_checkpoint(state, state.elapsed + time.perf_counter() - start)
    finally:
        bar.close()
        state.elapsed += time.perf_counter() - start
    return state


def summary(state: TrainState, config: TrainConfig, problem: Problem) -> dict[str, Any]:
    """The numbers of a finished run (the caller adds params, seed, version, ...) and the
    problem's own fields (its metric's name and unit, its baselines)."""
    final = state.history[-1] if state.history else {}
    metrics = {k[5:]: v for k, v in final.items() if k.startswith("test_")}
    return {
        "solved": state.steps_to_solve is not None,
        "steps_to_solve": state.steps_to_solve,
        "metric": final.get("test_metric"),
        "test": metrics,
        "steps_run": state.step,
        "stopped": state.stop_reason(config),
        "minutes": config.minutes,
        "skipped_steps": state.skipped,
        "wall_time": state.elapsed,
        **problem.result_fields(),
    }
