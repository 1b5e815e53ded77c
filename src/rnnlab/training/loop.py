"""The training loop: on-line batches, clipping, an optimizer step, periodic evaluation.

What is learnt is a `Problem` (`rnnlab.training.problem`): a synthetic task or a real dataset
kind; it makes each update's loss and gradients and scores each evaluation. No file I/O
here: the caller (`rnnlab.training.run`) receives each evaluation row and each
checkpoint moment through callbacks.

Divergence, one policy: an update whose loss or gradient norm is not finite is skipped (the
optimizer never sees it: one NaN would poison Adam's moments for good) and counted
(``skipped_steps`` in result.json). The run ends as *diverged* when ``config.diverge_after``
updates in a row were skipped, or when more than ``config.diverge_share`` of its updates so
far were (judged once ``diverge_after`` updates have run), or at once when an applied update
leaves a parameter or an optimizer buffer non-finite (no later step could recover). A diverged
run is a finished run: it is evaluated once more, its result records ``"diverged": true``,
the step and the reason, and no checkpoint holding a non-finite number is ever written. The
logged ``train_loss`` and ``grad_norm`` average the applied updates only (NaN in a row whose
updates were all skipped), and each row counts its skipped updates. Floating-point overflow
inside a training step is therefore an expected outcome here, not an error: the step runs
under ``np.errstate(all="ignore")`` and the finiteness checks decide.

Everything random comes from two generators held in `TrainState`: ``train_rng`` (training
batches and dropout masks) and ``test_rng`` (the fresh test sequences of every evaluation).
Both are separate streams of the run's one seed, so evaluating more or less often never
changes the training batches.
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
from ..validation import all_finite
from .config import TrainConfig
from .problem import Problem

Row = dict[str, float | int]


@dataclass
class TrainState:
    """Everything that changes while training, besides parameters and optimizer buffers.

    ``loss_sum``/``norm_sum``/``count`` accumulate the training loss and pre-clipping gradient
    norm of the updates applied since the last evaluation (their mean is that row's
    ``train_loss``/``grad_norm``); ``window_skipped`` counts the updates skipped in that window.
    """

    step: int
    train_rng: np.random.Generator
    test_rng: np.random.Generator
    history: list[Row] = field(default_factory=list)
    loss_sum: float = 0.0
    norm_sum: float = 0.0
    count: int = 0
    skipped: int = 0  # updates left out because the loss or the gradient was not finite
    skipped_in_row: int = 0
    window_skipped: int = 0
    steps_to_solve: int | None = None
    diverged_at: int | None = None  # the step at which the run was ended as diverged
    diverged_reason: str | None = None
    elapsed: float = 0.0  # seconds of training before this process (resumed runs)
    out_of_time: bool = False  # an evaluation came after config.minutes
    # What a problem carries from one update to the next besides the parameters (a text
    # model's detached state of every stream); checkpointed with the rest.
    carried: dict[str, np.ndarray] = field(default_factory=dict)

    def finished(self, config: TrainConfig) -> bool:
        stopped = config.early_stop and self.steps_to_solve is not None
        return stopped or self.out_of_time or self.diverged_at is not None or (
            self.step >= config.steps
        )

    def stop_reason(self, config: TrainConfig) -> str:
        if self.diverged_at is not None:
            return "diverged"
        if config.early_stop and self.steps_to_solve is not None:
            return "solved"
        return "minutes" if self.out_of_time else "steps"

    def count_skipped(self, config: TrainConfig) -> None:
        """Count one skipped update; end the run as diverged if the policy says so."""
        self.skipped += 1
        self.skipped_in_row += 1
        self.window_skipped += 1
        if self.skipped_in_row >= config.diverge_after:
            self.diverge(
                f"{self.skipped_in_row} updates in a row had a non-finite loss or gradient"
            )
        elif self.step >= config.diverge_after and self.skipped > config.diverge_share * self.step:
            self.diverge(
                f"{self.skipped} of {self.step} updates had a non-finite loss or gradient "
                f"(more than diverge_share = {config.diverge_share})"
            )

    def diverge(self, reason: str) -> None:
        self.diverged_at, self.diverged_reason = self.step, reason


def _clip(grads: dict[str, np.ndarray], config: TrainConfig) -> float:
    """Clip in place; returns the global gradient norm before clipping."""
    if config.clip is not None and config.clip_mode == "norm":
        return clip_grad_norm(grads, config.clip)
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))
    if config.clip is not None and math.isfinite(norm):
        clip_grad_value(grads, config.clip)
    return norm


def train_step(
    config: TrainConfig, model: SequenceModel, problem: Problem, optimizer: Optimizer,
    state: TrainState,
) -> float:  # fmt: skip
    """One update on a fresh batch, or one skipped update (see the module docstring)."""
    with np.errstate(all="ignore"):  # overflow is the divergence policy's to judge
        loss, grads = problem.loss_and_grads(model, config, state)
        norm = _clip(grads, config)
        applied = math.isfinite(norm) and math.isfinite(loss)
        if applied:
            optimizer.step(grads)
    state.step += 1
    if not applied:
        state.count_skipped(config)
        return loss
    state.skipped_in_row = 0
    state.loss_sum += loss
    state.norm_sum += norm
    state.count += 1
    buffers = [a for arrays in optimizer.state.values() for a in arrays.values()]
    if not all(all_finite(a) for a in (*model.params.values(), *buffers)):
        state.diverge("an update made a parameter or an optimizer buffer non-finite")
    return loss


def _row(state: TrainState, metrics: dict[str, float], lr: float, solved: bool) -> Row:
    n = state.count
    row: Row = {
        "step": state.step,
        "train_loss": state.loss_sum / n if n else math.nan,  # NaN: every update was skipped
        "grad_norm": state.norm_sum / n if n else math.nan,
        "skipped": state.window_skipped,
        "lr": lr,
        "test_loss": float(metrics["loss"]),
        "test_metric": float(metrics["metric"]),
        "solved": int(solved),
    }
    for key, value in metrics.items():
        if key not in ("loss", "metric"):
            row[f"test_{key}"] = float(value)
    return row


def _progress_bar(config: TrainConfig, problem: Problem, state: TrainState, progress: bool) -> Any:
    """A tqdm bar on stderr from ``state.step`` to ``config.steps`` (shown only on a terminal)."""
    from tqdm import tqdm

    return tqdm(
        total=config.steps,
        initial=state.step,
        disable=not progress or not sys.stderr.isatty(),
        file=sys.stderr,
        dynamic_ncols=True,
        unit="step",
        desc=f"{problem.label} {config.cell}",
    )


def _checkpoint_due(config: TrainConfig, state: TrainState) -> bool:
    """After every ``checkpoint_every``-th update, unless the run ends there (the caller writes
    the final files itself)."""
    return state.step % config.checkpoint_every == 0 and not state.finished(config)


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
    bar = _progress_bar(config, problem, state, progress)
    start = time.perf_counter()
    last_metric = state.history[-1]["test_metric"] if state.history else float("nan")
    try:
        while not state.finished(config):
            lr = optimizer.lr
            loss = train_step(config, model, problem, optimizer, state)
            budget = config.minutes is not None and (
                state.elapsed + time.perf_counter() - start >= 60 * config.minutes
            )
            last = state.step % config.eval_every == 0 or state.step == config.steps or budget
            if last or state.diverged_at is not None:
                with np.errstate(all="ignore"):  # a diverged model's output is scored as wrong
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
                state.count = state.window_skipped = 0
                last_metric = row["test_metric"]
                if on_eval is not None:
                    on_eval(row)
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.4g}", metric=f"{last_metric:.4g}", refresh=False)
            if on_checkpoint is not None and _checkpoint_due(config, state):
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
        "diverged": state.diverged_at is not None,
        "diverged_at": state.diverged_at,
        "diverged_reason": state.diverged_reason,
        "skipped_steps": state.skipped,
        "wall_time": state.elapsed,
        **problem.result_fields(),
    }

