"""The noise-free long-time-lag problem (HS97 exp 2a)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rnnlab.activations import sigmoid
from rnnlab.losses import sigmoid_binary_cross_entropy
from rnnlab.tasks.base import (
    Batch,
    Task,
    check_int,
    check_output_shape,
    counted_steps,
    finite_rows,
    one_hot,
    scores_non_finite,
)

MAX_ABS_ERROR = 0.25  # HS97: every output's absolute error below 0.25


@dataclass(frozen=True)
class LongLag(Task):
    """Noise-free sequences with long time lags, Hochreiter & Schmidhuber 1997, exp 2a.

    p + 1 one-hot symbols a1..a(p-1), x, y (indices 0..p-2, then x = p-1, y = p). There are
    only two sequences, each drawn with probability 1/2: (y, a1, ..., a(p-1), y) and
    (x, a1, ..., a(p-1), x). The net sees the first p symbols and, at every step, predicts
    the next one; only the last prediction needs the first symbol, p - 1 steps back.

    HS97 used logistic output units, so the loss is per-unit sigmoid cross-entropy on the
    one-hot next symbol. Solved, as in HS97, when the maximum absolute error of all (sigmoid)
    outputs at all steps is below 0.25; HS97 checked 10,000 random sequences, we check
    `test_size` = 2560 (the suite's test size; with two distinct sequences both are drawn).

    Baseline: a memoryless predictor, right at every step but the last, where it says 0.5 for
    both x and y -- max error 0.5, loss 2 ln 2 / p (per-unit BCE summed, averaged over steps).

    Worked example (p=3; symbols a1=0, a2=1, x=2, y=3): the sequence (y, a1, a2, y) gives
    inputs one_hot(3, 0, 1) and targets one_hot(0, 1, 3), 3 steps.
    """

    p: int
    test_size: int = 2560

    name = "longlag"
    parameters = "p (lag)"
    criterion = "max |error| of all sigmoid outputs < 0.25 on the test sequences"
    source = "Hochreiter & Schmidhuber 1997 exp 2a"
    length_field = "p"
    output_kind = "many_to_many"
    loss = "sigmoid_bce"
    min_length = 2
    # HS97 2a's nets, RTRL/BPTT and LSTM alike, had every input unit connected to every output
    # unit (#w = 10504 at p = 100, (p + 1)^2 of them): predicting a_(i+1) from a_i is then a
    # direct map, and only the last symbol has to come through the recurrent memory.
    input_to_output = True

    @property
    def input_size(self) -> int:
        return self.p + 1

    @property
    def output_size(self) -> int:
        return self.p + 1

    @property
    def max_length(self) -> int:
        return self.p

    def sample(self, rng: np.random.Generator, n: int) -> Batch:
        check_int("n", n, 1)
        first = self.p - 1 + rng.integers(0, 2, size=n)  # x or y
        seq = np.empty((n, self.p + 1), dtype=np.int64)
        seq[:, 1:-1] = self._middle(rng, n)
        seq[:, 0] = first
        seq[:, -1] = first
        size = self.p + 1
        return Batch(
            x=one_hot(seq[:, :-1], size),
            target=one_hot(seq[:, 1:], size),
            lengths=np.full(n, self.p, dtype=np.int64),
        )

    def _middle(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """The symbols between the first and the last: a1..a(p-1) in order, the same in every
        sequence (exp 2b draws them)."""
        return np.arange(self.p - 1)

    @scores_non_finite
    def evaluate(self, output: np.ndarray, batch: Batch) -> dict[str, float]:
        logits = check_output_shape(output, batch.target.shape)
        steps = counted_steps(batch)
        # A non-finite logit is as wrong as can be (sigmoid(inf) = 1 could match a target).
        abs_err = np.where(np.isfinite(logits), np.abs(sigmoid(logits) - batch.target), 1.0)
        last = batch.lengths - 1
        rows = np.arange(len(last))
        final_hit = np.argmax(logits[rows, last], axis=-1) == np.argmax(
            batch.target[rows, last], -1
        )
        final_hit &= finite_rows(logits[rows, last], 1)
        bce = sigmoid_binary_cross_entropy(logits, batch.target, steps)[0]
        return {
            "metric": float(abs_err[steps].max()),
            "loss": bce,
            "final_max_error": float(abs_err[rows, last].max()),
            "final_accuracy": float(np.mean(final_hit)),
        }

    def solved(self, metrics: dict[str, float]) -> bool:
        return metrics["metric"] < MAX_ABS_ERROR

    def baseline(self) -> dict[str, float]:
        return {"metric": 0.5, "loss": 2.0 * math.log(2.0) / self.p}
