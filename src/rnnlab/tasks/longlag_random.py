"""The long-time-lag problem with a random middle part (HS97 exp 2b)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlab.activations import sigmoid
from rnnlab.losses import sigmoid_binary_cross_entropy
from rnnlab.tasks.base import (
    Batch,
    check_output_shape,
    counted_steps,
    finite_rows,
)
from rnnlab.tasks.longlag import MAX_ABS_ERROR, LongLag


@dataclass(frozen=True)
class LongLagRandom(LongLag):
    """Hochreiter & Schmidhuber 1997, exp 2b: exp 2a (`LongLag`) with a random middle part.

    The same p + 1 symbols; each sequence is (x, s_1, ..., s_(p-1), x) or (y, ..., y), each
    with probability 1/2, where the middle s_i are drawn uniformly from a1..a(p-1) anew for
    every sequence. The net predicts the next symbol at every step (sigmoid outputs, as 2a),
    but only the last prediction, which needs the first symbol p - 1 steps back, can be right:
    the middle is noise. Solved, as in HS97, when the maximum absolute error of all outputs at
    the sequence end is below 0.25 on every test sequence (HS97: over 10,000 sequences; LSTM
    100 % of trials, 5,680 sequences on average at p = 100; chunker, BPTT and RTRL fail).

    Baseline: 0.5 for both x and y at the end, max final error 0.5.

    Worked example (p=3; a1=0, a2=1, x=2, y=3): (x, a2, a2, x) gives inputs one_hot(2, 1, 1)
    and targets one_hot(1, 1, 2); only the last target, x, counts for the criterion.
    """

    name = "longlag_random"
    parameters = "p (lag)"
    criterion = "max |error| of the sigmoid outputs at the sequence end < 0.25"
    source = "Hochreiter & Schmidhuber 1997 exp 2b"

    def _middle(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Each middle symbol drawn uniformly from a1..a(p-1), anew for every sequence."""
        return rng.integers(0, self.p - 1, size=(n, self.p - 1))

    def evaluate(self, output: np.ndarray, batch: Batch) -> dict[str, float]:
        logits = check_output_shape(output, batch.target.shape)
        with np.errstate(all="ignore"):  # a non-finite output scores as wrong, not an error
            rows, last = np.arange(len(batch.lengths)), batch.lengths - 1
            final = np.abs(sigmoid(logits[rows, last]) - batch.target[rows, last]).max(axis=-1)
            final[~finite_rows(logits[rows, last], 1)] = 1.0  # sigmoid(inf) = 1 may match
            bce = sigmoid_binary_cross_entropy(logits, batch.target, counted_steps(batch))[0]
            hit = np.argmax(logits[rows, last], -1) == np.argmax(batch.target[rows, last], -1)
            hit &= finite_rows(logits[rows, last], 1)
            return {
                "metric": float(np.max(final)),
                "loss": bce,
                "final_accuracy": float(np.mean(hit)),
            }

    def solved(self, metrics: dict[str, float]) -> bool:
        return metrics["metric"] < MAX_ABS_ERROR

    def baseline(self) -> dict[str, float]:
        return {"metric": 0.5}
