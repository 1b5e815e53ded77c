"""Recall a symbol at a trigger after many distractors (HS97 exp 2c)."""

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
    finite_rows,
    one_hot,
)

MAX_FINAL_ERROR = 0.2  # HS97: final error of both outputs below 0.2
TRIGGER_PROBABILITY = 0.1  # HS97: after the q distractors, e with probability 0.1 per step


@dataclass(frozen=True)
class TriggerRecall(Task):
    """Very long time lags with distractors, Hochreiter & Schmidhuber 1997, exp 2c.

    p + 4 one-hot input symbols: p distractors d1..dp (indices 0..p-1), the trigger e (p), the
    start b (p+1), x (p+2) and y (p+3). A sequence is b, then x or y (probability 1/2 each),
    then q distractors drawn uniformly, then at every further step e with probability 0.1 or
    else another distractor; it ends at e, where the net must say which of x and y it saw at
    position 2 (two sigmoid outputs, one-hot target; the error is given only at the end). The
    shortest sequence has q + 3 inputs, the expected length is q + 12 (HS97 count the final
    x/y too: q + 4 and q + 14's "expected" their way); the minimal lag is q + 1. We cap the
    extra distractors at ``max_extra`` (e is forced there; 0.9^100 = 3e-5 of sequences at the
    default) so batches have a bounded length.

    Solved, as in HS97, when the final error of both outputs is below 0.2 on every test
    sequence (HS97: 10,000 successive training sequences; we check ``test_size`` fresh ones).
    HS97 Table 3 (LSTM, 2 cells): q = p = 50: 30,000 sequences; q = p = 1000: 49,000.

    Baseline: outputs 0.5 for both, final error 0.5, loss 2 ln 2.

    Worked example (q=2, p=2; d1=0, d2=1, e=2, b=3, x=4, y=5): inputs b, y, d2, d1, d1, e =
    symbols (3, 5, 1, 0, 0, 2), one extra distractor; target (0, 1) (y) read at the last step.
    """

    q: int
    p: int = 0  # number of distractor symbols; 0 means p = q, as in HS97's first five rows
    max_extra: int = 100
    test_size: int = 2560

    name = "trigger_recall"
    parameters = "q (minimal distractor run), p=distractor symbols (default q)"
    criterion = "final |error| of both sigmoid outputs < 0.2 on every test sequence"
    source = "Hochreiter & Schmidhuber 1997 exp 2c"
    length_field = "q"
    output_kind = "many_to_one"
    loss = "sigmoid_bce"
    output_size = 2

    def check_options(self) -> None:
        check_int("p", self.p, 0)
        check_int("max_extra", self.max_extra, 0)

    @property
    def symbols(self) -> int:
        return self.p or self.q

    @property
    def input_size(self) -> int:
        return self.symbols + 4

    @property
    def max_length(self) -> int:
        return self.q + 3 + self.max_extra

    def sample(self, rng: np.random.Generator, n: int) -> Batch:
        check_int("n", n, 1)
        p = self.symbols
        which = rng.integers(0, 2, size=n)  # 0: x, 1: y
        extra = np.minimum(rng.geometric(TRIGGER_PROBABILITY, size=n) - 1, self.max_extra)
        lengths = (self.q + 3 + extra).astype(np.int64)
        seq = rng.integers(0, p, size=(n, int(lengths.max())))
        seq[:, 0] = p + 1  # b
        seq[:, 1] = p + 2 + which  # x or y
        rows = np.arange(n)
        seq[rows, lengths - 1] = p  # e, the trigger
        seq[np.arange(seq.shape[1])[None, :] >= lengths[:, None]] = -1  # right padding
        return Batch(x=one_hot(seq, p + 4), target=one_hot(which, 2), lengths=lengths)

    def evaluate(self, output: np.ndarray, batch: Batch) -> dict[str, float]:
        logits = check_output_shape(output, batch.target.shape)
        with np.errstate(all="ignore"):  # a non-finite output scores as wrong, not an error
            error = np.abs(sigmoid(logits) - batch.target).max(axis=-1)
            error[~finite_rows(logits, 1)] = 1.0  # NaN, or an inf whose sigmoid 1 may match
            correct = error < MAX_FINAL_ERROR
            bce = sigmoid_binary_cross_entropy(logits, batch.target)[0]
            return {
                "metric": float(1.0 - correct.mean()),  # fraction of sequences wrong
                "loss": bce,
                "max_final_error": float(np.max(error)),
            }

    def solved(self, metrics: dict[str, float]) -> bool:
        return metrics["metric"] == 0.0

    def baseline(self) -> dict[str, float]:
        return {"metric": 1.0, "loss": 2.0 * math.log(2.0)}
