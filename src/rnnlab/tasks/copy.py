"""The copying memory problem (Arjovsky, Shah & Bengio 2016)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rnnlab.losses import softmax_cross_entropy
from rnnlab.tasks.base import (
    Batch,
    Task,
    check_int,
    check_output_shape,
    finite_rows,
    one_hot,
    scores_non_finite,
)

N_DATA, BLANK, DELIMITER = 8, 8, 9  # symbols a0..a7 carry data, a8 is blank, a9 is "go"
N_SYMBOLS, N_RECALL = 10, 10
MIN_RECALLED = 0.99  # recommended suite: at least 99% of recalled symbols correct


@dataclass(frozen=True)
class Copy(Task):
    """Copying memory, Arjovsky, Shah & Bengio 2016 (uRNN paper), with delay T.

    Ten one-hot categories a0..a9. The input, of length T + 20, is 10 symbols drawn iid from
    a0..a7, then T - 1 blanks a8, the delimiter a9, and 10 more blanks. The target, at every
    step, is a8 for the first T + 10 steps and then the 10 data symbols in order. The loss is
    the mean cross-entropy over all T + 20 steps (as in ASB16); a memoryless model that
    predicts the blanks and a uniform guess over a0..a7 at the last 10 steps scores
    10 ln 8 / (T + 20). The headline metric is the fraction of the 10 recalled symbols whose
    argmax is right (chance 1/8); solved when at least 99% are (recommended suite; ASB16
    publish learning curves only). Also reported: the loss as a ratio of the baseline.

    Worked example (T=3, data 3 1 7 0 2 5 6 4 1 3; 23 steps): input 3170256413 8 8 9
    8888888888, target thirteen 8s then 3170256413.
    """

    T: int
    test_size: int = 2560

    name = "copy"
    parameters = "T (delay)"
    criterion = (
        ">=99% of recalled symbols correct (cross-entropy reported against 10 ln 8/(T+20))"
    )
    source = "Arjovsky, Shah & Bengio 2016 (copying memory)"
    length_field = "T"
    output_kind = "many_to_many"
    loss = "softmax_ce"
    input_size = N_SYMBOLS
    output_size = N_SYMBOLS

    @property
    def max_length(self) -> int:
        return self.T + 2 * N_RECALL

    def sample(self, rng: np.random.Generator, n: int) -> Batch:
        check_int("n", n, 1)
        data = rng.integers(0, N_DATA, size=(n, N_RECALL))
        inputs = np.full((n, self.max_length), BLANK, dtype=np.int64)
        inputs[:, :N_RECALL] = data
        inputs[:, self.T + N_RECALL - 1] = DELIMITER
        target = np.full((n, self.max_length), BLANK, dtype=np.int64)
        target[:, -N_RECALL:] = data
        lengths = np.full(n, self.max_length, dtype=np.int64)
        return Batch(x=one_hot(inputs, N_SYMBOLS), target=target, lengths=lengths)

    @scores_non_finite
    def evaluate(self, output: np.ndarray, batch: Batch) -> dict[str, float]:
        logits = check_output_shape(output, (*batch.target.shape, N_SYMBOLS))
        ce = softmax_cross_entropy(logits, batch.target)[0]  # the mean over every step
        recalled = np.argmax(logits[:, -N_RECALL:], axis=-1) == batch.target[:, -N_RECALL:]
        recalled &= finite_rows(logits[:, -N_RECALL:], 2)  # argmax of NaNs picks a symbol
        correct = float(np.mean(recalled))
        return {
            "metric": correct,
            "loss": ce,
            "recalled_correct": correct,
            "loss_over_baseline": ce / self.baseline()["loss"],
        }

    def solved(self, metrics: dict[str, float]) -> bool:
        return metrics["metric"] >= MIN_RECALLED

    def baseline(self) -> dict[str, float]:
        """Memoryless: blanks predicted exactly, a uniform guess over a0..a7 when recalling."""
        return {"metric": 1.0 / N_DATA, "loss": N_RECALL * math.log(N_DATA) / self.max_length}
